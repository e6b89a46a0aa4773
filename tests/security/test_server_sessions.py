"""Sessions live on the server: signing out kills every copy of the cookie, sessions end when idle or old, nothing
secret is replayed from an old cookie, a rule change closes the door, Your sessions, an admin signs someone out,
and a sign-in from a new browser is mailed to the owner."""
from datetime import timedelta

import pytest

from portal.extensions import db
from portal.models import SecurityEvent, UserSession
from portal.settings import set_setting
from tests.conftest import csrf_token, page_text, setup_secret
from tests.security.helpers import (EMAIL, PASSWORD, enrolled_agent, in_console, recovery_codes_on, sign_out,
                                    signed_in_agent)


def copy_of(app, client):
    """Another browser holding a copy of `client`'s cookie (stolen, or the same person's backup)."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def session_rows(app) -> list[UserSession]:
    with app.app_context():
        rows = list(db.session.scalars(db.select(UserSession).order_by(UserSession.id)))
        for row in rows:
            db.session.expunge(row)
        return rows


def test_signing_out_kills_every_copy_of_the_cookie(app, person, client):
    secret, _ = enrolled_agent(person)
    signed_in_agent(person, secret)
    copy = copy_of(app, client)
    assert in_console(client) and in_console(copy)
    sign_out(person)
    assert session_rows(app) == []
    r = copy.get("/agent/")  # the copy taken before sign-out: the sign-in page, from any address
    assert r.status_code == 302 and r.headers["Location"].startswith("/agent/login")
    assert copy.get("/agent/preferences/security").headers["Location"].startswith("/agent/login")


@pytest.mark.parametrize("area, idle, most", [("agent", timedelta(hours=2), timedelta(hours=12)),
                                              ("helpcenter", timedelta(days=1), timedelta(days=30))])
def test_sessions_end_when_idle_and_when_old(app, person, client, area, idle, most):
    home = "/agent/" if area == "agent" else "/profile"
    if area == "agent":
        person.create()
        person.login()
    else:
        person.create(email="eve@example.com", role="end-user", name="Eve")
        person.login(email="eve@example.com", area="")
    assert client.get(home).status_code == 200
    person.clock.advance((idle - timedelta(seconds=1)).total_seconds())
    assert client.get(home).status_code == 200  # used just in time: it goes on
    person.clock.advance((idle + timedelta(seconds=1)).total_seconds())
    assert client.get(home).status_code == 302  # idle too long
    assert session_rows(app) == []

    person.login(email=EMAIL if area == "agent" else "eve@example.com", area="/agent" if area == "agent" else "")
    elapsed = timedelta(0)
    while elapsed + idle / 2 < most:  # busy all along, yet it ends once it is `most` old
        person.clock.advance((idle / 2).total_seconds())
        elapsed += idle / 2
        assert client.get(home).status_code == 200
    person.clock.advance((idle / 2).total_seconds())
    assert client.get(home).status_code == 302


def test_admins_set_the_limits(app, person, client):
    person.create()
    person.login()
    with app.app_context():
        set_setting("session_idle_minutes_staff", 10)
        db.session.commit()
    person.clock.advance(11 * 60)
    assert client.get("/agent/").status_code == 302


def test_last_seen_is_written_at_most_once_a_minute(app, person, client):
    person.create()
    person.login()
    (first,) = session_rows(app)
    person.clock.advance(30)
    client.get("/agent/")
    assert session_rows(app)[0].last_seen_at == first.last_seen_at
    person.clock.advance(31)
    client.get("/agent/")
    assert session_rows(app)[0].last_seen_at == first.last_seen_at + timedelta(seconds=61)


def test_an_old_cookie_never_shows_a_secret_or_codes_again(app, person, client):
    person.create()
    person.login()
    page = client.get("/agent/preferences/security/setup/1?new=1")
    during_setup = copy_of(app, client)  # captured while the QR code was on the screen
    secret = setup_secret(page)
    r = client.post("/agent/preferences/security/setup/1",
                    data={"csrf_token": csrf_token(page), "name": "Phone", "code": person.code(secret)})
    codes = recovery_codes_on(client.get(r.headers["Location"]))
    assert len(codes) == 10
    shown_codes = copy_of(app, client)
    person.post_from("/agent/security/recovery-codes", "/agent/security/recovery-codes/done",
                     {"next": "/agent/preferences/security"})
    sign_out(person)
    for copy in (during_setup, shown_codes):
        r = copy.get("/agent/preferences/security/setup/1")
        assert r.status_code == 302 and r.headers["Location"].startswith("/agent/login")
        assert secret.replace(" ", "") not in r.get_data(as_text=True)
        r = copy.get("/agent/security/recovery-codes/download")
        assert r.status_code == 302 and not recovery_codes_on(r)


def test_saved_codes_are_gone_from_the_server_even_in_the_same_session(app, person, client):
    person.create()
    person.login()
    person.setup_totp()
    assert len(recovery_codes_on(client.get("/agent/security/recovery-codes"))) == 10
    with app.app_context():
        assert "recovery_codes" in db.session.scalar(db.select(UserSession.data))
    person.post_from("/agent/security/recovery-codes", "/agent/security/recovery-codes/done",
                     {"next": "/agent/preferences/security"})
    assert client.get("/agent/security/recovery-codes/download").status_code == 404
    with app.app_context():
        assert "recovery_codes" not in db.session.scalar(db.select(UserSession.data))


def test_a_rule_change_signs_out_and_a_stale_cookie_gets_the_password_step(app, person, client):
    person.create()
    person.login()
    stale = copy_of(app, client)
    sign_out(person)  # a session they left; its copy is what an attacker holds
    person.login()  # and the one they are using now
    with app.app_context():
        set_setting("require_agents_2fa", True)
        db.session.commit()
    for browser in (stale, client):
        r = browser.get("/agent/preferences/security")
        assert r.status_code == 302 and r.headers["Location"].startswith("/agent/login?")
        r = browser.get("/agent/login/setup")
        assert r.headers["Location"] == "/agent/login"  # no pending sign-in without the password
        assert "otpauth" not in browser.get("/agent/login", follow_redirects=True).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(SecurityEvent)
                                 .where(SecurityEvent.type == "login.password_ok")) == 2  # the two real sign-ins
    assert person.login().headers["Location"] == "/agent/login/setup"


def test_your_sessions_lists_and_signs_out_the_others(app, person, client, smtp_sink):
    secret, _ = enrolled_agent(person)
    signed_in_agent(person, secret)
    laptop = client
    phone = app.test_client()
    person.client = phone
    person.clock.advance(30)
    signed_in_agent(person, secret)
    tablet = app.test_client()
    person.client = tablet
    person.clock.advance(30)
    signed_in_agent(person, secret)
    person.client = laptop
    page = page_text(laptop.get("/agent/preferences/security"))
    assert "Your sessions" in page and page.count("This device") == 1 and "Password and Authenticator app" in page

    phone_row = session_rows(app)[1]
    r = person.post_from("/agent/preferences/security", f"/agent/security/sessions/{phone_row.id}/end", {})
    assert r.status_code == 302 and not in_console(phone) and in_console(tablet) and in_console(laptop)
    r = person.post_from("/agent/preferences/security", "/agent/security/sessions/end-others", {})
    assert "Your other session is signed out." in page_text(laptop.get(r.headers["Location"]))
    assert not in_console(tablet) and in_console(laptop)
    assert len(session_rows(app)) == 1


def test_another_persons_session_id_is_404(app, person, client):
    person.create(email="other@example.com", name="Other")
    theirs = app.test_client()
    person.client = theirs
    person.login(email="other@example.com")
    (their_row,) = session_rows(app)
    person.client = client
    person.create()
    person.login()
    for junk in (their_row.id, 999, "junk", "1" * 40):
        r = person.post_from("/agent/preferences/security", f"/agent/security/sessions/{junk}/end", {})
        assert r.status_code == 404, junk
    assert in_console(theirs) and in_console(client)


def test_an_admin_signs_an_agent_out_everywhere(app, person, client, smtp_sink):
    secret, _ = enrolled_agent(person)
    with app.app_context():
        from portal.models import User
        db.session.scalar(db.select(User).where(User.email == EMAIL)).is_admin = True
        db.session.commit()
    nat_id = person.create(email="nat@example.com", name="Nat New")
    nat = app.test_client()
    admin_client = client
    person.client = nat
    person.login(email="nat@example.com")
    assert in_console(nat)
    person.client = admin_client
    signed_in_agent(person, secret)
    page = page_text(admin_client.get(f"/admin/agents/{nat_id}"))
    assert "Nat New is signed in on 1 browser" in page
    r = person.post_from(f"/admin/agents/{nat_id}", f"/admin/people/{nat_id}/sessions/end", {})
    assert r.status_code == 303
    assert "Nat New is signed out everywhere (1 session)." in page_text(admin_client.get(r.headers["Location"]))
    assert not in_console(nat) and in_console(admin_client)
    assert smtp_sink.latest("nat@example.com")["Subject"].endswith("An administrator signed you out everywhere")
    with app.app_context():
        (event,) = db.session.scalars(db.select(SecurityEvent).where(SecurityEvent.type == "session.ended_by_admin"))
        assert event.user_id == nat_id and event.actor_id != nat_id


def test_a_new_factor_signs_out_the_other_browsers(app, person, client):
    person.create()
    person.login()
    other = app.test_client()
    person.client = other
    person.login()
    person.client = client
    assert in_console(other)
    person.setup_totp()
    assert not in_console(other) and in_console(client)


def test_a_sign_in_from_a_new_browser_is_mailed(app, person, client, smtp_sink):
    person.create()
    person.login()  # the very first sign-in: nothing to report
    assert smtp_sink.to(EMAIL) == []
    sign_out(person)
    person.login()  # the same browser again
    assert smtp_sink.to(EMAIL) == []
    person.client = app.test_client()
    person.client.environ_base["HTTP_USER_AGENT"] = (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0")
    person.login()
    mail = smtp_sink.latest(EMAIL)
    text = smtp_sink.text(mail)
    assert mail["Subject"].endswith("New sign-in to your account")
    assert "Firefox on Windows" in text and "127.0.0.1" in text and "/agent/preferences/security" in text
    assert PASSWORD not in text
    person.client = client
    sign_out(person)
    person.login()
    assert len(smtp_sink.to(EMAIL)) == 1  # known browsers are not news
