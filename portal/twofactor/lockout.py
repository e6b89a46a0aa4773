"""The per-account failure budget shared by every second-factor kind (TOTP, email, recovery, re-authentication).

An attempt is *charged before the code is checked*, with one conditional UPDATE, so parallel guesses can never
exceed the budget, and no outcome is sent before the charge is committed (a request that dies before its commit
tells the guesser nothing). A success refunds the whole budget (reset to zero). The schedule (docs/architecture.md): 5 free
failures, then doubling delays from 30 s; 10 in a row lock the account for 15 minutes (owner emailed); 20 lock it
until an admin unlocks it.
"""
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import bindparam, or_, update

from .. import clock, dates, security_log
from ..crypto import SecretsUnavailable
from ..extensions import db
from ..models import User
from ..notify import security_notice
from .base import Outcome

log = logging.getLogger(__name__)

FREE_FAILURES = 5
FIRST_DELAY = 30
TEMP_LOCK_AT = 10
TEMP_LOCK_SECONDS = 15 * 60
ADMIN_LOCK_AT = 20


def delay_after(failures: int) -> int:
    """Seconds to wait before the next attempt once `failures` attempts have been charged."""
    if failures <= FREE_FAILURES:
        return 0
    if failures < TEMP_LOCK_AT:
        return FIRST_DELAY * 2 ** (failures - FREE_FAILURES - 1)
    return TEMP_LOCK_SECONDS


@dataclass
class Charge:
    allowed: bool
    failures: int = 0  # the count after this charge
    retry_at: datetime | None = None
    admin_locked: bool = False


# Statements on the table, not the mapped class: nothing loaded is synchronised.
_users = User.__table__
_MAY_TRY = (_users.c.admin_locked.is_(False), _users.c.failure_count < ADMIN_LOCK_AT,
            or_(_users.c.next_attempt_at.is_(None), _users.c.next_attempt_at <= bindparam("checked_at")))
# The charge: one conditional UPDATE that spends an attempt only while the account may try, and says how many it
# has now spent (RETURNING), so the caller never reads the row back.
_CHARGE = (update(_users).where(_users.c.id == bindparam("account_id"), *_MAY_TRY)
           .values(failure_count=_users.c.failure_count + 1).returning(_users.c.failure_count))


def charge(user: User) -> Charge:
    """Spend one attempt from the budget, or refuse without spending if the account must wait or is locked.

    In the caller's transaction: on PostgreSQL the UPDATE holds the account's row (on SQLite the write lock) until
    the request commits, so parallel attempts on one account are charged one after another and never exceed the
    budget; the outcome of a check is only ever sent after that commit, so an attempt whose charge did not land
    reveals nothing."""
    now = clock.now()
    failures = db.session.execute(_CHARGE, {"account_id": user.id, "checked_at": now}).scalar()
    if failures is None:
        return _refusal(user)
    if failures <= FREE_FAILURES:
        return Charge(True, failures)
    # Past the free ones (rare, and still under the row lock taken above): the wait, or the admin lock.
    retry_at = now + timedelta(seconds=delay_after(failures)) if failures < ADMIN_LOCK_AT else None
    db.session.execute(update(_users).where(_users.c.id == user.id)
                       .values(next_attempt_at=retry_at, admin_locked=failures >= ADMIN_LOCK_AT))
    return Charge(True, failures, retry_at, failures >= ADMIN_LOCK_AT)


def _refusal(user: User) -> Charge:
    """Why the account may not try now (it waits, or is locked), read from its row."""
    row = db.session.execute(db.select(User.failure_count, User.next_attempt_at, User.admin_locked)
                             .where(User.id == user.id)).one()
    return Charge(False, row.failure_count, row.next_attempt_at, row.admin_locked)


# A success resets the budget (an admin lock stays until an admin lifts it).
_REFUND = (update(_users).where(_users.c.id == bindparam("account_id"), _users.c.admin_locked.is_(False))
           .values(failure_count=0, next_attempt_at=None))
# A quick check's success is admitted only while the account may try now (the charge's own conditions), so a right
# code is refused exactly when its charge would have been.
_ADMIT = (update(_users).where(_users.c.id == bindparam("account_id"), *_MAY_TRY)
          .values(failure_count=0, next_attempt_at=None))


def refund(user: User) -> None:
    """A successful second factor resets the budget (in the caller's transaction)."""
    db.session.execute(_REFUND, {"account_id": user.id})


def _admit(user: User) -> bool:
    """Refund a quick check's success if the account may try now (one conditional UPDATE); False if it may not."""
    return db.session.execute(_ADMIT, {"account_id": user.id, "checked_at": clock.now()}).rowcount == 1


def unlock(user: User) -> None:
    user.failure_count = 0
    user.next_attempt_at = None
    user.admin_locked = False


def newly_locked(result: Charge) -> str | None:
    """Which lock, if any, this charge just started: 'temporary' at 10 failures, 'admin' at 20."""
    if result.allowed and result.failures == TEMP_LOCK_AT:
        return "temporary"
    if result.allowed and result.failures == ADMIN_LOCK_AT:
        return "admin"
    return None


def guarded(user: User, kind: str, check: Callable[[], Outcome], *, slow: bool = False, **notice) -> Outcome:
    """Run one second-factor check (a TOTP or email code, a recovery code, a password for re-authentication)
    against the account's budget: refuse while the account waits or is locked, charge every failure, refund on
    success (the caller commits), record a failure, and email the owner when it starts a lock or replays a code.
    `notice` adds details to those emails (never a code).

    `slow`: the check takes long or is not ours (a password, hashed codes, a third-party plugin): the attempt is
    charged and committed before it runs, so the account's row is not held meanwhile and a check that never
    returns still counts. A quick check runs first, in the same transaction as its charge or refund: nothing is
    sent before that transaction commits, so every attempt whose outcome anyone learns was counted (a success is
    admitted only while a charge would have been allowed; a failure is charged). A quick check that cannot run
    at all (UNAVAILABLE: the server's keys cannot read the secret) is not charged: a misconfigured deploy must not
    lock everyone out. If a quick check raises, its writes are undone and the attempt is charged on its own."""
    if slow:
        result = charge(user)
        if not result.allowed:
            return _refused(user, kind, result)
        db.session.commit()
        outcome = _run(user, check, slow=True)
        if outcome is Outcome.OK:
            refund(user)
            return outcome
    else:
        outcome = _run(user, check, slow=False)
        if outcome is Outcome.UNAVAILABLE:  # our own check could not run (the keys cannot read the secret): no
            db.session.rollback()           # code was compared, so nothing is learnt and nothing is charged
            return outcome
        if outcome is Outcome.OK:
            if _admit(user):
                return outcome
            db.session.rollback()  # the account may not try now: the check's writes (a claimed step) are undone
            return _refused(user, kind, _refusal(user))
        result = charge(user)
        if not result.allowed:
            db.session.rollback()  # as if the check had never run
            return _refused(user, kind, result)
    return _failed(user, kind, outcome, result, notice)


def _run(user: User, check: Callable[[], Outcome], slow: bool) -> Outcome:
    try:
        return check()
    except SecretsUnavailable:
        log.error("a second factor could not be checked: the encryption keys cannot read the stored secret")
        return Outcome.UNAVAILABLE
    except Exception:
        db.session.rollback()  # the check broke half-way: its writes are undone, but the attempt still counts
        if not slow:
            charge(user)
            db.session.commit()
        raise


def _refused(user: User, kind: str, result: Charge) -> Outcome:
    """Every refused attempt is recorded too, an admin-locked one included, with why: the account is locked (for 15
    minutes or until an admin unlocks it) or only waits between attempts."""
    locked = result.admin_locked or result.failures >= TEMP_LOCK_AT
    security_log.record("2fa.throttled", user, method=kind, reason="locked" if locked else "throttled")
    db.session.commit()
    return Outcome.LOCKED if result.admin_locked else Outcome.THROTTLED


def _failed(user: User, kind: str, outcome: Outcome, result: Charge, notice: dict) -> Outcome:
    if outcome is not Outcome.UNAVAILABLE:
        event = "2fa.replay_refused" if outcome is Outcome.REPLAY else "2fa.challenge_failed"
        security_log.record(event, user, method=kind, failures=result.failures, reason=outcome.value)
    lock = newly_locked(result)
    if lock:
        security_log.record("2fa.locked", user, lock=lock)
        until = {"until": result.retry_at} if lock == "temporary" and result.retry_at else {}  # said in their zone
        security_notice(user, "2fa.locked", lock=lock, **until)
    if outcome is Outcome.REPLAY:
        security_notice(user, "2fa.replay_refused", **notice)
    db.session.commit()
    return outcome


def wait_message(user: User) -> str | None:
    """When a throttled person may try again, in words, or None if they need not wait."""
    db.session.refresh(user)
    if user.admin_locked:
        return None
    if user.next_attempt_at and user.next_attempt_at > clock.now():
        return _("Too many wrong codes. Try again after %(time)s.",
                 time=dates.time_in_words(user.next_attempt_at, seconds=True))
    return None
