"""The database going away: in the instant between a request's last statement and its end (the answer already
made is sent, the failed ROLLBACK that ends the session is logged, and the next request is served), and between
two requests (a pooled PostgreSQL connection the server closed is replaced before use)."""
import time

import psycopg
import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from portal.connections import replace_closed_connections

from tests.conftest import page_text
from tests.security.helpers import enrolled_agent, signed_in_agent
from tests.system.servers import SHARED_PG


def test_a_database_gone_while_a_request_ends_is_logged_not_a_500(person, client, monkeypatch, caplog):
    secret, _ = enrolled_agent(person)
    signed_in_agent(person, secret)
    real_close = Session.close

    def dead_close(self):  # what psycopg raises when PostgreSQL was shut down under an open transaction
        monkeypatch.setattr(Session, "close", real_close)
        raise OperationalError("ROLLBACK", {}, Exception("terminating connection due to administrator command"))

    monkeypatch.setattr(Session, "close", dead_close)
    r = client.get("/agent/")
    assert r.status_code == 200 and "Welcome, Sam Agent" in page_text(r)
    assert "database unavailable while ending a request: OperationalError" in caplog.text
    assert "administrator command" not in caplog.text  # the driver's words stay out of the log line
    assert client.get("/agent/").status_code == 200


def _ended_by_the_server(engine):
    """A pooled connection whose PostgreSQL session the server ended (as a restart does), once its backend is
    gone; returns that backend's pid."""
    with engine.connect() as conn:
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
    with psycopg.connect(SHARED_PG.replace("+psycopg", ""), autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0]
        deadline = time.monotonic() + 10
        while admin.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone()[0]:
            assert time.monotonic() < deadline, "the terminated backend did not go away"
            time.sleep(0.02)
    return pid


def test_a_pooled_connection_the_server_closed_is_replaced_without_a_round_trip():
    engine = create_engine(SHARED_PG, pool_size=1, max_overflow=0)
    replace_closed_connections(engine)
    sent = []
    event.listen(engine, "before_cursor_execute", lambda *args: sent.append(args[2]))
    try:
        old_pid = _ended_by_the_server(engine)
        sent.clear()
        with engine.connect() as conn:  # the next request's checkout finds it closed and takes a fresh one
            assert conn.execute(text("SELECT pg_backend_pid()")).scalar() != old_pid
        with engine.connect() as conn:  # a healthy pooled connection is kept: nothing is sent to test it
            conn.execute(text("SELECT 1 AS mine"))
        assert [s for s in sent if "pg_backend_pid" not in s and "mine" not in s] == []
    finally:
        engine.dispose()


def test_without_that_check_the_closed_connection_fails_the_request():
    """The control: the same closed connection, not looked at on checkout, breaks the statement that uses it."""
    engine = create_engine(SHARED_PG, pool_size=1, max_overflow=0)
    try:
        _ended_by_the_server(engine)
        with pytest.raises(OperationalError), engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    finally:
        engine.dispose()
