"""The mail server hangs or is down while people ask for an email code: each is told plainly within the mail
timeout, no code is left valid, and everyone else's requests are served meanwhile."""
import pytest

from portal.twofactor.email import SEND_FAILED

from .conftest import burst
from .servers import HangingSmtp, wait_until
from .stack import Stack
from .test_races import HIDDEN_ID
from .web import Browser

pytestmark = pytest.mark.system

MAIL_TIMEOUT = 4
HANGING = 2  # of the 4 workers, two are held by a silent mail server; the others keep serving
OTHERS = 12


@pytest.fixture
def silent_mail(system_database):
    hanging = HangingSmtp()
    stack = Stack(system_database, hanging.port, MAIL_TIMEOUT=MAIL_TIMEOUT).start()
    yield stack, hanging
    log = stack.server.log()
    stack.stop()
    hanging.stop()
    assert "Traceback" not in log, log
    assert "WORKER TIMEOUT" not in log


def at_email_challenge(stack, person):
    # The client waits far longer than MAIL_TIMEOUT but less than gunicorn's worker timeout: a portal that
    # ignored MAIL_TIMEOUT would make this request fail instead of answering.
    tab = Browser(stack.url, timeout=MAIL_TIMEOUT * 6)
    assert tab.sign_in(person.email, person.password).location == "/agent/login/verify"
    page = tab.get("/agent/login/verify")
    return tab, page.token(), HIDDEN_ID.search(page.body).group(1)


def ask_for_code(tab, token, authenticator_id):
    sent = tab.post("/agent/login/send-code", {"authenticator_id": authenticator_id}, token=token)
    assert (sent.status, sent.location) == (302, "/agent/login/verify")
    return tab.get(sent.headers["location"])


def test_hanging_then_down_mail_server_during_email_challenge(silent_mail):
    stack, hanging = silent_mail
    waiting = [stack.person(totp=False, email_code=True) for _ in range(HANGING)]
    tabs = [at_email_challenge(stack, person) for person in waiting]
    bystanders = [stack.person() for _ in range(OTHERS)]

    results = {}

    def bystander(i):
        person = bystanders[i]
        tab = Browser(stack.url)
        signed = tab.sign_in(person.email, person.password)
        done = tab.post("/agent/login/verify", {"code": person.code()})
        return signed.location, done.location, tab.get("/agent/").status

    def run(i):
        if i < HANGING:
            results[i] = ask_for_code(*tabs[i])
            return None
        # Bystanders start once both mail connections are held open by the silent server.
        wait_until(lambda: len(hanging.accepted) >= HANGING, "the mail server to hold both connections")
        return bystander(i - HANGING)

    outcomes = burst(HANGING + OTHERS, run)[HANGING:]
    # Everyone else signed in meanwhile, on the workers the mail server wasn't holding.
    assert outcomes == [("/agent/login/verify", "/agent/", 200)] * OTHERS
    # Each person waiting for a code was told plainly, and no code is left that could be used.
    for i, person in enumerate(waiting):
        assert results[i].status == 200 and str(SEND_FAILED) in results[i].text
        assert stack.events(person.id)["2fa.email_failed"] == 1
        assert stack.scalar("SELECT count(*) FROM email_codes WHERE user_id = :u", u=person.id) == 0
    assert len(hanging.accepted) == HANGING

    # The mail server goes down altogether: connection refused, the same plain message.
    hanging.stop()
    page = ask_for_code(*tabs[0])
    assert page.status == 200 and str(SEND_FAILED) in page.text
    assert stack.events(waiting[0].id)["2fa.email_failed"] == 2
    # The sign-in itself is intact: another method or a later try still works.
    assert stack.scalar("SELECT count(*) FROM pending_logins WHERE user_id = :u", u=waiting[0].id) == 1
