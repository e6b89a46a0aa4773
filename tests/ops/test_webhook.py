"""Security events out: each committed event POSTed to SECURITY_WEBHOOK_URL, signed with HMAC-SHA256
(X-Portal-Signature: sha256=<hex>), retried with backoff, from a background thread: a receiver that is down or
slow never delays a sign-in, and an event rolled back is never sent."""
import hashlib
import hmac
import json
import time

import pytest

from portal import create_app, security_log, security_webhook
from portal.config import TestConfig
from portal.extensions import db
from tests.ops.conftest import Receiver, closed_port
from tests.security.helpers import enrolled_agent, signed_in_agent

SECRET = "webhook-signing-secret-for-tests"


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.stop()


def webhook_app(tmp_path, pg_schema, clock, url, **settings):
    from portal.clock import set_clock
    from tests.conftest import make_app
    app = make_app(tmp_path, pg_schema, SECURITY_WEBHOOK_URL=url, SECURITY_WEBHOOK_SECRET=SECRET, **settings)
    set_clock(app, clock)
    return app


def timed_sign_in(app, clock):
    """A person with an authenticator app signs in; returns the seconds the password and the code requests took."""
    from tests.conftest import Person
    person = Person(app, app.test_client(), clock)
    secret, _ = enrolled_agent(person)
    started = time.monotonic()
    signed_in_agent(person, secret)
    took = time.monotonic() - started
    assert person.client.get("/agent/").status_code == 200
    return took


def test_events_arrive_signed(tmp_path, pg_schema, clock, receiver):
    app = webhook_app(tmp_path, pg_schema, clock, receiver.url)
    timed_sign_in(app, clock)
    events = receiver.wait_for(lambda got: sum(e["type"] == "login.success" for e in got) == 2)
    for headers, body in receiver.received:
        expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(headers["X-Portal-Signature"], expected)
        assert headers["Content-Type"] == "application/json"
        assert headers["X-Portal-Event"] == json.loads(body)["type"]
    signed_in = [e for e in events if e["type"] == "login.success"]
    assert [e["details"]["how"] for e in signed_in] == ["password", "totp"]
    assert set(signed_in[1]) == {"id", "type", "user_id", "actor_id", "ip", "time", "details", "request_id"}
    assert signed_in[1]["ip"] == "127.0.0.1" and signed_in[1]["time"] == "2026-03-01T09:01:00Z"
    assert len({e["id"] for e in events}) == len(events)
    # A forged body does not match the signature the receiver checks.
    headers, body = receiver.received[0]
    forged = body.replace(b'"type"', b'"type" ', 1)
    assert headers["X-Portal-Signature"] != security_webhook.sign(SECRET, forged)


def test_a_rolled_back_event_is_never_sent(tmp_path, pg_schema, clock, receiver):
    app = webhook_app(tmp_path, pg_schema, clock, receiver.url)
    with app.app_context():
        security_log.record("2fa.locked", None, lock="15 minutes")
        db.session.rollback()
        security_log.record("2fa.admin_reset", None, removed=1)
        db.session.commit()
        security_log.record("2fa.unlocked", None)
        db.session.remove()  # the request ends without a commit
        security_log.record("logout", None)
        db.session.commit()
    assert security_webhook.sender(app).wait_idle(10)
    assert [e["type"] for e in receiver.events()] == ["2fa.admin_reset", "logout"]


def test_a_receiver_that_is_down_does_not_delay_a_sign_in(tmp_path, pg_schema, clock, caplog):
    app = webhook_app(tmp_path, pg_schema, clock, f"http://127.0.0.1:{closed_port()}/hook",
                      SECURITY_WEBHOOK_TRIES=3, SECURITY_WEBHOOK_BACKOFF=0.05)
    took = timed_sign_in(app, clock)
    assert took < 1.0, took
    assert security_webhook.sender(app).wait_idle(10)
    assert "not delivered after 3 tries (URLError)" in caplog.text
    assert SECRET not in caplog.text


def test_a_slow_receiver_does_not_delay_a_sign_in(tmp_path, pg_schema, clock):
    slow = Receiver(delay=2.0)
    try:
        app = webhook_app(tmp_path, pg_schema, clock, slow.url, SECURITY_WEBHOOK_TIMEOUT=5)
        took = timed_sign_in(app, clock)
        assert took < 1.0, took  # the password and the code, well before the receiver's 2 s for one event
        slow.wait_for(lambda got: len(got) >= 1)  # and the events do arrive, one by one
    finally:
        slow.stop()


def test_a_receiver_that_fails_is_tried_again_with_backoff(tmp_path, pg_schema, clock):
    failing = Receiver(status=503)
    try:
        app = webhook_app(tmp_path, pg_schema, clock, failing.url, SECURITY_WEBHOOK_TRIES=3,
                          SECURITY_WEBHOOK_BACKOFF=0.05)
        with app.app_context():
            security_log.record("2fa.admin_reset", None, removed=1)
            db.session.commit()
        got = failing.wait_for(lambda got: len(got) == 3)
        assert security_webhook.sender(app).wait_idle(10)
        assert len({e["id"] for e in got}) == 1 and len(failing.received) == 3  # one event, three tries
    finally:
        failing.stop()


def test_a_full_queue_drops_events_instead_of_waiting(tmp_path, pg_schema, clock, caplog):
    slow = Receiver(delay=1.0)
    try:
        app = webhook_app(tmp_path, pg_schema, clock, slow.url, SECURITY_WEBHOOK_QUEUE=2)
        started = time.monotonic()
        with app.app_context():
            for _ in range(10):
                security_log.record("logout", None)
                db.session.commit()
        assert time.monotonic() - started < 0.5
        assert security_webhook.sender(app).dropped >= 5
        assert "queue full" in caplog.text
    finally:
        slow.stop()


def test_a_webhook_without_a_secret_or_with_a_bad_url_refuses_to_start():
    with pytest.raises(RuntimeError, match="without SECURITY_WEBHOOK_SECRET"):
        create_app(TestConfig, SECURITY_WEBHOOK_URL="https://siem.example.com/hook")
    with pytest.raises(RuntimeError, match="must be an http"):
        create_app(TestConfig, SECURITY_WEBHOOK_URL="ftp://siem.example.com/", SECURITY_WEBHOOK_SECRET=SECRET)
