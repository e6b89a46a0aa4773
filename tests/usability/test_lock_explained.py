"""Issue 22, a locked account explained: the attempt that locks says so, and every attempt during the lock (a right
code too) says until when in the portal's time zone and what to do."""
from portal.extensions import db
from portal.models import User
from portal.settings import set_setting
from tests.admin.conftest import PASSWORD
from tests.conftest import page_text


def budget(app, user_id, failures, next_attempt_at=None):
    with app.app_context():
        user = db.session.get(User, user_id)
        user.failure_count, user.next_attempt_at = failures, next_attempt_at
        set_setting("timezone", "Europe/Berlin")
        db.session.commit()


def wrong(sam):
    return "000000" if sam.code(sam.secret) != "000000" else "111111"


def test_the_locking_attempt_and_the_lock_say_until_when_and_what_to_do(app, actor):
    sam = actor("sam@example.com", with_app=True)
    budget(app, sam.id, failures=5)
    sam.login(sam.email, PASSWORD)
    r = sam.post("/agent/login/verify", {"code": wrong(sam)})  # the 6th: a 30-second wait
    assert r.status_code == 401
    assert ("That code isn't right. Check the code in your app and try again. "
            "You can try again after 10:00:30 (Europe/Berlin).") in page_text(r)
    r = sam.post("/agent/login/verify", {"code": sam.code(sam.secret)})  # even the right one waits
    assert r.status_code == 429 and "Wait a little before trying again. You can try again after 10:00:30" in page_text(r)

    budget(app, sam.id, failures=9)
    r = sam.post("/agent/login/verify", {"code": wrong(sam)})  # the 10th in a row locks it for 15 minutes
    locked = ("Your account is locked after 10 wrong codes in a row, until 10:15 on Sunday, 1 March 2026 "
              "(Europe/Berlin). Wait until then and sign in again. If it is locked a second time, only your "
              "helpdesk administrator can unlock it.")
    assert r.status_code == 401 and f"That code isn't right. {locked}" in page_text(r)
    r = sam.post("/agent/login/verify", {"code": sam.code(sam.secret)})
    assert r.status_code == 429 and locked in page_text(r) and "That code isn't right" not in page_text(r)

    sam.clock.advance(15 * 60)
    budget(app, sam.id, failures=19)
    sam.login(sam.email, PASSWORD)
    r = sam.post("/agent/login/verify", {"code": wrong(sam)})  # the 20th: an admin must unlock it
    assert r.status_code == 401 and ("That code isn't right. This account is locked after too many wrong codes. "
                                     "Contact your helpdesk administrator. Waiting does not lift this lock: only an "
                                     "admin can unlock your account.") in page_text(r)


def test_the_lock_is_said_when_it_ends_the_sign_in_too(app, actor):
    sam = actor("sam@example.com", with_app=True)
    sam.login(sam.email, PASSWORD)
    for _ in range(4):
        sam.post("/agent/login/verify", {"code": wrong(sam)})
    budget(app, sam.id, failures=9)
    r = sam.post("/agent/login/verify", {"code": wrong(sam)})  # the 5th on this sign-in ends it, and locks
    assert r.headers["Location"] == "/agent/login"
    assert "Your account is locked after 10 wrong codes in a row, until 10:15 on Sunday, 1 March 2026" in page_text(
        sam.get("/agent/login"))


def test_the_challenge_says_the_account_is_locked_before_a_code_is_typed(app, actor):
    sam = actor("sam@example.com", with_app=True)
    budget(app, sam.id, failures=10, next_attempt_at=sam.clock.now().replace(minute=15))
    sam.login(sam.email, PASSWORD)
    page = page_text(sam.get("/agent/login/verify"))
    assert ("Your account is locked after 10 wrong codes in a row, until 10:15 on Sunday, 1 March 2026 "
            "(Europe/Berlin).") in page
    sam.clock.advance(15 * 60)
    assert "Your account is locked" not in page_text(sam.get("/agent/login/verify"))


def test_the_lock_mail_says_until_when(app, actor, smtp_sink):
    sam = actor("sam@example.com", with_app=True)
    budget(app, sam.id, failures=9)
    sam.login(sam.email, PASSWORD)
    sam.post("/agent/login/verify", {"code": wrong(sam)})
    assert ("After 10 wrong codes in a row, your account is locked for 15 minutes, until 10:15 on Sunday, 1 March "
            "2026 (Europe/Berlin). Then you can sign in again.") in smtp_sink.text(smtp_sink.latest("sam@example.com"))
