"""An agent signs in with a password and an authenticator app, as a person does it, through the test client."""
import re

import pytest

from tests.conftest import csrf_token, page_text

from portal.extensions import db
from portal.models import Authenticator, SecurityEvent


def test_password_then_code_signs_in(person, client):
    person.create()
    r = person.login()
    assert r.status_code == 302 and r.headers["Location"] == "/agent/"  # no 2FA yet, not required
    secret = person.setup_totp()
    person.post_from("/agent/", "/agent/logout", {})
    person.clock.advance(30)

    r = person.login()
    assert r.headers["Location"] == "/agent/login/verify"
    page = client.get("/agent/login/verify")
    body = page_text(page)
    assert "Enter the code from your authenticator app" in body
    assert 'autocomplete="one-time-code"' in body and 'inputmode="numeric"' in body
    code = person.code(secret)
    r = person.post("/agent/login/verify", {"code": f"{code[:3]} {code[3:]}"})  # spaces are tolerated
    assert r.status_code == 302 and r.headers["Location"] == "/agent/"
    home = client.get("/agent/")
    assert home.status_code == 200 and "Sam Agent" in page_text(home)


def test_console_is_unreachable_while_second_factor_pending(person, client):
    person.create()
    person.login()
    secret = person.setup_totp()
    person.post_from("/agent/", "/agent/logout", {})
    person.login()
    for url in ("/agent/", "/agent/preferences/security", "/agent/preferences/security/setup/1", "/admin/"):
        r = client.get(url)
        assert r.status_code == 302 and r.headers["Location"].startswith("/agent/login"), url
    assert secret


@pytest.mark.parametrize("how", ["wrong", "same step", "older step"])
def test_wrong_and_replayed_codes_are_refused(person, client, app, how):
    person.create()
    person.login()
    secret = person.setup_totp()  # the setup code's step is now used
    person.post_from("/agent/", "/agent/logout", {})
    person.clock.advance(30)
    person.login()
    if how == "wrong":
        code = "000000" if person.code(secret) != "000000" else "111111"
    elif how == "same step":
        first = person.code(secret)
        assert person.post("/agent/login/verify", {"code": first}).status_code == 302
        person.post_from("/agent/", "/agent/logout", {})
        person.login()
        code = first
    else:
        code = person.code(secret, offset_steps=-1)  # inside the drift window but older than the setup step
    r = person.post("/agent/login/verify", {"code": code})
    assert r.status_code == 401
    text = page_text(r)
    assert ("already been used" in text) if how != "wrong" else ("isn't right" in text)
    assert client.get("/agent/").status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(SecurityEvent)
                                 .where(SecurityEvent.type.in_(["2fa.challenge_failed", "2fa.replay_refused"]))) == 1


def test_setup_with_wrong_code_stores_nothing(person, client, app):
    person.create()
    person.login()
    page = client.get("/agent/preferences/security/setup/1")
    assert page.status_code == 200
    body = page_text(page)
    assert "<svg" in body and "Scan this QR code" in body
    r = client.post("/agent/preferences/security/setup/1",
                    data={"csrf_token": csrf_token(page),
                          "name": "Phone", "code": "123456"})
    assert r.status_code == 400 and "isn't right" in page_text(r)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Authenticator)) == 0


def test_secret_is_encrypted_at_rest(person, app):
    person.create()
    person.login()
    secret = person.setup_totp()
    with app.app_context():
        stored = db.session.scalar(db.select(Authenticator)).secret_enc
    assert secret not in stored and stored.startswith("g1:")  # AES-256-GCM (portal.crypto)
    assert app.extensions["portal_keyring"].decrypt(stored) == secret


def test_security_page_greys_out_unconfigured_then_default(person, client):
    person.create()
    person.login()
    page = page_text(client.get("/agent/preferences/security"))
    assert "option-unconfigured" in page and "Not configured" in page
    person.setup_totp(name="Phone")
    person.clock.advance(30)
    person.setup_totp(name="Tablet")
    page = client.get("/agent/preferences/security")
    text = page_text(page)
    assert "Setup complete" in text
    tablet_id = re.search(r'/agent/preferences/security/(\d+)/default', text).group(1)
    r = client.post(f"/agent/preferences/security/{tablet_id}/default", data={"csrf_token": csrf_token(page)})
    assert r.status_code == 302
    assert "“Tablet” is now your default 2FA method" in page_text(client.get("/agent/preferences/security"))


def test_sign_out_clears_the_session(person, client):
    person.create()
    person.login()
    r = person.post_from("/agent/", "/agent/logout", {})
    assert r.headers["Location"] == "/agent/login"
    assert client.get("/agent/").status_code == 302
