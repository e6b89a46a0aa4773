"""The per-account failure budget shared by every second-factor kind (TOTP, email, recovery, re-authentication).

An attempt is *charged before the code is checked*, with one conditional UPDATE, so the charge is recorded
even if the request later fails and parallel guesses can never exceed the budget. A success refunds the whole
budget (reset to zero). The schedule (DESIGN.md): 5 free failures, then doubling delays from 30 s; 10 in a row
lock the account for 15 minutes (owner emailed); 20 lock it until an admin unlocks it.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, or_, update

from .. import clock
from ..extensions import db
from ..models import User

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
