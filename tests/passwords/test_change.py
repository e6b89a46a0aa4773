"""Change password, in Preferences › Security (agents) and My Profile (end users): the current password, a new one
that passes the rule, and a code from an authenticator when the person has one. Every other session ends, the
owner is mailed, the security log says so; anything refused changes nothing."""
import pytest

from portal.extensions import db
from portal.models import PasswordReset
from tests.conftest import Person, csrf_token, page_text
from tests.email.flows import agent_with_email
from tests.passwords.conftest import EMAIL, EVE, NEW_PASSWORD, PASSWORD, ask_for_link, events, password_is, \
    reset_link, reset_rows, user_row
from tests.security.helpers import enrolled_agent, in_console, signed_in_agent, wrong_code

PAGE = "/agent/preferences/security/password"


def change(person, current=PASSWORD, new=NEW_PASSWORD, again=None, code=None, url=PAGE, **extra):
    data = {"current_password": current, "new_password": new, "new_password_again": new if again is None else again,
            **extra}
    if code is not None:
        data["code"] = code
    return person.post(url, data)


@pytest.fixture
def agent(person):
    """Sam, an agent with an authenticator app, signed in (the secret of the app is returned)."""
    secret, _codes = enrolled_agent(person)
    signed_in_agent(person, secret)
    person.clock.advance(30)  # the next code is a new time step
    return secret


def test_agent_changes_password_from_preferences_security(agent, person, app, client, smtp_sink):
    other = Person(app, app.test_client(), person.clock)  # Sam is signed in on another computer too
    signed_in_agent(other, agent)
    person.clock.advance(30)
    security = client.get("/agent/preferences/security")
    assert f'href="{PAGE}"' in security.get_data(as_text=True)
    page = client.get(PAGE)
    text = page_text(page)
    assert page.status_code == 200 and "Change password" in text and "Code from Phone" in text

    r = change(person, code=person.code(agent))
    assert r.status_code == 302 and r.headers["Location"] == "/agent/preferences/security"
    assert ("Your password is changed. The other browser signed in to your account is signed out."
            in page_text(client.get(r.headers["Location"])))
    assert password_is(app, NEW_PASSWORD) and not password_is(app, PASSWORD)
    assert in_console(client) and not in_console(other.client)  # this browser stays, the other one is out
    assert events(app)[-1] == "password.changed"
    mail = smtp_sink.latest(EMAIL)
    assert mail["Subject"].endswith("Your password was changed")
    assert "The password of your account was changed." in smtp_sink.text(mail)
    assert NEW_PASSWORD not in smtp_sink.text(mail) and NEW_PASSWORD not in smtp_sink.html(mail)

    # The old password no longer signs in; the new one does (then the code, as ever).
    person.post_from("/agent/", "/agent/logout", {})
    assert person.login().status_code == 401
    r = person.login(password=NEW_PASSWORD)
    assert r.status_code == 302 and r.headers["Location"] == "/agent/login/verify"


def test_a_wrong_current_password_changes_nothing_and_spends_no_code(agent, person, app, smtp_sink):
    code = person.code(agent)
    r = change(person, current="not my password at all", code=code)
    assert r.status_code == 401 and "That isn't your current password." in page_text(r)
    assert password_is(app, PASSWORD)
    assert user_row(app).password_failures == 1 and user_row(app).failure_count == 0
    assert "login.password_failed" in events(app) and "password.changed" not in events(app)
    # The code was not checked, so it still works with the right password.
    r = change(person, code=code)
    assert r.status_code == 302 and password_is(app, NEW_PASSWORD)
    assert user_row(app).password_failures == 0


def test_a_wrong_code_changes_nothing(agent, person, app):
    r = change(person, code=wrong_code(person, agent))
    assert r.status_code == 401
    assert "That code isn't right. Check the code in your app and try again." in page_text(r)
    assert password_is(app, PASSWORD) and user_row(app).failure_count == 1
    assert events(app)[-1] == "2fa.challenge_failed"
    r = change(person, code="")
    assert r.status_code == 400 and "Enter the 6-digit code." in page_text(r)
    assert password_is(app, PASSWORD)


@pytest.mark.parametrize("new, again, message", [
    ("password1234", None, "That password is too easy to guess. This is a very common password."),
    ("agent@example.com", None, "It contains your name or email address."),
    ("short", None, "Use a password of at least 8 characters."),
    ("x" * 1025, None, "Passwords can be at most 1024 characters."),
    (NEW_PASSWORD, "violet kettle harbor", "The two new passwords aren't the same. Type the new password again."),
    (PASSWORD, None, "Choose a password different from your current one."),
    ("", None, "Choose a new password."),
])
def test_a_new_password_that_breaks_the_rule_is_refused_with_why(agent, person, app, new, again, message):
    r = change(person, new=new, again=again, code=person.code(agent))
    assert r.status_code == 400 and message in page_text(r)
    assert password_is(app, PASSWORD) and "password.changed" not in events(app)
    assert user_row(app).failure_count == 0  # no code was spent on it
    assert in_console(person.client)


def test_the_code_of_another_persons_authenticator_or_junk_is_refused(agent, person, app):
    other = Person(app, app.test_client(), person.clock)
    other_secret, _ = enrolled_agent(other, email="ann@example.com", name="Ann Agent")
    with app.app_context():
        from portal.models import Authenticator, User
        theirs = db.session.scalar(db.select(Authenticator.id).join(User).where(User.email == "ann@example.com"))
    for wanted in (str(theirs), "junk", "9" * 30):
        r = change(person, code=person.code(other_secret), authenticator_id=wanted)
        assert r.status_code == 404 and "That authenticator isn't one of yours." in page_text(r)
        assert person.client.get(f"{PAGE}?with={wanted}").status_code == 404
    assert password_is(app, PASSWORD) and password_is(app, PASSWORD, "ann@example.com")


def test_a_forged_form_is_refused(agent, person, app, client):
    r = client.post(PAGE, data={"csrf_token": "forged", "current_password": PASSWORD, "new_password": NEW_PASSWORD,
                                "new_password_again": NEW_PASSWORD, "code": person.code(agent)})
    assert r.status_code == 400 and "This form has expired or did not come from this site." in page_text(r)
    assert password_is(app, PASSWORD)


def test_signed_out_or_in_the_wrong_area_the_page_is_not_shown(person, app, client):
    assert client.get(PAGE).headers["Location"].startswith("/agent/login?next=")
    assert client.get("/profile/password").headers["Location"].startswith("/login?next=")
    person.create(email=EVE, role="end-user", name="Eve Customer")
    person.login(email=EVE, area="")
    assert client.get(PAGE).status_code == 403


def test_end_user_without_2fa_changes_password_from_my_profile(person, app, client, smtp_sink):
    person.create(email=EVE, role="end-user", name="Eve Customer")
    r = person.login(email=EVE, area="")
    assert r.status_code == 302
    client.get(r.headers["Location"])
    profile = client.get("/profile")
    assert 'href="/profile/password"' in profile.get_data(as_text=True)
    page = page_text(client.get("/profile/password"))
    assert "Current password" in page and "Code from" not in page
    r = change(person, url="/profile/password")
    assert r.status_code == 302 and r.headers["Location"] == "/profile"
    assert "Your password is changed. No other browser was signed in." in page_text(client.get("/profile"))
    assert password_is(app, NEW_PASSWORD, EVE)
    assert smtp_sink.latest(EVE)["Subject"].endswith("Your password was changed")


def test_with_email_authentication_the_code_is_emailed(person, app, client, smtp_sink):
    agent_with_email(person, smtp_sink)
    person.clock.advance(61)
    person.login()
    person.post_from("/agent/login/verify", "/agent/login/send-code", {"authenticator_id": _first_id(app)})
    person.post("/agent/login/verify", {"code": smtp_sink.latest_code(EMAIL)})
    assert in_console(client)
    person.clock.advance(61)
    page = client.get(PAGE)
    assert "Email me a code" in page_text(page)
    r = client.post(f"{PAGE}/send-code", data={"csrf_token": csrf_token(page), "authenticator_id": _first_id(app)})
    assert r.status_code == 302
    assert "We sent a code to agent@example.com." in page_text(client.get(r.headers["Location"]))
    r = change(person, code=smtp_sink.latest_code(EMAIL))
    assert r.status_code == 302 and password_is(app, NEW_PASSWORD)


def _first_id(app) -> str:
    with app.app_context():
        from portal.models import Authenticator
        return str(db.session.scalar(db.select(Authenticator.id).order_by(Authenticator.id)))


def test_a_change_voids_reset_links(agent, person, app, client, smtp_sink):
    assert ask_for_link(person).status_code == 200
    link = reset_link(smtp_sink)
    assert change(person, code=person.code(agent)).status_code == 302
    assert all(row.used_at is not None for row in reset_rows(app))
    r = client.get(link)
    assert r.status_code == 410 and "This link has already been used" in page_text(r)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(PasswordReset)) == 1


def test_a_changed_password_forgets_remembered_devices(person, app, client):
    """A browser that skipped the second factor before the change asks for it again, with the new password."""
    from tests.security.test_remembered_devices import remembered_sign_in
    secret, _codes = enrolled_agent(person)
    assert remembered_sign_in(person, secret).headers["Location"] == "/agent/"
    person.clock.advance(30)
    assert change(person, code=person.code(secret)).status_code == 302
    person.post_from("/agent/", "/agent/logout", {})
    r = person.login(password=NEW_PASSWORD)  # the same browser, its remembered-device cookie still sent
    assert r.status_code == 302 and r.headers["Location"] == "/agent/login/verify"
    with app.app_context():
        from portal.models import RememberedDevice
        assert db.session.scalar(db.select(RememberedDevice.revoked_at)) is not None


def test_the_emailed_code_for_a_password_change_says_what_it_is_for(person, app, client, smtp_sink):
    agent_with_email(person, smtp_sink)
    person.clock.advance(61)
    person.login()
    person.post_from("/agent/login/verify", "/agent/login/send-code", {"authenticator_id": _first_id(app)})
    person.post("/agent/login/verify", {"code": smtp_sink.latest_code(EMAIL)})
    person.clock.advance(61)
    person.post_from(PAGE, f"{PAGE}/send-code", {"authenticator_id": _first_id(app)})
    mail = smtp_sink.latest(EMAIL)
    assert mail["Subject"].endswith("Your code to change your password")
    text = smtp_sink.text(mail)
    assert "Use this code to change the password of your Helpdesk account:" in text
    assert "If you didn't ask to change your password" in text and "sign in" not in text.split("Use this")[1][:60]
