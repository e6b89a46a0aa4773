"""Passkey sign-in without a password, on both sign-in pages: both factors in one step, and every rule of a
password sign-in (failure budget, session, log, new-browser notice)."""
import json

from portal.extensions import db
from portal.models import User, UserSession
from tests.conftest import csrf_token

from .authenticator import SoftKey
from .helpers import events, register_key, words

CUSTOMER = "customer@example.com"


def options(client, area=""):
    page = client.get(f"{area}/login")
    response = client.post(f"{area}/login/passkey/options", headers={"X-CSRFToken": csrf_token(page)})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    return page, response.get_data(as_text=True)


def sign_in(client, page, assertion, area=""):
    return client.post(f"{area}/login/passkey", data={"csrf_token": csrf_token(page), "credential": assertion})


def customer_with_passkey(person, client, app, key=None):
    person.create(email=CUSTOMER, role="end-user", name="Casey Customer")
    person.login(email=CUSTOMER, area="")
    key = key or SoftKey()
    response = register_key(client, app, key, name="Laptop passkey", area="")
    assert response.status_code == 302, words(response)
    person.post_from("/", "/logout", {})
    return key


def test_the_sign_in_pages_offer_a_passkey(client):
    for area in ("", "/agent"):
        text = words(client.get(f"{area}/login"))
        assert "Or sign in with a passkey" in text and "Use a passkey" in text
        assert "Signing in with a passkey needs JavaScript" in text
        assert 'autocomplete="username webauthn"' in client.get(f"{area}/login").get_data(as_text=True)


def test_a_passkey_signs_in_without_a_password_and_only_once(app, person, client, smtp_sink):
    key = customer_with_passkey(person, client, app)
    page, request_options = options(client)
    opts = json.loads(request_options)
    assert opts["allowCredentials"] == [] and opts["userVerification"] == "required"
    assertion = key.get(request_options)
    response = sign_in(client, page, assertion)
    assert response.status_code == 302 and response.headers["Location"].endswith("/")
    assert client.get("/profile").status_code == 200
    assert events(app, "login.success")[-1] == {"how": "passkey"}
    assert events(app, "login.password_ok") == [{}]  # the registration's password sign-in only
    with app.app_context():
        assert db.session.scalar(db.select(UserSession.how).order_by(UserSession.id.desc())) == "passkey"
    person.post_from("/", "/logout", {})

    response = sign_in(client, client.get("/login"), assertion)  # replayed: its challenge was spent
    assert response.status_code == 401 and "already used" in words(response)
    assert client.get("/profile").status_code == 302


def test_the_activity_says_signed_in_with_a_passkey(app, person, client):
    key = customer_with_passkey(person, client, app)
    page, request_options = options(client)
    assert sign_in(client, page, key.get(request_options)).status_code == 302
    from portal.security_log import how_signed_in
    assert how_signed_in("passkey") == "Signed in with a passkey"


def test_a_passkey_without_user_verification_does_not_sign_in(app, person, client):
    key = customer_with_passkey(person, client, app)
    key.verify_user = False
    page, request_options = options(client)
    response = sign_in(client, page, key.get(request_options))
    assert response.status_code == 401 and "can't sign you in here" in words(response)
    with app.app_context():
        assert db.session.scalar(db.select(User.failure_count)) == 1  # charged like a wrong code


def test_a_key_that_does_not_say_whose_it_is_or_another_areas_passkey_is_refused(app, person, client):
    key = customer_with_passkey(person, client, app)
    page, request_options = options(client)
    response = sign_in(client, page, key.get(request_options, with_user_handle=False))
    assert response.status_code == 401

    page, request_options = options(client, "/agent")  # a customer's passkey at the agent console
    response = sign_in(client, page, key.get(request_options), area="/agent")
    assert response.status_code == 401 and client.get("/agent/").status_code == 302
    assert len(events(app, "login.passkey_failed")) == 2


def test_the_challenge_is_bound_to_the_browser_that_asked(app, person, client):
    key = customer_with_passkey(person, client, app)
    _, request_options = options(client)
    other_browser = app.test_client()
    page = other_browser.get("/login")
    response = sign_in(other_browser, page, key.get(request_options))
    assert response.status_code == 401 and other_browser.get("/profile").status_code == 302


def test_junk_is_a_400_and_the_options_need_the_csrf_token(app, person, client):
    customer_with_passkey(person, client, app)
    page = client.get("/login")
    assert client.post("/login/passkey/options").status_code == 400
    for junk in ("", "x", "[]", "{" * 20000):
        assert sign_in(client, page, junk).status_code == 400
    assert sign_in(client, page, json.dumps({"id": "AAAA"})).status_code == 401


def test_a_locked_account_is_not_signed_in_by_its_passkey(app, person, client):
    key = customer_with_passkey(person, client, app)
    with app.app_context():
        user = db.session.scalar(db.select(User))
        user.admin_locked = True
        db.session.commit()
    page, request_options = options(client)
    response = sign_in(client, page, key.get(request_options))
    assert response.status_code == 403 and client.get("/profile").status_code == 302


def test_switched_off_there_is_no_passkey_sign_in(app, person, client):
    from portal.twofactor import registry
    with app.test_request_context():
        registry.set_active("webauthn", False)
        db.session.commit()
    assert "passkey" not in words(client.get("/login"))
    page = client.get("/login")
    assert client.post("/login/passkey/options", headers={"X-CSRFToken": csrf_token(page)}).status_code == 404


def test_a_disabled_account_cannot_sign_in_with_its_passkey(app, person, client):
    from portal import clock
    key = customer_with_passkey(person, client, app)
    with app.app_context():
        db.session.scalar(db.select(User).where(User.email == CUSTOMER)).disabled_at = clock.now()
        db.session.commit()
    page, request_options = options(client)
    response = sign_in(client, page, key.get(request_options))
    assert response.status_code == 403 and "This account is disabled" in words(response)
    assert client.get("/profile").status_code == 302  # not signed in
