"""How the portal's database connections are looked after: SQLite tuned for a web app, and pooled PostgreSQL
connections that the server has closed replaced before a request uses them."""
import select

from sqlalchemy import event, exc


def tune_sqlite(engine) -> None:
    """A SQLite file (the zero-setup default) in write-ahead-log mode with synchronous=NORMAL, as SQLite advises for
    a web application: readers never wait for a writer, and a commit appends to the log instead of syncing the
    whole database to disk (still atomic and durable across an application crash)."""
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def replace_closed_connections(engine) -> None:
    """Survive a PostgreSQL restart without a round trip per request.

    A server that shuts down, restarts or ends a session (pg_terminate_backend, idle_session_timeout) tells each
    client so and closes the socket, which makes the idle socket readable. When a request takes a connection from
    the pool, one local poll() of its socket (no message to the server, unlike pool_pre_ping's SELECT 1 on every
    checkout) finds those; SQLAlchemy then drops it and hands over a fresh connection (PoolEvents.checkout). A
    healthy idle connection has nothing to read, and a rare message while idle only costs a reconnect. A server
    that vanished without closing anything is found by the request's own statement instead: it gets the 503 page
    and SQLAlchemy empties the pool for the next one."""
    if engine.dialect.name != "postgresql":
        return

    @event.listens_for(engine, "checkout")
    def _replace_if_closed(dbapi_connection, _record, _proxy):
        if closed_by_server(dbapi_connection):
            raise exc.DisconnectionError("the database server closed this pooled connection")


def closed_by_server(dbapi_connection) -> bool:
    """Whether an idle psycopg connection has been closed (or written to, which an idle one never is) by the
    server, without sending anything."""
    if dbapi_connection.closed or dbapi_connection.broken:
        return True
    poller = select.poll()
    poller.register(dbapi_connection.fileno(), select.POLLIN | select.POLLPRI)
    return bool(poller.poll(0))
