"""Metrics under 4 gunicorn workers (prometheus_client's multiprocess mode, set up by gunicorn.conf.py): after a
known number of sign-ins spread over the workers, every scrape - whichever worker answers - adds them all up, and
a worker that dies and is replaced takes none of its counts with it. The checks answer under gunicorn too."""
import glob
import os
import signal
import tempfile
import time
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from .conftest import burst
from .servers import wait_until
from .stack import Stack
from .web import Browser

pytestmark = pytest.mark.system

TOKEN = "system-metrics-token-0123456789abcdef"
TOTP_PEOPLE, PASSWORD_PEOPLE = 12, 4


def scrape(url: str) -> dict:
    request = urllib.request.Request(url + "/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        text = response.read().decode()
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(samples, name, **labels) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


@pytest.fixture(scope="module")
def metered(system_database, smtp):
    multiproc = tempfile.mkdtemp(prefix="portal-prometheus-test-")
    stack = Stack(system_database, smtp.port, METRICS_PATH="/metrics", METRICS_TOKEN=TOKEN,
                  PROMETHEUS_MULTIPROC_DIR=multiproc)
    stack.server.extra_args = ["-c", "gunicorn.conf.py"]  # the deploy line's config: child_exit marks dead workers
    stack.start()
    yield stack, multiproc
    log = stack.server.log()
    stack.stop()
    for path in glob.glob(os.path.join(multiproc, "*.db")):
        os.unlink(path)
    os.rmdir(multiproc)
    assert "Traceback" not in log, log


def sign_in(portal, person) -> int:
    browser = Browser(portal.url)
    response = browser.sign_in(person.email, person.password)
    if response.location == "/agent/login/verify":
        response = browser.post("/agent/login/verify", {"code": person.code()})
    assert (response.status, response.location) == (302, "/agent/"), response.text[:300]
    return response.status


def test_counts_add_up_across_workers(metered):
    portal, multiproc = metered
    before = scrape(portal.url)
    people = [portal.person() for _ in range(TOTP_PEOPLE)] + \
        [portal.person(totp=False) for _ in range(PASSWORD_PEOPLE)]
    burst(len(people), lambda i: sign_in(portal, people[i]))

    # Each worker keeps its own files; several of them served these requests.
    assert len({path.rsplit("_", 1)[1] for path in glob.glob(os.path.join(multiproc, "counter_*.db"))}) >= 2

    def grew(samples, name, **labels):
        return value(samples, name, **labels) - value(before, name, **labels)

    for _ in range(8):  # whichever worker answers the scrape, the sum is the same
        samples = scrape(portal.url)
        assert grew(samples, "portal_sign_ins_total", how="totp") == TOTP_PEOPLE
        assert grew(samples, "portal_sign_ins_total", how="password") == PASSWORD_PEOPLE
        assert grew(samples, "flask_http_request_duration_seconds_count", method="POST", status="302",
                    endpoint="agent.login") == TOTP_PEOPLE + PASSWORD_PEOPLE
        assert grew(samples, "flask_http_request_duration_seconds_count", method="POST", status="302",
                    endpoint="agent.login_verify") == TOTP_PEOPLE

    # A worker dies and gunicorn replaces it: what it counted is still counted.
    victim = portal.server.worker_pids()[0]
    os.kill(victim, signal.SIGKILL)
    wait_until(lambda: victim not in portal.server.worker_pids() and len(portal.server.worker_pids()) == 4,
               "a replacement worker")
    time.sleep(0.5)  # the new worker finishes booting (gunicorn gives no signal for it)
    samples = scrape(portal.url)
    assert grew(samples, "portal_sign_ins_total", how="totp") == TOTP_PEOPLE
    assert grew(samples, "portal_sign_ins_total", how="password") == PASSWORD_PEOPLE


def test_the_checks_and_the_guard_under_gunicorn(metered):
    portal, _ = metered
    for path in ("/healthz", "/readyz"):
        with urllib.request.urlopen(portal.url + path, timeout=10) as response:
            assert response.status == 200 and response.headers.get("Set-Cookie") is None
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(portal.url + "/metrics", timeout=10)
    assert refused.value.code == 401
