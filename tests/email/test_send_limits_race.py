"""The email-code send limits hold when the sends arrive at the same moment: 20 threads, each with its own app
context and so its own database connection (PostgreSQL with TEST_DATABASE_URL, else a SQLite file), ask for a
code together. One sign-in gets exactly one mail; sends for 20 different sign-ins of one person get exactly five
(the hourly cap); another person is never held up by it. The mail goes to a real SMTP server."""
import threading

from portal.extensions import db
from portal.models import EmailCode, SecurityEvent, User
from portal.twofactor import email_codes
from portal.twofactor.base import Outcome

THREADS = 20
EMAIL = "agent@example.com"


def send_together(app, purposes, email=EMAIL) -> list[Outcome]:
    """Each thread asks for a code for its purpose; all are released at once."""
    barrier, results, errors = threading.Barrier(len(purposes), timeout=60), [None] * len(purposes), []

    def send(i):
        try:
            with app.test_request_context():
                user = db.session.scalar(db.select(User).where(User.email == email))
                db.session.commit()  # the connection goes back to the pool (20 threads, 15 connections)
                barrier.wait()
                results[i] = email_codes.issue(user, email, purposes[i])
                db.session.remove()
        except Exception as error:  # reported below: a thread's exception would otherwise vanish
            errors.append(error)
            barrier.abort()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(purposes))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return results


def stored(app, user_id) -> tuple[int, int]:
    """(code rows, "Email code sent" events) the database holds for this person."""
    with app.app_context():
        codes = db.session.scalar(db.select(db.func.count()).select_from(EmailCode)
                                  .where(EmailCode.user_id == user_id))
        sent = db.session.scalar(db.select(db.func.count()).select_from(SecurityEvent)
                                 .where(SecurityEvent.user_id == user_id, SecurityEvent.type == "2fa.email_sent"))
        return codes, sent


def test_twenty_parallel_sends_for_one_sign_in_send_one_mail(app, person, smtp_sink):
    user_id = person.create()
    results = send_together(app, ["login:one-pending-sign-in"] * THREADS)

    assert results.count(Outcome.OK) == 1
    assert results.count(Outcome.THROTTLED) == THREADS - 1
    assert len(smtp_sink.to(EMAIL)) == 1
    assert stored(app, user_id) == (1, 1)
    with app.app_context():  # and the one code mailed is the one that works
        assert email_codes.check(user_id, "login:one-pending-sign-in", smtp_sink.latest_code(EMAIL)) is Outcome.OK
        db.session.commit()

    person.clock.advance(59)  # still within the minute: every parallel ask is refused
    assert set(send_together(app, ["login:one-pending-sign-in"] * THREADS)) == {Outcome.THROTTLED}
    person.clock.advance(2)
    assert send_together(app, ["login:one-pending-sign-in"] * THREADS).count(Outcome.OK) == 1
    assert len(smtp_sink.to(EMAIL)) == 2


def test_parallel_sends_for_many_sign_ins_stop_at_five_an_hour(app, person, smtp_sink):
    user_id = person.create()
    other_id = person.create(email="other@example.com", name="Other Agent")
    results = send_together(app, [f"login:sign-in-{i}" for i in range(THREADS)])

    assert results.count(Outcome.OK) == email_codes.HOURLY_CAP == 5
    assert results.count(Outcome.USED_UP) == THREADS - 5
    assert len(smtp_sink.to(EMAIL)) == 5
    assert stored(app, user_id) == (5, 5)

    # Someone else's sends are their own.
    assert send_together(app, ["setup:other"], email="other@example.com") == [Outcome.OK]
    assert stored(app, other_id) == (1, 1)

    person.clock.advance(59 * 60)  # the hour is not over yet
    assert set(send_together(app, [f"login:later-{i}" for i in range(THREADS)])) == {Outcome.USED_UP}
    person.clock.advance(61)  # the first five are more than an hour old
    assert send_together(app, [f"login:next-hour-{i}" for i in range(THREADS)]).count(Outcome.OK) == 5
    assert len(smtp_sink.to(EMAIL)) == 10
