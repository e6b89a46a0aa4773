"""PostgreSQL restarted while requests run (a throwaway cluster of this test's own, never the shared server):
requests during the gap get a clean 503 page, the portal recovers by itself (pooled connections the server closed
are replaced), and no confirmed authenticator or failure counter is lost or doubled."""
import re
import threading

import pyotp
import pytest

from portal.errors import MESSAGES

from .servers import PgCluster, PgDatabase, flask_cli
from .stack import Stack
from .web import Browser

pytestmark = pytest.mark.system

UNAVAILABLE = str(MESSAGES[503])  # a lazy message: str() outside a request is the English
PEOPLE = 4


@pytest.fixture
def own_cluster(smtp):
    cluster = PgCluster()
    database = PgDatabase(server_url=cluster.url, prefix="portal_restart")
    stack = Stack(database, smtp.port)
    flask_cli(stack.env, "db", "upgrade")
    stack.start()
    yield cluster, stack
    log = stack.server.log()
    stack.stop()
    database.drop()
    cluster.remove()
    assert "Traceback" not in log, log


def unavailable(page) -> bool:
    return page.status == 503 and UNAVAILABLE in page.text and "Traceback" not in page.body


class Traffic:
    """Threads reading challenge pages non-stop; each keeps going after the restart until it is served again."""

    def __init__(self, tabs):
        self.tabs, self.seen, self.restarted, self.stop = tabs, [], threading.Event(), threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(tab,)) for tab in tabs]
        for t in self.threads:
            t.start()

    def _run(self, tab):
        served_after_restart = False
        while not (self.stop.is_set() and served_after_restart):
            restarted = self.restarted.is_set()
            try:
                page = tab.get("/agent/login/verify")
            except OSError as exc:  # a dropped connection is a failure too, recorded as such
                self.seen.append((type(exc).__name__, False))
                continue
            self.seen.append((page.status, unavailable(page)))
            served_after_restart = served_after_restart or (restarted and page.status == 200)

    def finish(self):
        self.stop.set()
        for t in self.threads:
            t.join()


def counters(stack):
    return stack.rows("SELECT u.id, u.failure_count, a.id, a.secret_enc, a.last_used_step FROM users u "
                      "JOIN authenticators a ON a.user_id = u.id WHERE a.confirmed_at IS NOT NULL ORDER BY a.id")


def test_postgresql_restart_while_requests_run(own_cluster):
    cluster, stack = own_cluster
    people = [stack.person() for _ in range(PEOPLE)]
    tabs, tokens = [], []
    for person in people:
        tab = Browser(stack.url)
        assert tab.sign_in(person.email, person.password).location == "/agent/login/verify"
        tokens.append(tab.get("/agent/login/verify").token())
        tabs.append(tab)
        for _ in range(2):  # two wrong codes each before the restart
            assert tab.post("/agent/login/verify", {"code": "000000"}, token=tokens[-1]).status == 401
    # Someone in the middle of adding an authenticator app.
    newcomer = stack.person(totp=False)
    setup_tab = Browser(stack.url)
    assert setup_tab.sign_in(newcomer.email, newcomer.password).location == "/agent/"
    instance = stack.scalar("SELECT id FROM plugin_instances WHERE plugin_key = 'totp'")
    setup_path = f"/agent/preferences/security/setup/{instance}"
    page = setup_tab.get(setup_path + "?new=1")
    secret = re.search(r'<code id="setup-key"[^>]*>([A-Z2-7 ]+)</code>', page.body).group(1).replace(" ", "")
    setup_form, setup_token = {"name": "Phone"}, page.token()
    before = counters(stack)
    assert [row[1] for row in before] == [2] * PEOPLE

    traffic = Traffic([tab.clone() for tab in tabs])
    try:
        cluster.stop("fast")
        # The gap: every request that needs the database gets the plain 503 page, and nothing is half-done.
        for tab, token in zip(tabs, tokens):
            assert unavailable(tab.post("/agent/login/verify", {"code": "000000"}, token=token))
            assert unavailable(tab.get("/agent/login/verify"))
        assert unavailable(setup_tab.post(setup_path, {**setup_form, "code": pyotp.TOTP(secret).now()},
                                          token=setup_token))
        cluster.start()
        traffic.restarted.set()
        # Recovered by itself: the very next request of each person is served.
        for tab, token in zip(tabs, tokens):
            wrong = tab.post("/agent/login/verify", {"code": "000000"}, token=token)
            assert wrong.status == 401 and "That code isn't right" in wrong.text
    finally:
        traffic.finish()
    statuses = {status for status, _ in traffic.seen}
    assert statuses <= {200, 503}, statuses
    assert all(clean for status, clean in traffic.seen if status == 503)
    assert any(status == 503 for status, _ in traffic.seen) and traffic.seen[-1][0] == 200

    # Nothing lost, nothing doubled: the attempts refused during the gap were never counted.
    after = counters(stack)
    assert [(r[0], r[2], r[3], r[4]) for r in after] == [(r[0], r[2], r[3], r[4]) for r in before]
    assert [row[1] for row in after] == [3] * PEOPLE
    # The setup refused during the gap goes through when sent again, and exists once.
    done = setup_tab.post(setup_path, {**setup_form, "code": pyotp.TOTP(secret).now()}, token=setup_token)
    assert done.status == 302, done.text[:300]
    assert stack.scalar("SELECT count(*) FROM authenticators WHERE user_id = :u AND confirmed_at IS NOT NULL",
                        u=newcomer.id) == 1
    # And everyone can finish signing in; a success clears the count.
    for person, tab, token in zip(people, tabs, tokens):
        signed = tab.post("/agent/login/verify", {"code": person.code()}, token=token)
        assert signed.location == "/agent/" and tab.get("/agent/").status == 200
        assert stack.events(person.id)["login.success"] == 1
    assert stack.scalar("SELECT sum(failure_count) FROM users") == 0
