"""Per-IP rate limits on the sign-in and code endpoints (portal.rate_limits): in memory by default, in Redis when a
URL is configured so every worker shares the count. The tests switch the limits on (TestConfig has them off)."""
import secrets

import pytest
import redis

from portal.clock import set_clock
from tests.conftest import Person, csrf_token, make_app, page_text
from tests.security.helpers import EMAIL, enrolled_agent

LIMITED = "Too many attempts. Wait a minute and try again."
REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture(params=["memory", "redis"])
def limited_app(request, tmp_path, pg_schema, clock):
    prefix = f"portal-test-{secrets.token_hex(4)}"
    storage = "memory://" if request.param == "memory" else REDIS_URL
    app = make_app(tmp_path, pg_schema, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=storage,
                   RATELIMIT_KEY_PREFIX=prefix, PORTAL_AUTH_RATE_LIMIT="3 per minute")
    set_clock(app, clock)
    yield app, request.param, prefix
    if request.param == "redis":
        store = redis.Redis.from_url(REDIS_URL)
        for key in store.scan_iter(f"*{prefix}/*"):
            store.delete(key)
    from portal.extensions import db
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def wrong_password(client, ip="203.0.113.7", url="/agent/login"):
    page = client.get(url, environ_base={"REMOTE_ADDR": ip})
    return client.post(url, environ_base={"REMOTE_ADDR": ip},
                       data={"csrf_token": csrf_token(page), "email": EMAIL, "password": "guess"})


def test_sign_in_is_limited_per_ip(limited_app, clock):
    app, storage, prefix = limited_app
    client = app.test_client()
    Person(app, client, clock).create()
    assert [wrong_password(client).status_code for _ in range(3)] == [401, 401, 401]
    r = wrong_password(client)
    assert r.status_code == 429 and LIMITED in page_text(r)
    assert 1 <= int(r.headers["Retry-After"]) <= 61  # when this minute's window lets the next one through
    # No X-RateLimit-* headers on ordinary responses: each would cost a storage round trip on every request.
    assert not [h for h in wrong_password(client, ip="192.0.2.44").headers.keys() if h.lower().startswith("x-ratelimit")]
    assert wrong_password(client, ip="198.51.100.9").status_code == 401  # another address is not held back
    assert client.get("/agent/login", environ_base={"REMOTE_ADDR": "203.0.113.7"}).status_code == 200  # GET free
    if storage == "redis":
        keys = [k.decode() for k in redis.Redis.from_url(REDIS_URL).scan_iter(f"*{prefix}/*")]
        assert any("/203.0.113.7/agent.login/" in k for k in keys), keys


def test_code_endpoints_are_limited_too(limited_app, clock):
    app, _, _ = limited_app
    person = Person(app, app.test_client(), clock)
    app.config["PORTAL_AUTH_RATE_LIMIT"] = "100 per minute"
    secret, codes = enrolled_agent(person)
    person.login()
    app.config["PORTAL_AUTH_RATE_LIMIT"] = "2 per minute"
    statuses = [person.post("/agent/login/recovery", {"code": "ZZZZZ-ZZZZZ"}).status_code for _ in range(3)]
    assert statuses == [401, 401, 429]
    statuses = [person.post("/agent/login/verify", {"code": "000000"}).status_code for _ in range(3)]
    assert statuses[-1] == 429
    assert secret and codes


def test_unreachable_counters_refuse_the_attempt_rather_than_let_it_through(tmp_path, pg_schema, clock, caplog):
    """With the shared counters down, an attempt can't be counted: it is refused with a plain 503 page before any
    password or code is checked, and the page and log say nothing more than that."""
    from portal.extensions import db
    from portal.models import SecurityEvent
    app = make_app(tmp_path, pg_schema, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0",
                   PORTAL_AUTH_RATE_LIMIT="3 per minute")
    set_clock(app, clock)
    client = app.test_client()
    Person(app, client, clock).create()
    r = wrong_password(client)
    assert r.status_code == 503 and "The service is briefly unavailable. Try again in a moment." in page_text(r)
    assert "rate-limit storage unreachable" in caplog.text and "guess" not in caplog.text
    assert client.get("/agent/login").status_code == 200  # pages that count nothing still open
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(SecurityEvent)) == 0
        db.session.remove()
        db.engine.dispose()
