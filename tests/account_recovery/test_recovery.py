"""Lost-device recovery: asked after the password only, mailed at once with a one-click cancel, approved by one
admin (two different admins for staff), a waiting period on the injectable clock that the owner's cancel link or
second-factor sign-in stops, and at its end every factor removed and every session ended."""
from datetime import timedelta

from portal.extensions import db
from portal.models import Authenticator, User, UserSession
from portal.settings import set_setting
from tests.conftest import csrf_token, page_text
from .conftest import cancel_path, events, flashes, recovery, words


def factors(app, user_id) -> int:
    with app.app_context():
        return len(db.session.scalars(db.select(Authenticator).where(Authenticator.user_id == user_id)).all())


def sessions_of(app, user_id) -> int:
    with app.app_context():
        return len(db.session.scalars(db.select(UserSession).where(UserSession.user_id == user_id)).all())


def approve(admin, row_id):
    return admin.submit(f"/admin/recoveries/{row_id}/approve", {}, page=f"/admin/recoveries/{row_id}")


def test_asked_approved_waited_for_and_carried_out(app, clock, admin, owner, smtp_sink, runner):
    owner.sign_in()  # a session on another browser, which the recovery will end
    other_browser = owner.client
    owner.client = app.test_client()
    owner.enter_password()
    challenge = owner.client.get("/login/verify")
    assert 'href="/login/account-recovery"' in page_text(challenge)
    assert "I can't use any of my methods" in page_text(challenge)
    r = owner.ask_recovery()
    assert r.status_code == 200 and "Your request is sent." in words(r)
    mail = smtp_sink.latest("eve@example.com")
    assert mail["Subject"] == "[Helpdesk] Someone asked to recover your account"
    text = smtp_sink.text(mail)
    assert "from 127.0.0.1" in text and "09:00 UTC" in text
    link = cancel_path(text)
    again = owner.client.get("/login/account-recovery")  # one at a time: no second request, no second mail
    assert "waiting for an administrator's approval" in words(again) and "Ask for an account" not in words(again)
    assert len(smtp_sink.to("eve@example.com")) == 1
    [asked] = events(app, "recovery.requested")
    assert asked.user_id == owner.id and link.rsplit("/", 1)[1] not in asked.detail  # no token in the log

    listing = words(admin.get("/admin/recoveries"))
    assert "Eve Customer" in listing and "Waiting for approval" in listing and "Lost device" in listing
    row = recovery(app)
    detail = words(admin.get(f"/admin/recoveries/{row.id}"))
    assert "(1 needed)" in detail and "Never asked on any of their requests." in detail
    assert "Account recovery asked for (lost device)" in detail  # the account's recent security activity

    r = approve(admin, row.id)
    assert r.status_code == 303
    assert flashes(admin.get(r.headers["Location"])) == [
        "Approved. The waiting period runs now; the owner was told and can still stop it."]
    row = recovery(app)
    assert row.state == "waiting" and row.ends_at == clock.now() + timedelta(hours=24)
    waiting = smtp_sink.latest("eve@example.com")
    assert waiting["Subject"] == "[Helpdesk] Your two-factor authentication will be removed"
    assert cancel_path(smtp_sink.text(waiting)) == link  # the same one-click cancel in every mail

    clock.advance(24 * 3600 - 1)
    result = runner.invoke(args=["recovery", "run-due"])
    assert "Carried out 0" in result.output and factors(app, owner.id) == 1
    clock.advance(1)
    result = runner.invoke(args=["recovery", "run-due"])
    assert result.exit_code == 0 and "Carried out 1" in result.output
    assert factors(app, owner.id) == 0 and sessions_of(app, owner.id) == 0
    assert other_browser.get("/profile").status_code == 302  # signed out everywhere
    with app.app_context():
        assert db.session.get(User, owner.id).skip_forfeited  # no new grace period
    assert recovery(app).state == "completed" and len(events(app, "recovery.completed")) == 1
    assert "removed" in smtp_sink.latest("eve@example.com")["Subject"]
    assert "Carried out 0" in runner.invoke(args=["recovery", "run-due"]).output  # once only


def test_the_cancel_link_works_once_without_signing_in(app, client, owner, admin, smtp_sink):
    owner.enter_password()
    owner.ask_recovery()
    link = cancel_path(smtp_sink.text(smtp_sink.latest("eve@example.com")))
    page = client.get(link)
    assert page.status_code == 200 and "Cancel the recovery" in words(page)
    r = client.post(link, data={"csrf_token": csrf_token(page)})
    assert r.status_code == 303
    assert "The recovery is cancelled" in words(client.get(r.headers["Location"]))
    row = recovery(app)
    assert row.state == "cancelled" and row.finished_how == "cancel link"
    assert smtp_sink.latest("eve@example.com")["Subject"] == "[Helpdesk] Your account recovery was stopped"
    assert "no longer under way (cancelled)" in words(client.get(link))  # single use
    r = admin.submit(f"/admin/recoveries/{row.id}/approve", {}, page=f"/admin/recoveries/{row.id}")
    assert r.status_code == 409 and "no longer waiting for approval" in page_text(r)
    assert client.get("/account-recovery/cancel/" + "x" * 43).status_code == 404
    assert client.get("/account-recovery/cancel/short").status_code == 404
    assert client.post(link, data={"csrf_token": "forged"}).status_code == 400


def test_the_owners_second_factor_sign_in_stops_it(app, clock, owner, admin, smtp_sink):
    owner.enter_password()
    owner.ask_recovery()
    approve(admin, recovery(app).id)
    assert recovery(app).state == "waiting"
    owner.client = app.test_client()
    clock.advance(60)
    owner.sign_in()  # found the phone
    row = recovery(app)
    assert row.state == "cancelled" and row.finished_how == "owner signed in"
    assert smtp_sink.latest("eve@example.com")["Subject"] == "[Helpdesk] Your account recovery was stopped"
    clock.advance(24 * 3600)
    owner.client = app.test_client()
    owner.enter_password()
    assert factors(app, owner.id) == 1


def test_a_password_alone_does_not_stop_it_and_the_owner_page_runs_it_when_due(app, clock, owner, admin):
    set_policy(app, require_end_users_2fa=True)
    owner.enter_password()
    owner.ask_recovery()
    approve(admin, recovery(app).id)
    clock.advance(24 * 3600)
    owner.client = app.test_client()
    owner.enter_password()  # a password alone: nothing stops
    r = owner.client.get("/login/account-recovery")  # nobody ran it yet: looking at it does
    assert r.status_code == 302 and r.headers["Location"] == "/login/setup"  # sets up 2FA at this sign-in
    assert factors(app, owner.id) == 0 and recovery(app).state == "completed"


def set_policy(app, **settings):
    with app.app_context():
        for key, value in settings.items():
            set_setting(key, value)
        db.session.commit()


def test_a_staff_account_needs_two_different_admins(app, clock, admin, make_owner, smtp_sink):
    from tests.admin.conftest import Actor
    sam = make_owner("sam@example.com")
    bob = Actor(app, clock, "bob@example.com", "admin", "Bob Admin")
    bob.sign_in()
    sam.enter_password()
    sam.ask_recovery()
    row = recovery(app)
    assert "(2 needed)" in words(admin.get(f"/admin/recoveries/{row.id}"))
    r = approve(admin, row.id)
    assert flashes(admin.get(r.headers["Location"])) == ["Approved. A second, different admin must approve it too."]
    assert recovery(app).state == "requested"
    mail = smtp_sink.latest("sam@example.com")  # every step is mailed, with the cancel link
    assert mail["Subject"] == "[Helpdesk] An administrator approved the recovery of your account"
    assert "A second administrator must approve it too" in smtp_sink.text(mail) and cancel_path(smtp_sink.text(mail))
    r = approve(admin, row.id)
    assert r.status_code == 409 and "a second, different admin must approve it too" in page_text(r)
    r = approve(bob, row.id)
    assert r.status_code == 303 and recovery(app).state == "waiting"
    assert [e.actor_id for e in events(app, "recovery.approved")] == [admin.id, bob.id]


def test_with_one_admin_one_approval_and_never_your_own(app, clock, admin, make_owner, smtp_sink):
    sam = make_owner("sam@example.com")
    sam.enter_password()
    sam.ask_recovery()
    row = recovery(app)
    assert "(1 needed)" in words(admin.get(f"/admin/recoveries/{row.id}"))
    approve(admin, row.id)
    assert recovery(app).state == "waiting"

    admin.client, ada = app.test_client(), admin
    ada.enter_password = lambda: ada.login(ada.email, "correct horse battery", area="/agent")
    ada.enter_password()
    url = "/agent/login/account-recovery"
    ada.client.post(url, data={"csrf_token": csrf_token(ada.client.get(url))})
    own = recovery(app)
    ada.client = app.test_client()
    clock.advance(30)  # a new code
    ada.sign_in()  # her own sign-in with her app stops her own recovery
    assert recovery(app).state == "cancelled" and own.user_id == ada.id


def test_an_admin_cannot_approve_their_own_recovery(app, clock, admin):
    with app.test_request_context():
        from portal.account_recovery import flow
        from portal.twofactor.base import FlowError
        ada = db.session.get(User, admin.id)
        row, _ = flow.ask(ada)
        try:
            flow.approve(row, ada)
            raised = None
        except FlowError as exc:
            raised = str(exc)
    assert raised == "You can't approve the recovery of your own account: another admin must."


def test_refused_by_an_admin(app, owner, admin, smtp_sink):
    owner.enter_password()
    owner.ask_recovery()
    row = recovery(app)
    r = admin.submit(f"/admin/recoveries/{row.id}/refuse", {}, page=f"/admin/recoveries/{row.id}")
    assert r.status_code == 303 and recovery(app).state == "refused"
    assert smtp_sink.latest("eve@example.com")["Subject"] == "[Helpdesk] Your account recovery was refused"
    assert admin.get("/admin/recoveries/999").status_code == 404
    assert owner.get("/admin/recoveries").status_code == 302  # a password alone reaches no admin page


def test_remove_2fa_can_follow_the_same_waiting_period(app, clock, admin, owner, smtp_sink, runner):
    r = admin.submit("/admin/recoveries/settings", {"wait_hours": "abc"}, page="/admin/recoveries")
    assert r.status_code == 400 and "Not a valid integer value." in page_text(r)
    r = admin.submit("/admin/recoveries/settings", {"wait_hours": "9999"}, page="/admin/recoveries")
    assert r.status_code == 400 and "Enter 0 to 720 hours." in page_text(r)
    r = admin.submit("/admin/recoveries/settings", {"wait_hours": "48", "delay_removal": "y"},
                     page="/admin/recoveries")
    assert r.status_code == 303
    r = admin.submit(f"/admin/end-users/{owner.id}/reset", {"confirm": "y"}, page=f"/admin/end-users/{owner.id}/reset")
    assert r.status_code == 303
    assert "is scheduled" in " ".join(flashes(admin.get(r.headers["Location"])))
    assert factors(app, owner.id) == 1
    row = recovery(app)
    assert row.kind == "admin_removal" and row.state == "waiting" and row.ends_at == clock.now() + timedelta(hours=48)
    text = smtp_sink.text(smtp_sink.latest("eve@example.com"))
    assert "An administrator removed your two-factor authentication" in text and cancel_path(text)
    clock.advance(48 * 3600)
    assert "Carried out 1" in runner.invoke(args=["recovery", "run-due"]).output
    assert factors(app, owner.id) == 0


def test_rotate_keys_keeps_an_active_recoverys_cancel_link(app, owner, admin, smtp_sink, runner):
    from cryptography.fernet import Fernet

    from portal.crypto import KeyRing, parse_keys
    owner.enter_password()
    owner.ask_recovery()
    link = cancel_path(smtp_sink.text(smtp_sink.latest("eve@example.com")))
    old_key, new_key = app.config["PORTAL_ENCRYPTION_KEYS"], Fernet.generate_key().decode()
    app.extensions["portal_keyring"] = KeyRing(parse_keys(f"{new_key},{old_key}"))
    result = runner.invoke(args=["rotate-keys"])
    assert result.exit_code == 0 and "Re-encrypted 3 secret(s)" in result.output  # two apps and the link
    app.extensions["portal_keyring"] = KeyRing([new_key])  # the old key retired
    approve(admin, recovery(app).id)
    assert cancel_path(smtp_sink.text(smtp_sink.latest("eve@example.com"))) == link
