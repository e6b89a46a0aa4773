"""Remember this device: a signed, revocable token in an HttpOnly cookie, only its hash stored, for the days the
admin sets; forgotten one by one, all at once, when a factor changes, on an admin reset or a session-version
bump; and useless to anyone who forges, borrows or keeps it past its time."""
import pytest

from portal.extensions import db
from portal.models import RememberedDevice, SecurityEvent, User
from portal.settings import set_setting
from portal.twofactor.devices import COOKIE
from tests.conftest import csrf_token, page_text
from tests.security.helpers import EMAIL, enrolled_agent, in_console, sign_out

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"


def remembered_sign_in(person, secret):
    """Sign in with a code and "Remember this device" ticked. Returns the response."""
    person.login()
    person.clock.advance(30)
    return person.post("/agent/login/verify", {"code": person.code(secret), "remember": "y"})


def skips_challenge(person) -> bool:
    r = person.login()
    return r.status_code == 302 and r.headers["Location"] == "/agent/"


@pytest.fixture
def firefox(client):
    client.environ_base["HTTP_USER_AGENT"] = FIREFOX
    return client


def test_remembered_device_skips_the_challenge_and_is_listed(person, firefox, app):
    secret, _ = enrolled_agent(person)
    person.login()
    challenge = page_text(firefox.get("/agent/login/verify"))
    assert "Remember this device" in challenge and "for 30 days" in challenge
    r = remembered_sign_in(person, secret)
    assert r.headers["Location"] == "/agent/"
    cookie = next(h for h in r.headers.getlist("Set-Cookie") if h.startswith(COOKIE + "="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=2592000" in cookie
    value = firefox.get_cookie(COOKIE).value
    with app.app_context():
        device = db.session.scalar(db.select(RememberedDevice))
        assert device.user_agent == FIREFOX and device.ip == "127.0.0.1"
        assert (device.expires_at - device.created_at).days == 30
        assert len(device.token_hash) == 64 and device.token_hash not in value  # only a hash of the token

    page = page_text(firefox.get("/agent/preferences/security"))
    assert "Firefox on Windows" in page and "127.0.0.1" in page and "1 Mar 2026" in page
    sign_out(person)
    person.clock.advance(3600)
    assert skips_challenge(person)
    assert in_console(firefox)
    with app.app_context():
        assert db.session.scalar(db.select(SecurityEvent.detail).where(SecurityEvent.type == "login.success")
                                 .order_by(SecurityEvent.id.desc())) == '{"how": "remembered_device"}'


def test_without_the_tick_nothing_is_remembered(person, client, app):
    secret, _ = enrolled_agent(person)
    person.login()
    person.post("/agent/login/verify", {"code": person.code(secret)})
    assert client.get_cookie(COOKIE) is None
    sign_out(person)
    assert person.login().headers["Location"] == "/agent/login/verify"


def test_forget_one_and_forget_all(person, firefox, app):
    secret, _ = enrolled_agent(person)
    remembered_sign_in(person, secret)
    page = firefox.get("/agent/preferences/security")
    with app.app_context():
        device_id = db.session.scalar(db.select(RememberedDevice.id))
    r = firefox.post(f"/agent/security/devices/{device_id}/forget", data={"csrf_token": csrf_token(page)})
    assert r.headers["Location"] == "/agent/preferences/security"
    assert "Firefox on Windows is forgotten: it will be asked for a second factor at its next sign-in." \
        in page_text(firefox.get("/agent/preferences/security"))
    sign_out(person)
    assert not skips_challenge(person)

    person.clock.advance(60)
    remembered_sign_in(person, secret)
    r = person.post_from("/agent/preferences/security", "/agent/security/devices/forget-all", {})
    assert r.headers["Location"] == "/agent/preferences/security"
    assert "The remembered device is forgotten." in page_text(firefox.get("/agent/preferences/security"))
    assert "No device is remembered." in page_text(firefox.get("/agent/preferences/security"))
    sign_out(person)
    assert not skips_challenge(person)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(RememberedDevice)
                                 .where(RememberedDevice.revoked_at.is_(None))) == 0


def test_adding_a_factor_forgets_every_device(person, client, app):
    secret, _ = enrolled_agent(person)
    remembered_sign_in(person, secret)
    person.clock.advance(30)
    person.setup_totp(name="Tablet")
    sign_out(person)
    assert not skips_challenge(person)


def test_admin_reset_forgets_every_device(person, client, app, runner):
    secret, _ = enrolled_agent(person)
    remembered_sign_in(person, secret)
    sign_out(person)
    result = runner.invoke(args=["user", "reset-2fa", EMAIL])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(db.select(RememberedDevice.revoked_at)) is not None


def test_session_version_bump_makes_the_cookie_useless_even_if_the_row_lives(person, client, app):
    secret, _ = enrolled_agent(person)
    remembered_sign_in(person, secret)
    sign_out(person)
    with app.app_context():  # e.g. a password change: "sign out everywhere"
        db.session.scalar(db.select(User)).session_version += 1
        db.session.commit()
        assert db.session.scalar(db.select(RememberedDevice.revoked_at)) is None
    assert not skips_challenge(person)


def test_expired_device_asks_again(person, client):
    secret, _ = enrolled_agent(person)
    remembered_sign_in(person, secret)
    sign_out(person)
    person.clock.advance(30 * 86400 + 1)
    assert not skips_challenge(person)


def test_admin_days_setting_and_zero_turns_it_off(person, client, app):
    secret, _ = enrolled_agent(person)
    with app.test_request_context():
        set_setting("remember_device_days", 7)
        db.session.commit()
    r = remembered_sign_in(person, secret)
    assert "Max-Age=604800" in next(h for h in r.headers.getlist("Set-Cookie") if h.startswith(COOKIE))
    sign_out(person)
    with app.test_request_context():
        set_setting("remember_device_days", 0)
        db.session.commit()
    assert not skips_challenge(person)  # a cookie made before the switch-off no longer counts
    assert "Remember this device" not in page_text(client.get("/agent/login/verify"))
    person.clock.advance(30)
    r = person.post("/agent/login/verify", {"code": person.code(secret), "remember": "y"})
    assert r.headers["Location"] == "/agent/" and not any(
        h.startswith(COOKIE) for h in r.headers.getlist("Set-Cookie"))
    assert "Your administrator has turned off remembering devices" in page_text(client.get("/agent/preferences/security"))


@pytest.mark.parametrize("forgery", ["garbage", "tampered", "another person's"])
def test_forged_or_borrowed_cookies_do_not_skip_the_challenge(person, client, app, forgery):
    secret, _ = enrolled_agent(person)
    remembered_sign_in(person, secret)
    sign_out(person)
    value = client.get_cookie(COOKIE).value
    if forgery == "garbage":
        client.set_cookie(COOKIE, "eyJ1IjoxLCJ2IjoxLCJ0IjoieCJ9.bad")
    elif forgery == "tampered":
        payload, _, signature = value.partition(".")
        client.set_cookie(COOKIE, payload[:-2] + "xx." + signature)
    else:  # the victim's valid cookie, presented while signing in as someone else
        person.create(email="mallory@example.com", name="Mallory")
        r = person.login(email="mallory@example.com")
        assert r.headers["Location"] == "/agent/"  # no 2FA for mallory: not what we test; give her one
        person.setup_totp(name="Mallory phone")
        sign_out(person)
        client.set_cookie(COOKIE, value)
        r = person.login(email="mallory@example.com")
        assert r.headers["Location"] == "/agent/login/verify"
        return
    assert not skips_challenge(person)


def test_forgetting_another_persons_device_is_not_found(person, client, app):
    secret, _ = enrolled_agent(person)
    remembered_sign_in(person, secret)
    sign_out(person)
    with app.app_context():
        victim_device = db.session.scalar(db.select(RememberedDevice.id))
    person.create(email="mallory@example.com", name="Mallory")
    person.login(email="mallory@example.com")
    r = person.post_from("/agent/", f"/agent/security/devices/{victim_device}/forget", {})
    assert r.status_code == 404 and "That device isn't remembered for your account." in page_text(r)
    with app.app_context():
        assert db.session.scalar(db.select(RememberedDevice.revoked_at)) is None
