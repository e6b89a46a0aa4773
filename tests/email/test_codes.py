"""The email-code rules at the core: single use under concurrency, bound to person and purpose, fresh digits."""
import threading

from portal.extensions import db
from portal.models import EmailCode, User
from portal.twofactor import email_codes
from portal.twofactor.base import Outcome


def issue(app, person, smtp_sink, purpose="login:test", email="agent@example.com"):
    with app.test_request_context():
        user = db.session.scalar(db.select(User).where(User.email == email))
        assert email_codes.issue(user, email, purpose) is Outcome.OK
        return user.id, smtp_sink.latest_code(email)


def test_two_concurrent_submissions_of_one_code_only_one_wins(app, person, smtp_sink):
    person.create()
    user_id, code = issue(app, person, smtp_sink)
    barrier, results = threading.Barrier(2), []

    def submit():
        with app.app_context():
            barrier.wait()
            results.append(email_codes.check(user_id, "login:test", code))
            db.session.commit()
            db.session.remove()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.value for r in results) == sorted([Outcome.OK.value, Outcome.REPLAY.value])
    with app.app_context():
        assert email_codes.check(user_id, "login:test", code) is Outcome.REPLAY


def test_code_is_bound_to_person_and_purpose(app, person, smtp_sink):
    person.create()
    other = person.create(email="other@example.com", name="Other Agent")
    user_id, code = issue(app, person, smtp_sink, purpose="setup:abc")
    with app.app_context():
        assert email_codes.check(other, "setup:abc", code) is Outcome.NO_CODE
        assert email_codes.check(user_id, "setup:other", code) is Outcome.NO_CODE
        assert email_codes.check(user_id, "setup:abc", code) is Outcome.OK


def test_codes_are_six_digits_and_vary(app, person, smtp_sink):
    person.create()
    codes = set()
    for n in range(5):
        _, code = issue(app, person, smtp_sink, purpose=f"login:{n}")
        assert len(code) == 6 and code.isdigit()
        codes.add(code)
    assert len(codes) >= 4  # five draws from a million
    with app.app_context():
        rows = db.session.scalars(db.select(EmailCode)).all()
        assert all(r.expires_at - r.created_at == email_codes.LIFETIME for r in rows)
