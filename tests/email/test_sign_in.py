"""An agent signs in with a code emailed through a real SMTP server (aiosmtpd), and every misuse is refused."""
import logging

from sqlalchemy import String, Text

from portal.extensions import db
from portal.models import EmailCode, SecurityEvent, User
from portal.twofactor.base import Outcome
from tests.email.flows import (EMAIL, agent_with_email, ask_for_code, challenge_message, enter_code, live_codes,
                               shown)


def other_than(code: str) -> str:
    return f"{(int(code) + 1) % 10 ** 6:06d}"


def events(app, user_id, kind):
    with app.app_context():
        return db.session.scalars(db.select(SecurityEvent.detail).where(
            SecurityEvent.user_id == user_id, SecurityEvent.type == kind)).all()


def test_code_from_real_smtp_signs_in(app, person, client, smtp_sink):
    user_id = agent_with_email(person, smtp_sink)
    page = person.login()
    assert page.status_code == 302 and page.headers["Location"] == "/agent/login/verify"
    challenge = client.get("/agent/login/verify")
    assert "Email me a code" in shown(challenge) and "agent@example.com" in shown(challenge)

    page = ask_for_code(person)
    assert "We sent a code to agent@example.com. It is valid for 10 minutes." in shown(page)
    mail = smtp_sink.latest(EMAIL)
    assert mail["Subject"] == "[Helpdesk] Your sign-in code"
    assert mail["From"] == "Helpdesk <helpdesk@localhost>" and mail["To"] == EMAIL
    code = smtp_sink.latest_code(EMAIL)
    assert f"\n    {code}\r\n" in smtp_sink.text(mail)  # on a line of its own, easy to copy
    assert code in smtp_sink.html(mail) and "valid for 10 minutes" in smtp_sink.html(mail)

    response = enter_code(person, code)
    assert response.status_code == 302 and response.headers["Location"] == "/agent/"
    assert "Welcome, Sam Agent" in shown(client.get("/agent/"))
    with app.app_context():
        row = db.session.scalars(db.select(EmailCode).where(EmailCode.user_id == user_id)
                                 .order_by(EmailCode.id.desc())).first()
        assert row.purpose.startswith("login:") and row.used_at == person.clock.now() and row.attempts == 1
    assert live_codes(app, user_id) == 0
    assert events(app, user_id, "2fa.email_sent")[-1] == '{"purpose": "login"}'
    assert events(app, user_id, "login.success")[-1] == '{"how": "email"}'


def test_the_database_and_the_log_hold_no_code_in_clear(app, person, smtp_sink, caplog):
    caplog.set_level(logging.DEBUG)
    agent_with_email(person, smtp_sink)
    person.login()
    ask_for_code(person)
    code = smtp_sink.latest_code(EMAIL)
    with app.app_context():
        for table in db.metadata.sorted_tables:
            text_columns = [c for c in table.columns if isinstance(c.type, (String, Text))]
            for row in db.session.execute(db.select(*text_columns)) if text_columns else []:
                assert not any(code in (value or "") for value in row), f"{table.name} holds the code"
        stored = db.session.scalars(db.select(EmailCode.code_hash)).all()
        assert stored and all(len(h) == 64 and h != code for h in stored)
    assert code not in portal_log(caplog)
    enter_code(person, code)
    assert '"type": "login.success"' in portal_log(caplog) and code not in portal_log(caplog)


def portal_log(caplog) -> str:
    """Every line the portal logged (the test SMTP server's own transcript is left out)."""
    return "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail.log"))


def test_code_works_until_ten_minutes_then_expires(app, person, client, smtp_sink):
    app.config["PENDING_LOGIN_SECONDS"] = 900  # a sign-in that waits longer than a code lives
    agent_with_email(person, smtp_sink)
    person.login()
    ask_for_code(person)
    code = smtp_sink.latest_code(EMAIL)
    person.clock.advance(10 * 60 - 1)
    response = enter_code(person, code)
    assert response.status_code == 302 and response.headers["Location"] == "/agent/"


def test_code_refused_one_second_after_ten_minutes(app, person, smtp_sink):
    app.config["PENDING_LOGIN_SECONDS"] = 900
    user_id = agent_with_email(person, smtp_sink)
    person.login()
    ask_for_code(person)
    code = smtp_sink.latest_code(EMAIL)
    person.clock.advance(10 * 60 + 1)
    response = enter_code(person, code)
    assert response.status_code == 401
    assert challenge_message(Outcome.EXPIRED) in shown(response)
    # A new code gets the person in.
    ask_for_code(person)
    assert enter_code(person, smtp_sink.latest_code(EMAIL)).headers["Location"] == "/agent/"
    with app.app_context():
        assert db.session.get(User, user_id).failure_count == 0  # success refunds the budget


def test_used_code_is_refused_at_the_next_sign_in(app, person, client, smtp_sink):
    user_id = agent_with_email(person, smtp_sink)
    person.login()
    ask_for_code(person)
    code = smtp_sink.latest_code(EMAIL)
    assert enter_code(person, code).headers["Location"] == "/agent/"
    person.post_from("/agent/", "/agent/logout", {})

    person.login()
    response = enter_code(person, code)
    assert response.status_code == 400 and challenge_message(Outcome.NO_CODE) in shown(response)
    person.clock.advance(61)
    ask_for_code(person)
    response = enter_code(person, code)
    assert response.status_code == 401 and challenge_message(Outcome.WRONG) in shown(response)
    assert client.get("/agent/").status_code == 302
    assert len(events(app, user_id, "2fa.challenge_failed")) == 2


def test_sixth_try_refused_even_with_the_right_code(app, person, smtp_sink):
    app.config["PENDING_LOGIN_MAX_FAILURES"] = 10  # the code's own limit, not the sign-in's, is tested here
    user_id = agent_with_email(person, smtp_sink)
    person.login()
    ask_for_code(person)
    code = smtp_sink.latest_code(EMAIL)
    wrong = other_than(code)
    for _ in range(5):
        response = enter_code(person, wrong)
        assert response.status_code == 401 and challenge_message(Outcome.WRONG) in shown(response)
    response = enter_code(person, code)
    assert response.status_code == 401 and challenge_message(Outcome.USED_UP) in shown(response)
    with app.app_context():
        user = db.session.get(User, user_id)
        # Every refused email code was charged to the same per-account budget as TOTP codes.
        assert user.failure_count == 6 and user.next_attempt_at is not None
        assert db.session.scalar(db.select(EmailCode.attempts).where(EmailCode.user_id == user_id)
                                 .order_by(EmailCode.id.desc()).limit(1)) == 5


def test_five_wrong_codes_end_the_sign_in(app, person, client, smtp_sink):
    agent_with_email(person, smtp_sink)
    person.login()
    ask_for_code(person)
    wrong = other_than(smtp_sink.latest_code(EMAIL))
    for _ in range(4):
        assert enter_code(person, wrong).status_code == 401
    response = enter_code(person, wrong)
    assert response.status_code == 302 and response.headers["Location"] == "/agent/login"
    assert client.get("/agent/login/verify").headers["Location"] == "/agent/login"


def test_code_sent_to_one_person_is_refused_in_anothers_sign_in(app, person, client, smtp_sink):
    from tests.conftest import Person

    agent_with_email(person, smtp_sink)
    bob = Person(app, app.test_client(), person.clock)
    bob_id = agent_with_email(bob, smtp_sink, email="bob@example.com", name="Bob Agent")
    person.login()
    ask_for_code(person)
    alice_code = smtp_sink.latest_code(EMAIL)
    bob.login(email="bob@example.com")
    ask_for_code(bob)
    bob_code = smtp_sink.latest_code("bob@example.com")
    while bob_code == alice_code:  # one chance in a million: this test is about whose code it is
        bob.clock.advance(61)
        ask_for_code(bob)
        bob_code = smtp_sink.latest_code("bob@example.com")

    response = enter_code(bob, alice_code)
    assert response.status_code == 401 and challenge_message(Outcome.WRONG) in shown(response)
    assert bob.client.get("/agent/").status_code == 302
    assert enter_code(bob, bob_code).headers["Location"] == "/agent/"
    assert enter_code(person, alice_code).headers["Location"] == "/agent/"
    assert len(events(app, bob_id, "2fa.challenge_failed")) == 1


def test_resend_voids_the_earlier_code_and_waits_a_minute(app, person, client, smtp_sink):
    user_id = agent_with_email(person, smtp_sink)
    person.login()
    ask_for_code(person)
    first = smtp_sink.latest_code(EMAIL)
    received = len(smtp_sink.to(EMAIL))

    person.clock.advance(59)
    page = ask_for_code(person)
    assert "We sent you a code less than a minute ago. Wait a minute before asking for another one." in shown(page)
    assert len(smtp_sink.to(EMAIL)) == received

    person.clock.advance(2)
    assert "We sent a code to agent@example.com" in shown(ask_for_code(person))
    second = smtp_sink.latest_code(EMAIL)
    assert len(smtp_sink.to(EMAIL)) == received + 1 and live_codes(app, user_id) == 1
    while second == first:  # one chance in a million: this test is about the earlier code
        person.clock.advance(61)
        ask_for_code(person)
        second = smtp_sink.latest_code(EMAIL)
    response = enter_code(person, first)
    assert response.status_code == 401 and challenge_message(Outcome.WRONG) in shown(response)
    assert enter_code(person, second).headers["Location"] == "/agent/"


def test_at_most_five_codes_an_hour(app, person, smtp_sink):
    agent_with_email(person, smtp_sink)  # the setup's verification code is the first of the hour
    person.login()
    for _ in range(4):
        assert "We sent a code to" in shown(ask_for_code(person))
        person.clock.advance(61)
    received = len(smtp_sink.to(EMAIL))
    page = ask_for_code(person)
    assert "You've asked for 5 codes in the last hour. Wait a while, or use another method." in shown(page)
    assert len(smtp_sink.to(EMAIL)) == received
    assert enter_code(person, smtp_sink.latest_code(EMAIL)).headers["Location"] == "/agent/"


def test_no_code_is_sent_while_email_2fa_is_switched_off(app, person, smtp_sink):
    from portal.models import Plugin

    user_id = agent_with_email(person, smtp_sink)
    with app.app_context():
        db.session.get(Plugin, "email").active = False
        db.session.commit()
    received = len(smtp_sink.to(EMAIL))
    person.login()
    page = ask_for_code(person)
    assert ("Email codes are switched off on this helpdesk. Use another method or contact your administrator."
            in shown(page))
    assert len(smtp_sink.to(EMAIL)) == received and live_codes(app, user_id) == 0
