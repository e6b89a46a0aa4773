"""Guessing second factors: one per-account budget for every kind (TOTP, email, recovery, re-authentication),
charged before the check, growing delays, a 15-minute lock with an email, then a lock only an admin lifts —
and parallel guesses never get more tries than the budget."""
import threading

import pytest

from portal.extensions import db
from portal.models import Authenticator, SecurityEvent, User
from portal.settings import set_setting
from portal.twofactor.base import MESSAGES, Outcome
from portal.twofactor import totp
from tests.conftest import csrf_token, page_text
from tests.security.helpers import (EMAIL, PASSWORD, enrolled_agent, in_console, signed_in_agent, user_row,
                                    wrong_code)

WRONG_PROOF = "That password or code isn't right. Try again."


def prove(person, code):
    return person.post("/agent/security/confirm", {"secret": code})


def test_schedule_delays_then_temporary_lock_with_email_then_admin_lock(person, client, app, smtp_sink, runner):
    secret, _ = enrolled_agent(person)
    signed_in_agent(person, secret)
    for _ in range(5):  # five free failures
        r = prove(person, wrong_code(person, secret))
        assert r.status_code == 401 and WRONG_PROOF in page_text(r)
    assert user_row(app).next_attempt_at is None
    for n, delay in zip(range(6, 10), (30, 60, 120, 240)):  # then doubling delays from 30 s
        assert prove(person, wrong_code(person, secret)).status_code == 401
        user = user_row(app)
        assert user.failure_count == n and (user.next_attempt_at - person.clock.now()).total_seconds() == delay
        early = prove(person, person.code(secret, 1))  # even the right code waits
        assert early.status_code == 429 and str(MESSAGES[Outcome.THROTTLED]) in page_text(early)
        person.clock.advance(delay)
    before = len(smtp_sink.to(EMAIL))
    assert prove(person, wrong_code(person, secret)).status_code == 401  # the 10th in a row
    user = user_row(app)
    assert user.failure_count == 10 and (user.next_attempt_at - person.clock.now()).total_seconds() == 15 * 60
    mail = smtp_sink.latest(EMAIL)
    assert len(smtp_sink.to(EMAIL)) == before + 1 and mail["Subject"].endswith("Your account was locked after wrong codes")
    assert "locked for 15 minutes" in smtp_sink.text(mail)
    for _ in range(9):  # 11th to 19th: each after the 15-minute wait
        person.clock.advance(15 * 60)
        assert prove(person, wrong_code(person, secret)).status_code == 401
    person.clock.advance(15 * 60)
    assert prove(person, wrong_code(person, secret)).status_code == 401  # the 20th
    assert user_row(app).admin_locked
    assert "locked until a helpdesk administrator unlocks it" in smtp_sink.text(smtp_sink.latest(EMAIL))

    with app.app_context():  # a week-long session, so that the same browser can try again after a week
        set_setting("session_idle_minutes_staff", 8 * 24 * 60)
        set_setting("session_max_hours_staff", 8 * 24)
        db.session.commit()
    person.clock.advance(7 * 86400)  # time does not lift it
    r = prove(person, person.code(secret))
    assert r.status_code == 403 and str(MESSAGES[Outcome.LOCKED]) in page_text(r)
    result = runner.invoke(args=["user", "unlock", EMAIL])
    assert result.exit_code == 0 and f"Unlocked {EMAIL}." in result.output
    assert prove(person, person.code(secret)).headers["Location"] == "/agent/preferences/security"
    user = user_row(app)
    assert (user.failure_count, user.next_attempt_at, user.admin_locked) == (0, None, False)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(SecurityEvent)
                                 .where(SecurityEvent.type == "2fa.locked")) == 2
        assert db.session.scalar(db.select(SecurityEvent.type).order_by(SecurityEvent.id.desc())
                                 .where(SecurityEvent.type == "2fa.unlocked")) == "2fa.unlocked"


def test_admin_locked_account_cannot_sign_in_even_with_the_right_code(person, client, app):
    secret, codes = enrolled_agent(person)
    with app.app_context():
        user = db.session.get(User, user_row(app).id)
        user.admin_locked, user.failure_count = True, 20
        db.session.commit()
    person.login()
    r = person.post("/agent/login/verify", {"code": person.code(secret)})
    assert r.status_code == 403 and str(MESSAGES[Outcome.LOCKED]) in page_text(r)
    r = person.post("/agent/login/recovery", {"code": codes[0]})
    assert r.status_code == 403 and str(MESSAGES[Outcome.LOCKED]) in page_text(r)
    assert not in_console(client)


def test_every_kind_of_second_factor_spends_the_same_budget(person, client, app):
    secret, codes = enrolled_agent(person)
    signed_in_agent(person, secret)  # the victim's own session
    attacker = app.test_client()
    page = attacker.get("/agent/login")
    attacker.post("/agent/login", data={"csrf_token": csrf_token(page), "email": EMAIL, "password": PASSWORD})

    def attack(url, code):
        return attacker.post(url, data={"csrf_token": csrf_token(attacker.get(url)), "code": code})

    assert attack("/agent/login/verify", wrong_code(person, secret)).status_code == 401        # TOTP
    assert attack("/agent/login/recovery", "ZZZZZ-ZZZZ0").status_code == 401                   # recovery
    assert prove(person, "not my password").status_code == 401                                # re-authentication
    assert prove(person, wrong_code(person, secret)).status_code == 401                        # a code as proof
    with app.app_context():
        user = db.session.get(User, user_row(app).id)
        email = Authenticator(user_id=user.id, method="email", name="Work email", target=EMAIL,
                              created_at=person.clock.now(), confirmed_at=person.clock.now(), is_default=False)
        db.session.add(email)
        db.session.commit()
        email_id = email.id
    r = attacker.post("/agent/login/verify", data={"csrf_token": csrf_token(attacker.get(f"/agent/login/verify?with={email_id}")),
                                                   "authenticator_id": email_id, "code": "123456"})
    assert r.status_code == 400                                                                 # email
    assert user_row(app).failure_count == 5
    assert attack("/agent/login/verify", wrong_code(person, secret)).status_code == 401  # the 6th: allowed
    r = attack("/agent/login/verify", person.code(secret))  # the right code must now wait too
    assert r.status_code == 429 and str(MESSAGES[Outcome.THROTTLED]) in page_text(r)
    with app.app_context():
        methods = list(db.session.scalars(db.select(SecurityEvent.detail)
                                          .where(SecurityEvent.type == "2fa.challenge_failed")))
    assert [m.split('"method": "')[1].split('"')[0] for m in methods] == ["totp", "recovery", "reauth", "reauth",
                                                                          "email", "totp"]


def test_success_resets_the_budget(person, client, app):
    secret, _ = enrolled_agent(person)
    person.login()
    for _ in range(3):
        person.post("/agent/login/verify", {"code": wrong_code(person, secret)})
    assert user_row(app).failure_count == 3
    assert person.post("/agent/login/verify", {"code": person.code(secret)}).headers["Location"] == "/agent/"
    assert user_row(app).failure_count == 0


def test_a_right_code_refused_while_waiting_is_neither_charged_nor_spent(person, client, app):
    secret, _ = enrolled_agent(person)
    person.login()
    for _ in range(5):
        person.post("/agent/login/verify", {"code": wrong_code(person, secret)})
    person.login()  # five wrong codes end a sign-in: the password again
    assert person.post("/agent/login/verify", {"code": wrong_code(person, secret)}).status_code == 401
    with app.app_context():
        step_before = db.session.scalar(db.select(Authenticator.last_used_step))
    assert user_row(app).failure_count == 6  # the sixth failure: 30 s to wait
    code = person.code(secret, 1)  # next step's code: still valid once the wait is over
    r = person.post("/agent/login/verify", {"code": code})
    assert r.status_code == 429 and str(MESSAGES[Outcome.THROTTLED]) in page_text(r)
    with app.app_context():
        assert db.session.scalar(db.select(Authenticator.last_used_step)) == step_before  # the step is not used up
        assert db.session.scalar(db.select(SecurityEvent.type).order_by(SecurityEvent.id.desc())) == "2fa.throttled"
    assert user_row(app).failure_count == 6  # and a refused attempt costs nothing
    person.clock.advance(30)
    assert person.post("/agent/login/verify", {"code": code}).headers["Location"] == "/agent/"
    user = user_row(app)
    assert (user.failure_count, user.next_attempt_at) == (0, None) and user.last_login_at == person.clock.now()


def test_a_failed_attempt_counts_even_when_the_request_fails(person, client, app, monkeypatch):
    secret, _ = enrolled_agent(person)
    person.login()

    def broken(secret, code, at_epoch):
        raise RuntimeError("the check blew up half way")

    monkeypatch.setattr(totp, "matching_step", broken)  # the code check, whichever way the step goes
    r = person.post("/agent/login/verify", {"code": person.code(secret)})
    assert r.status_code == 500 and "Something went wrong on our side" in page_text(r)
    assert user_row(app).failure_count == 1
    assert not in_console(client)


@pytest.mark.parametrize("guessers", [12])
def test_parallel_wrong_guesses_never_exceed_the_budget(app, person, client, guessers):
    secret, _ = enrolled_agent(person)
    clients = [app.test_client() for _ in range(guessers)]
    tokens = []
    for c in clients:  # the attacker knows the password and opens many pending sign-ins
        page = c.get("/agent/login")
        c.post("/agent/login", data={"csrf_token": csrf_token(page), "email": EMAIL, "password": PASSWORD})
        tokens.append(csrf_token(c.get("/agent/login/verify")))
    guess = wrong_code(person, secret)
    barrier = threading.Barrier(guessers)
    statuses = []

    def submit(c, tok):
        barrier.wait()
        statuses.append(c.post("/agent/login/verify", data={"csrf_token": tok, "code": guess}).status_code)

    threads = [threading.Thread(target=submit, args=pair) for pair in zip(clients, tokens)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Five free failures and the sixth (which starts the 30 s wait) are checked; every other guess is refused.
    assert sorted(statuses) == [401] * 6 + [429] * (guessers - 6), statuses
    user = user_row(app)
    assert user.failure_count == 6
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(SecurityEvent)
                                 .where(SecurityEvent.type == "2fa.challenge_failed")) == 6
