"""The per-account failure budget shared by every second-factor kind (TOTP, email, recovery, re-authentication).

An attempt is *charged before the code is checked*, with one conditional UPDATE, so the charge is recorded
even if the request later fails and parallel guesses can never exceed the budget. A success refunds the whole
budget (reset to zero). The schedule (DESIGN.md): 5 free failures, then doubling delays from 30 s; 10 in a row
lock the account for 15 minutes (owner emailed); 20 lock it until an admin unlocks it.
"""
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, or_, update

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


def charge(user: User) -> Charge:
    """Spend one attempt from the budget, or refuse without spending if the account must wait or is locked.
    Commits, so the attempt stays counted whatever happens next."""
    now = clock.now()
    new_count = User.failure_count + 1
    schedule = case(
        *[(new_count == n, now + timedelta(seconds=delay_after(n))) for n in range(FREE_FAILURES + 1, ADMIN_LOCK_AT)],
        else_=None,
    )
    result = db.session.execute(
        update(User)
        .where(User.id == user.id, User.admin_locked.is_(False), User.failure_count < ADMIN_LOCK_AT)
        .where(or_(User.next_attempt_at.is_(None), User.next_attempt_at <= now))
        .values(failure_count=new_count, next_attempt_at=schedule, admin_locked=new_count >= ADMIN_LOCK_AT)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    db.session.refresh(user)
    if result.rowcount != 1:
        return Charge(False, user.failure_count, user.next_attempt_at, user.admin_locked)
    return Charge(True, user.failure_count, user.next_attempt_at, user.admin_locked)


def refund(user: User) -> None:
    """A successful second factor resets the budget (in the caller's transaction)."""
    db.session.execute(
        update(User)
        .where(User.id == user.id, User.admin_locked.is_(False))
        .values(failure_count=0, next_attempt_at=None)
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


def guarded(user: User, kind: str, check: Callable[[], Outcome], **notice) -> Outcome:
    """Run one second-factor check (a TOTP or email code, a recovery code, a password for re-authentication)
    against the account's budget: refuse while the account waits or is locked, charge before checking, refund
    on success (the caller commits), record a failure, and email the owner when it starts a lock or replays a
    code. `notice` adds details to those emails (never a code)."""
    result = charge(user)
    if not result.allowed:  # every refused attempt is recorded too, an admin-locked one included
        security_log.record("2fa.throttled", user, method=kind)
        db.session.commit()
        return Outcome.LOCKED if result.admin_locked else Outcome.THROTTLED
    try:
        outcome = check()
    except SecretsUnavailable:
        log.error("a second factor could not be checked: the encryption keys cannot read the stored secret")
        outcome = Outcome.UNAVAILABLE
    if outcome is Outcome.OK:
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
