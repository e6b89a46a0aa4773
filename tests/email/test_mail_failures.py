"""When the mail server refuses the connection or accepts it and never answers, the person is told plainly,
no code is left valid, nothing else changes, and the failure is logged without a code."""
import re
import socket

import pytest

from portal.extensions import db
from portal.models import Authenticator, EmailCode, PendingLogin, SecurityEvent, User
from portal.twofactor.base import Outcome
from tests.conftest import free_port, page_text
from tests.email.flows import (EMAIL, SEND_FAILED, agent_with_email, ask_for_code, challenge_message, enter_code,
                               live_codes, send_setup_code, setup_url, submit_setup_code)


@pytest.fixture(params=["refused", "hanging"])
def broken_smtp(request, app):
    """Returns a function that points the app at a mail server that is down, or one that never answers."""
    listener = None
    if request.param == "hanging":
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)  # the kernel accepts connections; nobody ever says hello
        port = listener.getsockname()[1]
    else:
        port = free_port()  # nothing listens there: the connection is refused

    def break_mail():
        app.config.update(MAIL_PORT=port, MAIL_TIMEOUT=1)

    yield break_mail
    if listener is not None:
        listener.close()


def failure_events(app, user_id):
    with app.app_context():
        return db.session.scalars(db.select(SecurityEvent.detail).where(
            SecurityEvent.user_id == user_id, SecurityEvent.type == "2fa.email_failed")).all()


def test_sign_in_code_that_cannot_be_sent(app, person, client, smtp_sink, broken_smtp, caplog):
    user_id = agent_with_email(person, smtp_sink)
    good_port = app.config["MAIL_PORT"]
    person.login()
    ask_for_code(person)
    earlier = smtp_sink.latest_code(EMAIL)
    received = len(smtp_sink.messages)
    person.clock.advance(61)

    broken_smtp()
    page = ask_for_code(person)
    assert page.status_code == 200 and SEND_FAILED in page_text(page)
    assert len(smtp_sink.messages) == received
    assert live_codes(app, user_id) == 0
    response = enter_code(person, earlier)  # the earlier code went with the request for a new one
    assert response.status_code == 400 and challenge_message(Outcome.NO_CODE) in page_text(response)
    assert failure_events(app, user_id) == ['{"purpose": "login"}']
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("portal"))
    assert "could not be sent" in logged and not re.search(r"\d{6}", logged)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(PendingLogin)) == 1  # still signing in

    app.config["MAIL_PORT"] = good_port  # "try again": no minute to wait after a failed send
    assert "We sent a code to agent@example.com" in page_text(ask_for_code(person))
    assert enter_code(person, smtp_sink.latest_code(EMAIL)).headers["Location"] == "/agent/"


def test_setup_code_that_cannot_be_sent(app, person, client, smtp_sink, broken_smtp):
    user_id = person.create()
    person.login()
    client.get(f"{setup_url(app)}?new=1")
    broken_smtp()
    response = send_setup_code(person, name="Work email")
    assert response.status_code == 503 and SEND_FAILED in page_text(response)
    assert 'value="Work email"' in response.get_data(as_text=True)
    response = submit_setup_code(person, "123456")
    assert response.status_code == 400 and "Send a verification code first." in page_text(response)
    assert failure_events(app, user_id) == ['{"purpose": "setup"}']
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(EmailCode)) == 0
        assert db.session.scalar(db.select(db.func.count()).select_from(Authenticator)) == 0
        assert db.session.get(User, user_id).failure_count == 0
    assert smtp_sink.messages == []
