"""Disabling an account (someone leaving): an admin disables an agent or an end user; every session ends at once, no
sign-in works by any path until the account is enabled again, and only a right password learns why. Logged and
mailed. An admin can't disable themselves, and the command line won't disable the last admin."""
from portal.extensions import db
from portal.models import PasswordReset, User
from tests.admin.conftest import PASSWORD, events, flashes, words
from tests.conftest import page_text
from tests.passwords.conftest import ask_for_link

DISABLED = "This account is disabled. Ask your helpdesk administrator if you need it again."


def test_an_admin_disables_a_signed_in_agent_and_enables_them_again(app, admin, actor, smtp_sink):
    sam = actor("sam@example.com", role="agent", name="Sam Agent", with_app=True)
    sam.sign_in()
    assert sam.get("/agent/").status_code == 200
    tab = words(admin.get(f"/admin/agents/{sam.id}"))
    assert "Sam Agent can sign in." in tab and "Disable account" in tab

    done = admin.submit(f"/admin/people/{sam.id}/disable", {}, page=f"/admin/agents/{sam.id}")
    assert done.status_code == 303 and done.headers["Location"] == f"/admin/agents/{sam.id}"
    page = admin.get(done.headers["Location"])
    assert flashes(page) == ["Sam Agent's account is disabled: they can't sign in (1 session signed out). "
                             "They have been told by email."]
    assert "Disabled since" in words(page) and "Enable account" in words(page)
    assert "Disabled" in words(admin.get("/admin/agents?q=sam"))
    assert sam.get("/agent/").status_code == 302  # the session that was open is gone
    assert smtp_sink.latest("sam@example.com")["Subject"].endswith("Your account was disabled")

    # A wrong password learns nothing; the right one is told why, and no pending sign-in starts.
    wrong = sam.login(sam.email, "not the password", area="/agent")
    assert wrong.status_code == 401 and "Email or password is incorrect." in page_text(wrong)
    right = sam.login(sam.email, PASSWORD, area="/agent")
    assert right.status_code == 403 and DISABLED in page_text(right)
    assert sam.get("/agent/login/verify").status_code == 302  # no challenge to go on to

    admin.clock.advance(60)
    back = admin.submit(f"/admin/people/{sam.id}/enable", {}, page=f"/admin/agents/{sam.id}")
    assert flashes(admin.get(back.headers["Location"])) == [
        "Sam Agent's account is enabled again. They have been told by email."]
    assert smtp_sink.latest("sam@example.com")["Subject"].endswith("Your account was enabled again")
    sam.sign_in()
    assert sam.get("/agent/").status_code == 200
    assert [e.actor_id for e in events(app, "account.disabled") + events(app, "account.enabled")] == [admin.id] * 2


def test_an_end_user_is_disabled_from_their_account_page(app, admin, actor):
    eve = actor("eve@example.com", role="end-user", name="Eve Customer")
    eve.sign_in()
    page = words(admin.get(f"/admin/end-users/{eve.id}"))
    assert "Eve Customer can sign in." in page and "Eve Customer is signed in on 1 browser" in page
    admin.submit(f"/admin/people/{eve.id}/disable", {}, page=f"/admin/end-users/{eve.id}")
    assert eve.get("/profile").status_code == 302
    assert "Disabled" in words(admin.get("/admin/end-users?q=eve"))
    assert eve.login(eve.email, PASSWORD, area="").status_code == 403


def test_a_disabled_account_gets_no_reset_link_and_an_earlier_link_stops_working(app, admin, actor, person,
                                                                                  smtp_sink):
    sam = actor("sam@example.com", role="agent", name="Sam Agent")
    ask_for_link(person, email="sam@example.com")
    link = next(line for line in smtp_sink.text(smtp_sink.latest("sam@example.com")).split()
                if "/reset-password/" in line)
    admin.submit(f"/admin/people/{sam.id}/disable", {}, page=f"/admin/agents/{sam.id}")
    person.clock.advance(120)
    asked = len(smtp_sink.to("sam@example.com"))
    assert ask_for_link(person, email="sam@example.com").status_code == 200  # the same answer as ever
    assert len(smtp_sink.to("sam@example.com")) == asked  # but no mail
    opened = person.client.get(link.split("localhost", 1)[1])
    assert opened.status_code == 403 and DISABLED in page_text(opened)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(PasswordReset)) == 1


def test_an_admin_cannot_disable_themselves(app, admin):
    assert "Disable account" not in words(admin.get(f"/admin/agents/{admin.id}"))
    r = admin.submit(f"/admin/people/{admin.id}/disable", {}, page=f"/admin/agents/{admin.id}")
    assert flashes(admin.get(r.headers["Location"])) == ["You can't disable your own account. Another admin can."]
    assert admin.get("/admin/").status_code == 200 and events(app, "account.disabled") == []


def test_wrong_ids_forged_forms_and_non_admins_are_refused(app, admin, actor):
    sam = actor("sam@example.com", role="agent", name="Sam Agent", with_app=True)
    assert admin.submit("/admin/people/999999/disable", {}, page="/admin/agents").status_code == 404
    assert admin.client.post(f"/admin/people/{sam.id}/disable", data={"csrf_token": "x"}).status_code == 400
    assert admin.get(f"/admin/end-users/{sam.id}").status_code == 404  # an agent has no end-user page
    sam.sign_in()
    assert sam.submit(f"/admin/people/{admin.id}/disable", {}, page="/agent/").status_code == 403
    assert events(app, "account.disabled") == []


def test_the_command_line_disables_and_enables_but_never_the_last_admin(app, admin, actor, runner):
    actor("sam@example.com", role="agent", name="Sam Agent")
    result = runner.invoke(args=["user", "disable", "sam@example.com"])
    assert result.exit_code == 0 and "Disabled sam@example.com; 0 session(s) signed out." in result.output
    assert runner.invoke(args=["user", "enable", "sam@example.com"]).exit_code == 0
    refused = runner.invoke(args=["user", "disable", "ada@example.com"])
    assert refused.exit_code != 0 and "the only admin who can sign in" in refused.output
    with app.app_context():
        assert db.session.scalar(db.select(User.disabled_at).where(User.email == "ada@example.com")) is None


def test_a_session_that_outlived_the_disabling_is_refused_at_its_next_request(app, actor, clock):
    """Should a session slip past the disabling (a sign-in finishing at that very moment), its next request is
    refused all the same: the session check reads the account's state with the session."""
    sam = actor("sam@example.com", role="agent", name="Sam Agent", with_app=True)
    sam.sign_in()
    with app.app_context():
        db.session.get(User, sam.id).disabled_at = clock.now()  # disabled without ending the session
        db.session.commit()
    assert sam.get("/agent/").status_code == 302
