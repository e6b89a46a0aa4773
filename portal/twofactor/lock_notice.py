"""What a person is told when the failure budget (lockout) stops them: that the account is locked, until when in
the portal's time zone, and what to do — on the attempt that locks it as well as on every attempt during the lock
(a right code included)."""
from flask_babel import gettext as _, lazy_gettext as _l

from .. import clock, dates
from ..extensions import db
from ..models import User
from . import lockout
from .base import Outcome

def temporary_lock(until) -> str:
    return _("Your account is locked after %(count)s wrong codes in a row, until %(until)s. Wait until then and sign "
             "in again. If it is locked a second time, only your helpdesk administrator can unlock it.",
             count=lockout.TEMP_LOCK_AT, until=dates.in_words(until))


# MESSAGES[Outcome.LOCKED] and what waiting does, as one message.
ADMIN_LOCK = _l("This account is locked after too many wrong codes. Contact your helpdesk administrator. Waiting "
                "does not lift this lock: only an admin can unlock your account.")


def explain(user: User) -> str | None:
    """Why this account may not try a code now, with what to do; None when it may."""
    found = _state(user)
    return found[1] if found else None


def as_loaded(user: User) -> str | None:
    """The same, from the person's row as this request loaded it (no statement): for the challenge page, so a
    locked account is told before anyone types a code."""
    found = _state(user, row=user)
    return found[1] if found else None


def _state(user: User, row=None) -> tuple[str, str] | None:
    """("lock", words) while the account is locked, ("wait", words) during a short delay, else None. The account's
    budget is read afresh unless `row` (anything with its three columns) is given."""
    if row is None:
        row = db.session.execute(db.select(User.failure_count, User.next_attempt_at, User.admin_locked)
                                 .where(User.id == user.id)).one()
    if row.admin_locked:
        return "lock", str(ADMIN_LOCK)
    if row.next_attempt_at is None or row.next_attempt_at <= clock.now():
        return None
    if row.failure_count >= lockout.TEMP_LOCK_AT:
        return "lock", temporary_lock(row.next_attempt_at)
    return "wait", _("You can try again after %(time)s.", time=dates.time_in_words(row.next_attempt_at, seconds=True))


def refused(user: User, outcome: Outcome, message: str) -> str:
    """The message for a refused code: `message` (the method's own words) with when to try again, or the lock
    when there is one. A wrong code that starts a lock says both."""
    message = str(message)
    if outcome in (Outcome.OK, Outcome.UNAVAILABLE, Outcome.NO_CODE):
        return message
    found = _state(user)
    if found is None:
        return message
    kind, words = found
    if kind == "wait":
        return f"{message} {words}"
    if outcome is Outcome.WRONG:  # the attempt that locked it: "That code isn't right." and the lock
        return f"{message.split('. ')[0].rstrip('.')}. {words}"
    return words
