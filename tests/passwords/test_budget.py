"""Wrong passwords are budgeted per account, across every address and both areas: 5 free, then each one makes the
next attempt wait 1 s, 2 s, 4 s ... at most 60 s. An attempt made sooner is refused (429) without checking the
password; whoever knows the password gets in after that short wait, and a right password starts the count again.
The owner is mailed once."""
import threading

import pytest

from portal import password_budget
from portal.extensions import db
from tests.conftest import Person, csrf_token, page_text
from tests.passwords.conftest import EMAIL, EVE, PASSWORD, events, sign_in, user_row
from tests.security.helpers import enrolled_agent

WRONG = "not the password"


def waiting(r, seconds) -> bool:
    unit = "second" if seconds == 1 else "seconds"
    return (r.status_code == 429 and r.headers["Retry-After"] == str(seconds)
            and f"Too many wrong passwords for this account. Try again in {seconds} {unit}." in page_text(r))


@pytest.mark.parametrize("failures, delay", [(0, 0), (5, 0), (6, 1), (7, 2), (8, 4), (11, 32), (12, 60), (99, 60)])
def test_the_schedule(failures, delay):
    assert password_budget.delay_after(failures) == delay


def test_five_wrong_passwords_are_free_then_each_one_waits_longer(person, app, client):
    person.create()
    for i in range(5):
        r = sign_in(person, password=WRONG, ip=f"198.51.100.{i}")  # a different address every time
        assert r.status_code == 401 and "Email or password is incorrect." in page_text(r)
    for seconds in (1, 2, 4, 8, 16, 32, 60, 60):
        r = sign_in(person, password=WRONG)
        assert r.status_code == 401  # checked, and wrong
        refused = sign_in(person, password=PASSWORD)  # even the right one waits: it is not checked
        assert waiting(refused, seconds)
        assert refused.get_data(as_text=True).count('value="agent@example.com"') == 1  # the email is kept
        person.clock.advance(seconds - 1)
        assert waiting(sign_in(person, password=WRONG), 1)
        person.clock.advance(1)
    assert user_row(app).password_failures == 13
    assert events(app).count("login.password_failed") == 13
    assert events(app).count("login.password_throttled") == 16


def test_the_owner_gets_in_after_the_wait_and_the_count_starts_again(person, app, client):
    person.create()
    for _ in range(12):
        sign_in(person, password=WRONG)
        person.clock.advance(60)
    assert user_row(app).password_failures == 12
    r = sign_in(person, password=WRONG)
    assert r.status_code == 401
    person.clock.advance(60)  # never more than a minute: no lock anyone without the password can cause
    r = sign_in(person)
    assert r.status_code == 302 and r.headers["Location"] == "/agent/"
    row = user_row(app)
    assert (row.password_failures, row.password_next_attempt_at) == (0, None)
    # The second-factor budget is a separate one and was never touched.
    assert (row.failure_count, row.admin_locked) == (0, False)


def test_a_browser_the_owner_signed_in_from_before_is_not_kept_waiting(person, app, client):
    """Someone guessing once a minute could keep a new browser waiting for ever; the owner's own browser, which has
    signed in before, is not made to wait (its attempts are still counted and checked)."""
    person.create()
    assert sign_in(person).headers["Location"] == "/agent/"  # the owner, in their usual browser
    person.post_from("/agent/", "/agent/logout", {})
    stranger = Person(app, app.test_client(), person.clock)
    for _ in range(6):
        sign_in(stranger, password=WRONG, ip="192.0.2.66")
    assert waiting(sign_in(stranger, password=PASSWORD, ip="192.0.2.66"), 1)  # a browser never seen waits
    assert sign_in(person, password=WRONG).status_code == 401  # the owner's browser: checked at once, and counted
    assert user_row(app).password_failures == 7
    r = sign_in(person)
    assert r.status_code == 302 and r.headers["Location"] == "/agent/"
    assert user_row(app).password_failures == 0


def test_the_budget_is_the_accounts_in_both_areas(person, app):
    person.create()
    person.create(email=EVE, role="end-user", name="Eve Customer")
    for area in ("", "/agent", "", "/agent", ""):
        assert sign_in(person, password=WRONG, area=area).status_code == 401
    assert sign_in(person, password=PASSWORD, area="").status_code == 401  # the agent's password, wrong area
    assert waiting(sign_in(person, password=PASSWORD, area="/agent"), 1)
    assert user_row(app).password_failures == 6
    assert user_row(app, EVE).password_failures == 0  # another account is not held back
    r = sign_in(person, email=EVE, password=PASSWORD, area="")
    assert r.status_code == 302


def test_the_owner_is_mailed_once_when_the_free_tries_run_out(person, app, smtp_sink):
    person.create()
    for _ in range(5):
        sign_in(person, password=WRONG)
    assert smtp_sink.to(EMAIL) == []
    for _ in range(4):
        sign_in(person, password=WRONG)
        person.clock.advance(60)
    received = smtp_sink.to(EMAIL)
    assert len(received) == 1
    assert received[0]["Subject"].endswith("Wrong passwords were entered for your account")
    text = smtp_sink.text(received[0])
    assert "A wrong password was entered for your account 6 times in a row." in text and WRONG not in text
    assert events(app).count("login.password_slowed") == 1


def test_unknown_addresses_are_never_held_back_and_leave_no_trace(person, app):
    for _ in range(8):
        r = sign_in(person, email="nobody@example.com", password=WRONG)
        assert r.status_code == 401 and "Email or password is incorrect." in page_text(r)


def test_a_wrong_current_password_on_change_password_counts_too(person, app, client):
    secret, _ = enrolled_agent(person)
    for _ in range(6):
        sign_in(person, password=WRONG)
    person.clock.advance(1)
    person.login()
    person.clock.advance(30)
    r = person.post("/agent/login/verify", {"code": person.code(secret)})
    assert r.status_code == 302
    for _ in range(6):
        r = person.post("/agent/preferences/security/password",
                        {"current_password": WRONG, "new_password": "violet kettle harbour",
                         "new_password_again": "violet kettle harbour", "code": "000000"})
    assert r.status_code == 401
    r = person.post("/agent/preferences/security/password",
                    {"current_password": PASSWORD, "new_password": "violet kettle harbour",
                     "new_password_again": "violet kettle harbour", "code": person.code(secret)})
    assert r.status_code == 429 and "Too many wrong passwords for this account. Try again in 1 second." in page_text(r)
    assert user_row(app).failure_count == 0  # no code was checked


def test_parallel_guesses_get_no_more_checks_than_the_budget(app, clock):
    """Ten guesses at once, once the free ones are spent: the charges are counted one after another, so one is
    checked and the others are refused without a check."""
    Person(app, app.test_client(), clock).create()
    with app.app_context():
        user = db.session.scalar(db.select(password_budget.User).where(password_budget.User.email == EMAIL))
        user.password_failures = 5
        db.session.commit()
    clients = [app.test_client() for _ in range(10)]
    tokens = [csrf_token(c.get("/agent/login")) for c in clients]
    statuses, start = [], threading.Barrier(len(clients))

    def guess(i):
        start.wait()
        r = clients[i].post("/agent/login", data={"csrf_token": tokens[i], "email": EMAIL, "password": f"{WRONG} {i}"})
        statuses.append(r.status_code)

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [401] + [429] * 9
    assert user_row(app).password_failures == 6
    assert events(app).count("login.password_failed") == 1
