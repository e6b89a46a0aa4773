"""Registering at /register, proving the address by the emailed link, and signing in at /login; end users stay
out of /agent and /admin, and an agent's console session is not a help-center session."""
import re

import pytest
from argon2 import PasswordHasher

from portal.extensions import db
from portal.models import END_USER, PendingRegistration, SecurityEvent, User
from portal.settings import set_setting
from tests.conftest import csrf_token, page_text
from tests.helpcenter.conftest import PASSWORD, activation_link

CHECK_EMAIL = "Check your email"


def users(app) -> list[tuple[str, str]]:
    with app.app_context():
        return [(u.email, u.name) for u in db.session.scalars(db.select(User).order_by(User.id))]


def pending(app) -> list[PendingRegistration]:
    with app.app_context():
        rows = db.session.scalars(db.select(PendingRegistration).order_by(PendingRegistration.id)).all()
        db.session.expunge_all()
        return rows


def test_register_then_the_emailed_link_signs_the_person_in(end_user, client, app, smtp_sink):
    page = client.get("/register")
    assert page.status_code == 200 and "Create your Help Center account" in page_text(page)
    r = end_user.register(email="  Eve@Example.COM ", activate=False)
    assert r.status_code == 200
    shown = page_text(r)
    assert CHECK_EMAIL in shown and "We've sent an email to <strong>eve@example.com</strong>." in shown
    assert "within 24 hours" in shown
    # Nothing usable exists yet: no account, and the password doesn't sign in.
    assert users(app) == []
    [row] = pending(app)
    assert (row.email, row.name, row.used_at) == ("eve@example.com", "Eve Customer", None)
    assert row.password_hash.startswith("$argon2id$") and PasswordHasher().verify(row.password_hash, PASSWORD)
    assert re.fullmatch(r"[0-9a-f]{64}", row.token_hash)
    assert (row.expires_at - row.created_at).total_seconds() == 24 * 3600
    refused = end_user.sign_in()
    assert refused.status_code == 401 and "Email or password is incorrect." in page_text(refused)

    mail = smtp_sink.latest("eve@example.com")
    assert mail["Subject"] == "[Helpdesk] Confirm your email address"
    text = smtp_sink.text(mail)
    assert text.startswith("Hello Eve Customer,") and "It works once, for 24 hours." in text
    link = activation_link(text)
    assert link and link in smtp_sink.html(mail)
    assert row.token_hash not in text  # the mail has the token, the database only its hash

    page = client.get(link)
    assert page.status_code == 200
    assert "Activate your account" in page_text(page) and "eve@example.com" in page_text(page)
    assert users(app) == []  # opening the link (a mail scanner may) creates nothing
    r = client.post(link, data={"csrf_token": csrf_token(page)})
    assert r.status_code == 302 and r.headers["Location"] == "/"
    home = page_text(client.get("/"))
    assert "Your email address is confirmed and your account is ready." in home
    assert "You are signed in as <strong>eve@example.com</strong>" in home and "Your 2FA" in home
    with app.app_context():
        user = db.session.scalar(db.select(User))
        assert (user.email, user.name, user.kind) == ("eve@example.com", "Eve Customer", END_USER)
        assert user.password_hash.startswith("$argon2id$") and PasswordHasher().verify(user.password_hash, PASSWORD)
        assert [e.type for e in db.session.scalars(db.select(SecurityEvent).order_by(SecurityEvent.id))] == \
            ["login.password_ok", "login.success"]
    [row] = pending(app)
    assert row.used_at is not None and row.password_hash is None  # spent, and the hash lives on the account only


@pytest.mark.parametrize("field, value, message", [
    ("password", "short12", "Use a password of at least 8 characters."),
    ("password", "", "Choose a password."),
    ("email", "not-an-email", "Enter an email address like name@example.com."),
    ("email", "eve@localhost", "Enter an email address like name@example.com."),
    ("email", "jörg@example.com", "Use an address with only ASCII letters, digits and . _ + - before the @"),
    ("email", "eve@helpdesk.local", "Use an address that can receive email from the internet"),
    ("email", "eve@example.test", "addresses ending in .local or .test can't be used here."),
    ("name", "   ", "Enter your name."),
    ("name", "x" * 121, "Names can be at most 120 characters."),
    ("name", "Eve\r\nAdmin", "Names must be one line, without control characters."),
    ("name", "Eve\x1b[2J", "Names must be one line, without control characters."),
])
def test_register_refuses_bad_input_with_a_message(end_user, client, app, field, value, message):
    data = {"name": "Eve Customer", "email": "eve@example.com", "password": PASSWORD, field: value}
    r = end_user.post("/register", data)
    assert r.status_code == 400 and message in page_text(r)
    html = r.get_data(as_text=True)
    # The message is tied to its field, and nothing typed is lost.
    assert re.search(rf'id="{field}-error"', html) and 'aria-invalid="true"' in html
    assert 'value="Eve Customer"' in html or field == "name"
    assert 'value="eve@example.com"' in html or field == "email"
    assert users(app) == [] and pending(app) == []


def test_register_with_an_existing_email_gives_the_same_answer_and_tells_the_owner(end_user, client, app,
                                                                                    smtp_sink):
    end_user.create(email="eve@example.com", role="end-user", name="First Eve")
    stranger = end_user.register(email="EVE@example.com", name="Second Eve", activate=False)
    newcomer = end_user.register(email="new@example.com", name="New Person", activate=False)
    assert stranger.status_code == newcomer.status_code == 200
    assert page_text(stranger).replace("eve@example.com", "ADDRESS") == \
        page_text(newcomer).replace("new@example.com", "ADDRESS")  # word for word the same page

    mail = smtp_sink.latest("eve@example.com")
    assert mail["Subject"] == "[Helpdesk] Someone tried to register with your email address"
    text = smtp_sink.text(mail)
    assert text.startswith("Hello First Eve,") and "Second Eve" not in text
    assert "You already have an account, so nothing was created" in text
    assert "sign in here: http://localhost/login" in text and "reset it" in text
    assert activation_link(text) is None and activation_link(smtp_sink.html(mail)) is None
    assert users(app) == [("eve@example.com", "First Eve")]
    with app.app_context():  # counted for the limits, but nothing in it can ever be used
        row = db.session.scalar(db.select(PendingRegistration).where(PendingRegistration.email == "eve@example.com"))
        assert (row.token_hash, row.password_hash, row.name) == (None, None, "")


def test_an_agents_address_gets_the_agent_sign_in_link(end_user, client, app, smtp_sink):
    end_user.create(email="sam@example.com", role="agent", name="Sam Agent")
    assert CHECK_EMAIL in page_text(end_user.register(email="sam@example.com", activate=False))
    assert "sign in here: http://localhost/agent/login" in smtp_sink.text(smtp_sink.latest("sam@example.com"))
    assert users(app) == [("sam@example.com", "Sam Agent")]


def test_registered_person_signs_out_and_in_again(registered, client):
    r = registered.sign_out()
    assert r.status_code == 302 and r.headers["Location"] == "/login"
    assert "You have signed out." in page_text(client.get("/login"))
    assert client.get("/profile/2fa").headers["Location"] == "/login?next=/profile/2fa?"
    r = registered.sign_in(password="wrong password")
    assert r.status_code == 401 and "Email or password is incorrect." in page_text(r)
    r = registered.sign_in()
    assert r.status_code == 302 and r.headers["Location"] == "/"
    assert client.get("/profile/2fa").status_code == 200


def test_register_when_2fa_is_required_goes_straight_to_setup(end_user, client, app):
    with app.app_context():
        set_setting("require_end_users_2fa", True)
        db.session.commit()
    r = end_user.register()
    assert r.status_code == 302 and r.headers["Location"] == "/login/setup"
    assert client.get("/profile/2fa").status_code == 302  # not signed in until a second factor is set up
    assert users(app) == [("eve@example.com", "Eve Customer")]


@pytest.mark.parametrize("url", ["/agent/", "/agent/preferences/security", "/admin/"])
def test_end_user_can_never_reach_agent_or_admin(registered, client, url):
    r = client.get(url)
    assert r.status_code == 403 and "You don't have access to this page." in page_text(r)


def test_end_user_password_does_not_open_the_agent_console(registered, client):
    registered.sign_out()
    r = registered.post("/agent/login", {"email": "eve@example.com", "password": PASSWORD})
    assert r.status_code == 401 and "Email or password is incorrect." in page_text(r)
    assert client.get("/agent/").headers["Location"].startswith("/agent/login")


def test_agent_console_session_is_not_a_help_center_session(end_user, client):
    end_user.create(email="agent@example.com", role="agent", name="Sam Agent")
    r = end_user.login(email="agent@example.com")
    assert r.headers["Location"] == "/agent/"
    assert client.get("/agent/").status_code == 200
    for url in ("/profile", "/profile/2fa", "/profile/2fa/setup/1"):
        assert client.get(url).status_code == 403, url
    assert "Sign in" in page_text(client.get("/")) and "My Profile" not in page_text(client.get("/"))
    # and the agent's password does not sign in to the help center
    end_user.post_from("/agent/", "/agent/logout", {})
    r = end_user.sign_in(email="agent@example.com")
    assert r.status_code == 401 and "Email or password is incorrect." in page_text(r)
