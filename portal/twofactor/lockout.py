"""The per-account failure budget shared by every second-factor kind (TOTP, email, recovery, re-authentication).

An attempt is *charged before the code is checked*, with one conditional UPDATE, so parallel guesses can never
exceed the budget, and no outcome is sent before the charge is committed (a request that dies before its commit
tells the guesser nothing). A success refunds the whole budget (reset to zero). The schedule (DESIGN.md): 5 free
failures, then doubling delays from 30 s; 10 in a row lock the account for 15 minutes (owner emailed); 20 lock it
until an admin unlocks it.
"""
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, or_, update

from .. import clock, security_log
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


# The charge itself, built once: one conditional UPDATE that spends an attempt only while the account may try, and
# says how many it has now spent (RETURNING), so the caller never reads the row back.
_CHARGE = (
    update(User)
    .where(User.id == bindparam("charged_id"), User.admin_locked.is_(False), User.failure_count < ADMIN_LOCK_AT)
    .where(or_(User.next_attempt_at.is_(None), User.next_attempt_at <= bindparam("charged_at")))
    .values(failure_count=User.failure_count + 1)
    .returning(User.failure_count)
    .execution_options(synchronize_session=False)
)


def charge(user: User) -> Charge:
    """Spend one attempt from the budget, or refuse without spending if the account must wait or is locked.

    In the caller's transaction: on PostgreSQL the UPDATE holds the account's row (on SQLite the write lock) until
    the request commits, so parallel attempts on one account are charged one after another and never exceed the
    budget; the outcome of a check is only ever sent after that commit, so an attempt whose charge did not land
    reveals nothing."""
    now = clock.now()
    failures = db.session.execute(_CHARGE, {"charged_id": user.id, "charged_at": now}).scalar()
    if failures is None:
        row = db.session.execute(db.select(User.failure_count, User.next_attempt_at, User.admin_locked)
                                 .where(User.id == user.id)).one()
        return Charge(False, row.failure_count, row.next_attempt_at, row.admin_locked)
    if failures <= FREE_FAILURES:
        return Charge(True, failures)
    # Past the free ones (rare, and still under the row lock taken above): the wait, or the admin lock.
    retry_at = now + timedelta(seconds=delay_after(failures)) if failures < ADMIN_LOCK_AT else None
    db.session.execute(update(User).where(User.id == user.id)
                       .values(next_attempt_at=retry_at, admin_locked=failures >= ADMIN_LOCK_AT)
                       .execution_options(synchronize_session=False))
    return Charge(True, failures, retry_at, failures >= ADMIN_LOCK_AT)


REFUNDED = {"failure_count": 0, "next_attempt_at": None}


def refund(user: User) -> None:
    """A successful second factor resets the budget (in the caller's transaction). A sign-in folds the same
    values (REFUNDED) into its own update of the account row instead (login.complete)."""
    db.session.execute(
        update(User)
        .where(User.id == user.id, User.admin_locked.is_(False))
        .values(**REFUNDED)
        .execution_options(synchronize_session=False)
    )


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


def guarded(user: User, kind: str, check: Callable[[], Outcome], *, slow: bool = False, refund_now: bool = True,
            **notice) -> Outcome:
    """Run one second-factor check (a TOTP or email code, a recovery code, a password for re-authentication)
    against the account's budget: refuse while the account waits or is locked, charge before checking, refund
    on success (the caller commits), record a failure, and email the owner when it starts a lock or replays a
    code. `notice` adds details to those emails (never a code).

    `slow`: the check takes long or is not ours (a password, hashed codes, a third-party plugin): the charge is
    committed before it runs, so the account's row is not held meanwhile and a check that never returns still
    counts. A quick check shares the transaction; if it raises, the attempt is charged again on its own. `refund_now=False`: the caller refunds in its own update of the account
    (a sign-in: login.complete)."""
    result = charge(user)
    if not result.allowed:  # every refused attempt is recorded too, an admin-locked one included
        security_log.record("2fa.throttled", user, method=kind)
        db.session.commit()
        return Outcome.LOCKED if result.admin_locked else Outcome.THROTTLED
    if slow:
        db.session.commit()
    try:
        outcome = check()
    except SecretsUnavailable:
        log.error("a second factor could not be checked: the encryption keys cannot read the stored secret")
        outcome = Outcome.UNAVAILABLE
    except Exception:
        if not slow:  # the check broke half-way: its writes are undone, but the attempt still counts
            db.session.rollback()
            charge(user)
            db.session.commit()
        raise
    if outcome is Outcome.OK:
        if refund_now:
            refund(user)
        return outcome
    if outcome is not Outcome.UNAVAILABLE:
        event = "2fa.replay_refused" if outcome is Outcome.REPLAY else "2fa.challenge_failed"
        security_log.record(event, user, method=kind, failures=result.failures)
    lock = newly_locked(result)
    if lock:
        security_log.record("2fa.locked", user, lock=lock)
        security_notice(user, "2fa.locked", lock=lock)
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
        return f"Too many wrong codes. Try again after {user.next_attempt_at.strftime('%H:%M:%S')} UTC."
    return None
