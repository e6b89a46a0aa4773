"""System suite: the portal under gunicorn (4 workers) on PostgreSQL and Redis, driven over HTTP by threads.

Run it with `python -m pytest -m system`. It uses this machine's PostgreSQL (a fresh database per run, dropped
afterwards; a throwaway cluster when that server is not reachable) and Redis db 9 (only this run's keys are
deleted). The database-restart test always brings up a throwaway cluster of its own.
"""
import threading

import pytest

from .servers import PgDatabase, SmtpSink, flask_cli, new_keys
from .stack import Stack


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/system/" in str(item.fspath):
            item.add_marker(pytest.mark.system)


@pytest.fixture(scope="session")
def system_database():
    database = PgDatabase()
    flask_cli({**new_keys(), "DATABASE_URL": database.url}, "db", "upgrade")  # the deploy step
    yield database
    database.drop()


@pytest.fixture(scope="session")
def smtp():
    sink = SmtpSink()
    yield sink
    sink.stop()


@pytest.fixture(scope="session")
def portal(system_database, smtp):
    """The portal as deployed, with a rate limit high enough that the races below are not cut short by it."""
    stack = Stack(system_database, smtp.port).start()
    yield stack
    log = stack.server.log()
    stack.stop()
    assert "Traceback" not in log, log


def burst(count: int, action) -> list:
    """Run `action(i)` for i in range(count) on `count` threads released at the same moment."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(i):
        barrier.wait()
        results[i] = action(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
