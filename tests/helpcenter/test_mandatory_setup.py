"""When the admin requires 2FA for end users, a person without an authenticator sets one up right after the
password, before anything else — typing another URL does not get around it."""
import pytest

from portal.extensions import db
from portal.models import Authenticator
from portal.settings import set_setting
from tests.conftest import csrf_token, page_text, setup_secret


@pytest.fixture
def required(app):
    with app.app_context():
        set_setting("require_end_users_2fa", True)
        db.session.commit()


@pytest.fixture
def pending(end_user, required):
    """Eve is registered, has no authenticator, and has just given her password."""
    end_user.create(email="eve@example.com", role="end-user", name="Eve Customer")
    r = end_user.sign_in()
    assert r.status_code == 302 and r.headers["Location"] == "/login/setup"
    return end_user


def test_prompted_to_set_up_at_the_login_screen(pending, client):
    page = client.get("/login/setup")
    body = page_text(page)
    assert page.status_code == 200 and "Set up two-factor authentication" in body
    assert "Skip for now" not in body  # no grace period set
    secret = setup_secret(page)
    r = client.post("/login/setup?instance=1", data={"csrf_token": csrf_token(page), "name": "Phone",
                                                     "code": pending.code(secret)})
    assert r.status_code == 302 and r.headers["Location"] == "/security/recovery-codes?next=/"
    codes = client.get(r.headers["Location"])
    r = client.post("/security/recovery-codes/done", data={"csrf_token": csrf_token(codes), "next": "/"})
    assert r.status_code == 302 and r.headers["Location"] == "/"
    assert pending.authenticators() == [("Phone", "totp")]
    assert client.get("/profile/2fa").status_code == 200


@pytest.mark.parametrize("url", ["/profile/2fa", "/profile", "/profile/2fa/setup/1", "/profile/2fa/setup/2",
                                 "/agent/", "/admin/"])
def test_typing_another_url_does_not_get_around_it(pending, client, url):
    r = client.get(url)
    assert r.status_code == 302 and "/login" in r.headers["Location"], (url, r.status_code)
    home = page_text(client.get("/"))
    assert "Sign in" in home and "My Profile" not in home  # not signed in anywhere
    assert client.get("/login/verify").headers["Location"] == "/login/setup"  # the prompt is still waiting


def test_posting_a_setup_form_directly_does_not_get_around_it(pending, client):
    token = csrf_token(client.get("/login/setup"))
    r = client.post("/profile/2fa/setup/1", data={"csrf_token": token, "name": "Phone", "code": "123456"})
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")
    assert pending.authenticators() == []


def test_a_live_session_is_sent_to_setup_when_the_rule_turns_on(registered, client, app):
    registered.add_app("Phone")
    phone = registered.authenticator_id("Phone")
    with app.app_context():
        db.session.delete(db.session.get(Authenticator, phone))  # e.g. removed before the rule was switched on
        set_setting("require_end_users_2fa", True)
        db.session.commit()
    r = client.get("/profile/2fa")
    # The session ends: only the password leads on to the setup step (a cookie alone never sets up a factor).
    assert r.status_code == 302 and r.headers["Location"] == "/login?next=/profile/2fa?"
    page = page_text(client.get(r.headers["Location"]))
    assert "Your helpdesk now requires two-factor authentication. Sign in again to set it up." in page
    assert client.get("/login/setup").headers["Location"] == "/login"  # no pending sign-in without the password
    r = registered.sign_in()
    assert r.status_code == 302 and r.headers["Location"] == "/login/setup"
