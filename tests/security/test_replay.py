"""Replaying a code: a TOTP code (or an older one) that already signed someone in is refused, the owner is told,
and two sessions racing with the same code cannot both get in — the database decides, on every engine."""
import threading

from portal.extensions import db
from portal.models import SecurityEvent
from tests.conftest import csrf_token, page_text
from tests.security.helpers import EMAIL, PASSWORD, enrolled_agent, in_console, sign_out

REPLAY = "That code has already been used. Wait for the next code in your app."


def test_a_code_that_signed_in_once_is_refused_and_the_owner_is_told(person, client, app, smtp_sink):
    secret, _ = enrolled_agent(person)
    person.login()
    code = person.code(secret)
    assert person.post("/agent/login/verify", {"code": code}).headers["Location"] == "/agent/"
    sign_out(person)
    person.login()  # an onlooker who saw the code, within the same 30 s
    r = person.post("/agent/login/verify", {"code": code})
    assert r.status_code == 401 and REPLAY in page_text(r)
    assert not in_console(client)
    mail = smtp_sink.latest(EMAIL)
    assert mail["Subject"].endswith("A code of yours was used twice") and code not in smtp_sink.text(mail)
    older = person.code(secret, -1)  # inside the drift window, but older than the step already used
    r = person.post("/agent/login/verify", {"code": older})
    assert r.status_code == 401 and REPLAY in page_text(r)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(SecurityEvent)
                                 .where(SecurityEvent.type == "2fa.replay_refused")) == 2


def test_parallel_replay_lets_exactly_one_session_in(app, person, client):
    secret, _ = enrolled_agent(person)
    clients = [app.test_client() for _ in range(4)]
    tokens = []
    for c in clients:  # four sign-ins waiting for the same code
        page = c.get("/agent/login")
        c.post("/agent/login", data={"csrf_token": csrf_token(page), "email": EMAIL, "password": PASSWORD})
        tokens.append(csrf_token(c.get("/agent/login/verify")))
    code = person.code(secret)
    barrier = threading.Barrier(len(clients))
    results = []

    def submit(c, token):
        barrier.wait()
        r = c.post("/agent/login/verify", data={"csrf_token": token, "code": code})
        results.append((r.status_code, r.headers.get("Location")))

    threads = [threading.Thread(target=submit, args=pair) for pair in zip(clients, tokens)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [(302, "/agent/")] + [(401, None)] * 3, results
    assert sum(in_console(c) for c in clients) == 1
