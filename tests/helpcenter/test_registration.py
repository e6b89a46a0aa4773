"""Registering at /register and signing in at /login; end users stay out of /agent and /admin, and an agent's
console session is not a help-center session."""
import pytest
from argon2 import PasswordHasher

from portal.extensions import db
from portal.models import END_USER, SecurityEvent, User
from portal.settings import set_setting
from tests.conftest import page_text
from tests.helpcenter.conftest import PASSWORD


def test_register_signs_the_person_in(end_user, client, app):
    page = client.get("/register")
    assert page.status_code == 200 and "Create your Help Center account" in page_text(page)
    r = end_user.register(email="  Eve@Example.COM ")
    assert r.status_code == 302 and r.headers["Location"] == "/login/verify"
    r = client.get("/login/verify")
    assert r.status_code == 302 and r.headers["Location"] == "/"
    home = page_text(client.get("/"))
    assert "You are signed in as <strong>eve@example.com</strong>" in home and "My Profile" in home and "Your 2FA" in home
    with app.app_context():
        user = db.session.scalar(db.select(User))
        assert (user.email, user.name, user.kind) == ("eve@example.com", "Eve Customer", END_USER)
        assert user.password_hash.startswith("$argon2id$") and PasswordHasher().verify(user.password_hash, PASSWORD)
        assert [e.type for e in db.session.scalars(db.select(SecurityEvent).order_by(SecurityEvent.id))] == \
            ["login.password_ok", "login.success"]


@pytest.mark.parametrize("field, value, message", [
    ("password", "short12", "Use a password of at least 8 characters."),
    ("password", "", "Choose a password."),
    ("email", "not-an-email", "Enter an email address like name@example.com."),
    ("name", "   ", "Enter your name."),
    ("name", "x" * 121, "Names can be at most 120 characters."),
])
def test_register_refuses_bad_input_with_a_message(end_user, client, app, field, value, message):
    data = {"name": "Eve Customer", "email": "eve@example.com", "password": PASSWORD, field: value}
    r = end_user.post("/register", data)
    assert r.status_code == 400 and message in page_text(r)
    assert 'value="Eve Customer"' in r.get_data(as_text=True) or field == "name"  # nothing typed is lost
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0


def test_register_with_an_existing_email_is_refused(end_user, client, app):
    end_user.create(email="eve@example.com", role="end-user", name="First Eve")
    r = end_user.register(email="EVE@example.com", name="Second Eve")
    assert r.status_code == 409
    assert "An account with that email already exists. Sign in instead." in page_text(r)
    with app.app_context():
        assert [u.name for u in db.session.scalars(db.select(User))] == ["First Eve"]


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
    end_user.register()
    r = client.get("/login/verify")
    assert r.status_code == 302 and r.headers["Location"] == "/login/setup"
    assert client.get("/profile/2fa").status_code == 302  # not signed in until a second factor is set up


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
