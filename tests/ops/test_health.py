"""GET /healthz and GET /readyz as a load balancer calls them: cheap, no session, no cookie, no rate limit, nothing
in the security log; readiness says 503 and names what failed when the database or Redis cannot be reached."""
import socket
import threading
import time

import pytest
from sqlalchemy import event

from portal.extensions import db
from portal.models import SecurityEvent
from tests.ops.conftest import closed_port
from tests.security.helpers import enrolled_agent, signed_in_agent
from tests.system.servers import REDIS_URL


def statements(app):
    """Count the SQL statements the app sends while the block runs."""
    seen = []
    with app.app_context():
        engine = db.engine
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    return seen, lambda: event.remove(engine, "before_cursor_execute", listener)


def test_liveness_answers_without_the_database_a_session_or_a_cookie(app, client):
    seen, stop = statements(app)
    try:
        r = client.get("/healthz")
    finally:
        stop()
    assert r.status_code == 200 and r.get_json() == {"status": "ok"}
    assert r.mimetype == "application/json"
    assert "Set-Cookie" not in r.headers
    assert "Vary" not in r.headers  # the same answer for everyone: a cache needn't key it by cookie
    assert len(r.headers["X-Request-ID"]) == 32
    assert seen == []  # no database round trip at all
    assert client.post("/healthz").status_code == 405  # GET only: no form, so no CSRF token is ever needed


def test_readiness_is_one_round_trip_and_sets_no_cookie(app, client):
    seen, stop = statements(app)
    try:
        r = client.get("/readyz")
    finally:
        stop()
    assert r.status_code == 200
    assert r.get_json() == {"status": "ok", "checks": {"database": "ok"}}  # memory:// rate limits: no Redis check
    assert "Set-Cookie" not in r.headers
    assert len(seen) == 1 and "SELECT 1" in seen[0]


def test_checks_of_a_signed_in_browser_touch_no_session_and_log_nothing(app, person, client):
    secret, _ = enrolled_agent(person)
    signed_in_agent(person, secret)
    with app.app_context():
        before = db.session.scalar(db.select(db.func.count()).select_from(SecurityEvent))
    seen, stop = statements(app)
    try:
        for _ in range(5):
            assert client.get("/healthz").status_code == 200
            ready = client.get("/readyz")
            assert "Set-Cookie" not in ready.headers and "Vary" not in ready.headers
    finally:
        stop()
    assert all("user_sessions" not in s for s in seen)  # the session row is never read
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(SecurityEvent)) == before
    assert client.get("/agent/").status_code == 200  # still signed in: nothing about the session changed


@pytest.mark.app_config(RATELIMIT_ENABLED=True, PORTAL_AUTH_RATE_LIMIT="2 per minute")
def test_checks_are_never_rate_limited(client):
    for _ in range(40):
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 200


def test_readiness_503_when_the_sqlite_file_cannot_be_opened():
    from portal import create_app
    from portal.config import TestConfig
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI="sqlite:////nonexistent-dir/portal-ops/portal.db")
    client = app.test_client()
    assert client.get("/healthz").status_code == 200  # alive all the same: restarting it would not help
    r = client.get("/readyz")
    assert r.status_code == 503
    body = r.get_json()
    assert body["status"] == "unavailable" and body["failed"] == ["database"]
    assert body["checks"]["database"] == "failed: OperationalError"
    assert "nonexistent-dir" not in r.get_data(as_text=True)  # never the URL or the driver's message


def test_readiness_503_when_postgresql_is_unreachable():
    from portal import create_app
    from portal.config import TestConfig
    url = f"postgresql+psycopg://portal:hunter2-not-shown@127.0.0.1:{closed_port()}/portal"
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
    started = time.monotonic()
    r = app.test_client().get("/readyz")
    assert time.monotonic() - started < 3
    assert r.status_code == 503 and r.get_json()["failed"] == ["database"]
    assert r.get_json()["checks"]["database"] == "failed: OperationalError"
    assert "hunter2" not in r.get_data(as_text=True)


@pytest.mark.app_config(RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{closed_port()}/0")
def test_readiness_503_when_redis_is_down(client):
    r = client.get("/readyz")
    assert r.status_code == 503
    body = r.get_json()
    assert body["failed"] == ["redis"] and body["checks"]["database"] == "ok"
    assert body["checks"]["redis"] == "failed: ConnectionError"


class SilentServer:
    """Accepts connections and never answers (a hung Redis)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.held = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                self.held.append(self.sock.accept()[0])
            except OSError:
                return

    def close(self):
        self.sock.close()
        for conn in self.held:
            conn.close()


def test_readiness_gives_a_hung_redis_only_the_timeout(tmp_path, pg_schema, clock):
    from tests.conftest import make_app
    silent = SilentServer()
    try:
        app = make_app(tmp_path, pg_schema, RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{silent.port}/0",
                       READINESS_TIMEOUT=0.5)
        started = time.monotonic()
        r = app.test_client().get("/readyz")
        took = time.monotonic() - started
        assert r.status_code == 503 and r.get_json()["failed"] == ["redis"]
        assert r.get_json()["checks"]["redis"] in ("timeout", "failed: TimeoutError")
        assert took < 1.5, took
    finally:
        silent.close()


@pytest.mark.app_config(RATELIMIT_STORAGE_URI=REDIS_URL)  # this machine's Redis, as the system tests use it
def test_readiness_with_redis_up(client):
    r = client.get("/readyz")
    assert r.status_code == 200 and r.get_json()["checks"] == {"database": "ok", "redis": "ok"}
