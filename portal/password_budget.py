"""The per-account budget of wrong passwords, across every address and both areas.

Every password check of an existing account (sign-in in either area, the current password on "Change password")
is charged to the account *before* the hash is checked, with one conditional UPDATE that spends an attempt only
while the account may try (RETURNING the new count), and that charge is committed before the slow hash runs: so
parallel guesses on one account are counted one after another and never get more checks than the schedule allows,
and a right password is refused exactly when a wrong one would have been.

The schedule: 5 wrong passwords in a row are free; after that each one makes the next attempt wait 1 s, 2 s,
4 s, ... at most 60 s. An attempt made sooner is refused without checking the hash ("Too many wrong passwords for
this account. Try again in N seconds.", HTTP 429). There is no lock: whoever knows the password gets in after at
most a minute's wait, and a right password resets the count. And since someone who keeps guessing once a minute
could keep the owner waiting for ever, a browser this account has fully signed in from before (its
`portal_browser` cookie, portal.browsers) is not made to wait at sign-in: its attempts are still charged and
checked. The owner is mailed once, when the count first goes past the free ones.

Attempts still being checked count until they finish: more than five sign-ins of one account at the very same
moment may see a 1-second wait.

The per-IP limit on the sign-in endpoints (portal.rate_limits) is separate and still applies.
"""
import hashlib
import math
from datetime import datetime, timedelta

from flask import has_request_context, request
from flask_babel import ngettext
from sqlalchemy import bindparam, or_, update
from werkzeug.exceptions import TooManyRequests

from . import clock, security_log
from .browsers import COOKIE as BROWSER_COOKIE
from .extensions import db
from .models import KnownBrowser, User
from .notify import security_notice
from .passwords import verify_password

FREE_FAILURES = 5
FIRST_DELAY = 1  # seconds, doubling with each further failure
MAX_DELAY = 60


def delay_after(failures: int) -> int:
    """Seconds the next attempt waits once `failures` wrong passwords in a row have been charged."""
    if failures <= FREE_FAILURES:
        return 0
    return min(MAX_DELAY, FIRST_DELAY * 2 ** min(failures - FREE_FAILURES - 1, 16))


class TooManyWrongPasswords(TooManyRequests):
    """An attempt made while the account must wait: refused without checking the password. A 429; the sign-in
    pages show `message` on the form (portal.password_views), anything else gets the plain 429 page."""

    def __init__(self, wait: int):
        self.wait = max(1, int(wait))
        self.message = ngettext("Too many wrong passwords for this account. Try again in %(num)d second.",
                                "Too many wrong passwords for this account. Try again in %(num)d seconds.", self.wait)
        super().__init__(description=self.message, retry_after=self.wait)


# Statements on the table, not the mapped class: nothing loaded is synchronised.
_users = User.__table__
_CHARGE = (update(_users)
           .where(_users.c.id == bindparam("account_id"),
                  or_(_users.c.password_next_attempt_at.is_(None),
                      _users.c.password_next_attempt_at <= bindparam("checked_at")))
           .values(password_failures=_users.c.password_failures + 1)
           .returning(_users.c.password_failures))
# The same charge without the wait, for a browser the account has signed in from before.
_CHARGE_KNOWN_BROWSER = (update(_users).where(_users.c.id == bindparam("account_id"))
                         .values(password_failures=_users.c.password_failures + 1)
                         .returning(_users.c.password_failures))
_WAIT = (update(_users).where(_users.c.id == bindparam("account_id"))
         .values(password_next_attempt_at=bindparam("retry_at")))
_RESET = (update(_users).where(_users.c.id == bindparam("account_id"))
          .values(password_failures=0, password_next_attempt_at=None))


def check(user: User, password: str, right_place: bool = True, spare_known_browser: bool = True) -> bool:
    """Whether `password` is this person's, checked against the account's budget. Raises TooManyWrongPasswords,
    without checking, while the account must wait (unless `spare_known_browser` and this browser has signed in to
    it before: the sign-in pages; not "Change password", where a signed-in browser is known by definition).
    `right_place` False (the password was given at the other area's sign-in) makes even the right password a
    failure: the same answer, the same charge.

    A failure is recorded ("login.password_failed") and committed; a success resets the count in the caller's
    transaction (the caller commits)."""
    now, user_id, password_hash = clock.now(), user.id, user.password_hash  # read before the commit expires them
    failures = db.session.execute(_CHARGE, {"account_id": user_id, "checked_at": now}).scalar()
    if failures is None and spare_known_browser and _known_browser(user_id):
        failures = db.session.execute(_CHARGE_KNOWN_BROWSER, {"account_id": user_id}).scalar()
    if failures is None:
        wait = _seconds_to_wait(user_id, now)
        security_log.record("login.password_throttled", user_id)
        db.session.commit()
        raise TooManyWrongPasswords(wait)
    if failures > FREE_FAILURES:  # the next attempt waits, starting now (a right password lifts it below)
        db.session.execute(_WAIT, {"account_id": user_id, "retry_at": now + timedelta(seconds=delay_after(failures))})
    db.session.commit()  # the attempt counts before the slow hash runs, and no row is held while it does
    if verify_password(password_hash, password or "") and right_place:
        reset(user_id)
        return True
    security_log.record("login.password_failed", user_id)
    if failures == FREE_FAILURES + 1:  # the first failure past the free ones: the owner hears of it once
        security_log.record("login.password_slowed", user_id, failures=failures)
        security_notice(user, "login.password_slowed", failures=failures)
    db.session.commit()
    return False


def reset(user) -> None:
    """Forget the wrong passwords (a right one, or a new password) of `user` (a User or its id). In the caller's
    transaction."""
    db.session.execute(_RESET, {"account_id": getattr(user, "id", user)})


def _known_browser(user_id: int) -> bool:
    """Whether this request comes from a browser this account has signed in from before (portal.browsers)."""
    token = request.cookies.get(BROWSER_COOKIE) if has_request_context() else None
    if not (isinstance(token, str) and 20 <= len(token) <= 100):
        return False
    token_hash = hashlib.sha256(token.encode()).hexdigest()
    return db.session.scalar(db.select(KnownBrowser.id).where(KnownBrowser.user_id == user_id,
                                                              KnownBrowser.token_hash == token_hash)) is not None


def _seconds_to_wait(user_id: int, now: datetime) -> int:
    retry_at = db.session.scalar(db.select(User.password_next_attempt_at).where(User.id == user_id))
    if retry_at is None:
        return 1
    return max(1, math.ceil((retry_at - now).total_seconds()))
