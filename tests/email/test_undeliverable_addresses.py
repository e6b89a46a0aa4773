"""A mail that can't be sent is never a 500 and never undoes the person's own change: an account whose stored
address can't be mailed (non-ASCII before the @, from before the address rule refused it) still sets up its
authenticators, the notice is logged as unsent, and the email-code path says "We couldn't send the email". The
same for every kind of failure Flask-Mail and smtplib raise."""
import smtplib

import pytest
from flask_mail import BadHeaderError, Connection
from sqlalchemy import update

from portal.extensions import db
from portal.mail import MailUnavailable, send_email
from portal.models import Authenticator, EmailCode, User
from portal.twofactor.email_codes import WORDING
from tests.conftest import page_text
from tests.email.flows import SEND_FAILED, ask_for_code, live_codes, send_setup_code, setup_url

JORG = "jörg@example.com"


def agent_at(app, person, address) -> int:
    """An agent whose stored address is `address`, written directly (no rule of today lets it in)."""
    user_id = person.create(email="placeholder@example.com")
    with app.app_context():
        db.session.execute(update(User).where(User.id == user_id).values(email=address))
        db.session.commit()
    return user_id


def unsent_notices(caplog, user_id) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name.startswith("portal") and f"for user {user_id} could not be sent" in r.getMessage()]


def test_an_unmailable_address_still_sets_up_an_app(app, person, client, smtp_sink, caplog):
    user_id = agent_at(app, person, JORG)
    assert person.login(email=JORG).headers["Location"] == "/agent/"
    person.setup_totp(name="Phone")  # asserts the 302: no 500
    with app.app_context():
        assert [(a.name, a.method) for a in db.session.scalars(
            db.select(Authenticator).where(Authenticator.user_id == user_id))] == [("Phone", "totp")]
    assert smtp_sink.messages == []  # nothing was sent to a rewritten, wrong address
    assert unsent_notices(caplog, user_id) == [f"security notice 2fa.setup for user {user_id} could not be sent"]
    assert "non-ASCII" in caplog.text and JORG not in caplog.text
    assert client.get("/agent/preferences/security").status_code == 200  # still signed in


def test_an_unmailable_address_is_told_the_email_code_could_not_be_sent(app, person, client, smtp_sink):
    user_id = agent_at(app, person, JORG)
    person.login(email=JORG)
    client.get(f"{setup_url(app)}?new=1")
    r = send_setup_code(person, name="Work email")
    assert r.status_code == 503 and SEND_FAILED in page_text(r)
    assert 'value="Work email"' in r.get_data(as_text=True)
    assert live_codes(app, user_id) == 0 and smtp_sink.messages == []


def test_an_unmailable_address_is_told_at_the_sign_in_challenge(app, person, client, smtp_sink):
    user_id = agent_at(app, person, JORG)
    with app.app_context():  # an email authenticator from before, its target the same address
        now = person.clock.now()
        db.session.add(Authenticator(user_id=user_id, method="email", name="Work email", target=JORG,
                                     is_default=True, created_at=now, confirmed_at=now))
        db.session.commit()
    assert person.login(email=JORG).headers["Location"] == "/agent/login/verify"
    page = ask_for_code(person)
    assert page.status_code == 200 and SEND_FAILED in page_text(page)  # the challenge again, with the message
    assert live_codes(app, user_id) == 0 and smtp_sink.messages == []


FAILURES = [
    smtplib.SMTPRecipientsRefused({"sam@example.com": (550, b"no such user")}),
    smtplib.SMTPDataError(554, b"rejected"),
    smtplib.SMTPServerDisconnected("gone"),
    ConnectionResetError(104, "Connection reset by peer"),
    TimeoutError("timed out"),
    UnicodeEncodeError("ascii", "jörg", 1, 2, "ordinal not in range(128)"),
    ValueError("bad header value"),
    BadHeaderError(),
]


@pytest.fixture(params=FAILURES, ids=lambda e: type(e).__name__)
def failing_mail(request, monkeypatch):
    def fail(self, message, envelope_from=None):
        raise request.param
    monkeypatch.setattr(Connection, "send", fail)
    return request.param


def test_every_kind_of_send_failure_is_mail_unavailable(app, person, smtp_sink, failing_mail, caplog):
    user_id = person.create()
    with app.test_request_context():
        user = db.session.get(User, user_id)
        with pytest.raises(MailUnavailable):
            send_email(user.email, "Code", "email_code", user=user, code="123456", minutes=10,
                       wording=WORDING["login"])
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("portal"))
    assert "could not be sent" in logged and "123456" not in logged and "jörg" not in logged


def test_a_failing_notice_keeps_the_change_and_a_failing_code_says_so(app, person, client, smtp_sink,
                                                                      failing_mail):
    user_id = person.create()
    person.login()
    person.setup_totp(name="Phone")
    with app.app_context():
        assert db.session.scalars(db.select(Authenticator.name).where(Authenticator.user_id == user_id)).all() == \
            ["Phone"]
    client.get(f"{setup_url(app)}?new=1")
    r = send_setup_code(person, name="Work email")
    assert r.status_code == 503 and SEND_FAILED in page_text(r)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(EmailCode)) == 0
