"""Issue 22, admins: a preview of who will be asked before "Require agents" is saved (and "Saved" after, even for
an admin without 2FA), "Require admins to set up 2FA", Enforce 2FA meaning now, and one person's grace period."""
from datetime import timedelta

from portal.extensions import db
from portal.settings import set_setting
from tests.admin.conftest import PASSWORD, events, flashes, words
from tests.conftest import csrf_token, page_text


def settings(app, **values):
    with app.app_context():
        for key, value in values.items():
            set_setting(key, value)
        db.session.commit()


AUTH = {"totp": "y", "email": "y", "grace_until": "", "grace_timezone": "UTC"}


def test_the_preview_says_who_will_be_asked_and_warns_the_admin_about_themselves(app, actor):
    ada = actor("ada@example.com", role="admin", name="Ada Admin")  # an admin without 2FA
    actor("sam@example.com", with_app=True)
    ada.sign_in()
    page = words(ada.get("/admin/auth"))
    assert ("Require agents: 2 agents in all: 1 has no 2FA yet and will be asked to set it up." in page)
    assert "Require admins: 1 admin in all: 1 has no 2FA yet" in page
    assert "Mail goes out through 127.0.0.1; no email code failed to send in the last day." in page
    with app.app_context():
        from portal import security_log
        security_log.record("2fa.email_failed", ada.id)
        db.session.commit()
    assert ("Mail goes out through 127.0.0.1, but an email code could not be sent at 09:00 on Sunday 1 March 2026 "
            "(UTC): check the mail server") in words(ada.get("/admin/auth"))
    assert "You have no 2FA yourself. Once it is required for you, you will be signed out" in page

    r = ada.submit("/admin/auth", {**AUTH, "require_agents": "y"})
    assert r.status_code == 303
    after = ada.get(r.headers["Location"])  # the rule now meets Ada herself: signed out, but told it was saved
    assert after.headers["Location"].startswith("/agent/login")
    assert flashes(ada.get(after.headers["Location"])) == [
        "Saved: Require agents to set up 2FA on.",
        "Your helpdesk now requires two-factor authentication. Sign in again to set it up."]


def test_require_admins_asks_admins_only(app, actor):
    ada = actor("ada@example.com", role="admin", name="Ada Admin", with_app=True)
    ada.sign_in()
    r = ada.submit("/admin/auth", {**AUTH, "require_admins": "y"})
    assert r.status_code == 303 and flashes(ada.get("/admin/auth")) == ["Saved: Require admins to set up 2FA on."]
    bob = actor("bob@example.com", role="admin", name="Bob Boss")
    sam = actor("sam@example.com")
    assert bob.login(bob.email, PASSWORD).headers["Location"] == "/agent/login/setup"
    assert sam.login(sam.email, PASSWORD).headers["Location"] == "/agent/"


def test_enforce_means_now_whatever_the_grace_date_and_an_admin_extends_one_persons_grace(app, admin, actor,
                                                                                          smtp_sink):
    now = admin.clock.now()
    settings(app, require_agents_2fa=True, grace_until=(now + timedelta(days=30)).isoformat(),
             timezone="Europe/Berlin")
    nat = actor("nat@example.com", name="Nat New")
    tab = words(admin.get(f"/admin/agents/{nat.id}"))
    assert "Enforce means now: this agent must set up 2FA" in tab and "with no “Skip for now”" in tab
    admin.submit(f"/admin/agents/{nat.id}/enforce", {"enforce": "y"}, page=f"/admin/agents/{nat.id}")
    nat.login(nat.email, PASSWORD)
    assert "Skip for now" not in page_text(nat.get("/agent/login/setup"))

    tab_url = f"/admin/agents/{nat.id}"
    r = admin.submit(f"/admin/agents/{nat.id}/grace", {"until": "2026-03-10T18:00", "reason": ""}, page=tab_url)
    assert r.status_code == 400 and "Say why: the reason is kept in the security log." in page_text(r)
    r = admin.submit(f"/admin/agents/{nat.id}/grace", {"until": "2026-02-10T18:00", "reason": "x"}, page=tab_url)
    assert r.status_code == 400 and "Choose an end date in the future." in page_text(r)
    r = admin.submit(f"/admin/agents/{nat.id}/grace", {"until": "2026-03-10T18:00", "reason": "New phone on Monday"},
                     page=tab_url)
    assert r.status_code == 303
    assert flashes(admin.get(tab_url)) == ["Nat New may skip setting up 2FA until 18:00 on Tuesday 10 March 2026 "
                                           "(Europe/Berlin). They have been told by email."]
    (logged,) = events(app, "2fa.grace_extended")
    assert logged.actor_id == admin.id and "New phone on Monday" in logged.detail
    mail = smtp_sink.text(smtp_sink.latest("nat@example.com"))
    assert "Ada Admin, an administrator, gave you until 18:00 on Tuesday, 10 March 2026 (Europe/Berlin)" in mail

    nat.client = app.test_client()
    nat.login(nat.email, PASSWORD)
    setup = nat.get("/agent/login/setup")
    assert "Skip for now" in page_text(setup)  # enforced, but given until 10 March
    r = nat.client.post("/agent/login/skip", data={"csrf_token": csrf_token(setup)})
    assert r.status_code == 302
    home = words(nat.get("/agent/"))
    assert "Set up 2FA before Tuesday, 10 March 2026 — 10 days left. Set up 2FA now" in home
    assert "Set up 2FA before" in words(nat.get("/agent/preferences/security"))  # on every page


def test_reminders_go_out_7_days_and_1_day_before_once_each(app, actor, smtp_sink, clock):
    now = clock.now()
    settings(app, require_agents_2fa=True, grace_until=(now + timedelta(days=10)).isoformat())
    actor("nat@example.com", name="Nat New")
    actor("sam@example.com", with_app=True)  # has 2FA: no reminder
    runner = app.test_cli_runner()

    def remind():
        result = runner.invoke(args=["grace", "remind"])
        assert result.exit_code == 0, result.output
        return result.output.strip()

    assert remind() == "Sent 0 grace period reminder(s)."  # 10 days away
    clock.advance(3 * 86400)
    assert remind() == "Sent 1 grace period reminder(s)."
    mail = smtp_sink.latest("nat@example.com")
    assert mail["Subject"].endswith("Set up 2FA before Wednesday, 11 March 2026")
    assert "(7 days left)" in smtp_sink.text(mail)
    assert remind() == "Sent 0 grace period reminder(s)."  # once
    clock.advance(6 * 86400 + 3600)
    assert remind() == "Sent 1 grace period reminder(s)."
    assert "(1 day left)" in smtp_sink.text(smtp_sink.latest("nat@example.com"))
    assert smtp_sink.to("sam@example.com") == []


def test_admin_mails_name_the_admin_and_admin_pages_say_admin_in_their_title(app, admin, actor, smtp_sink):
    sam = actor("sam@example.com", with_app=True)
    page = admin.get(f"/admin/agents/{sam.id}")
    assert "· Admin</title>" in page_text(page) and "· Agent console</title>" not in page_text(page)
    r = admin.submit(f"/admin/agents/{sam.id}/remove", {"confirm": "y"}, page=f"/admin/agents/{sam.id}")
    assert r.status_code == 303
    mail = smtp_sink.text(smtp_sink.latest("sam@example.com"))
    assert "Ada Admin, an administrator, removed your two-factor authentication (2FA)" in mail
    assert "If this was you" not in mail and "ask Ada Admin or your helpdesk's administrators" in mail


def test_an_admin_extends_an_end_users_grace_period(app, admin, actor, smtp_sink):
    settings(app, require_end_users_2fa=True)
    eve = actor("eve@example.com", role="end-user", name="Eve End")
    listing = page_text(admin.get("/admin/end-users"))
    assert f'href="/admin/end-users/{eve.id}/grace"' in listing
    page = admin.get(f"/admin/end-users/{eve.id}/grace")
    assert page.status_code == 200 and "Eve End must set up 2FA at their next sign-in." in words(page)
    assert admin.get("/admin/end-users/999/grace").status_code == 404
    r = admin.submit(f"/admin/end-users/{eve.id}/grace", {"until": "junk", "reason": "x"})
    assert r.status_code == 400
    r = admin.submit(f"/admin/end-users/{eve.id}/grace", {"until": "2026-03-05T12:00", "reason": "On holiday"})
    assert r.status_code == 303 and r.headers["Location"] == "/admin/end-users?q=eve@example.com"
    assert "Ada Admin, an administrator, gave you until 12:00 on Thursday, 5 March 2026 (UTC)" in smtp_sink.text(
        smtp_sink.latest("eve@example.com"))
    eve.login(eve.email, PASSWORD, area="")
    assert "Skip for now" in page_text(eve.get("/login/setup"))
