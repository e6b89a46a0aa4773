"""Changing and resetting a password: one set of flows for both areas and the command line.

- `change`: a signed-in person gives their current password (charged to the account's budget of wrong passwords,
  portal.password_budget) and, when they have one, a code from one of their authenticators (through the
  second-factor failure budget, login.verify_factor); every other session ends.
- "Forgot your password?": `request_link` mails a single-use link to the account using an address, if there is
  one, and says nothing either way. The link's token is 256 random bits (secrets.token_urlsafe(32)); only its
  SHA-256 is stored (`password_resets`). It works for 30 minutes, once, and is void once a newer link is made or
  the password changes in any way. At most one link a minute and five an hour per account (counted in the
  table, under the person's row lock, so parallel requests can't overtake the count). `reset` sets the new
  password and ends every session; the person then signs in as if they had just typed it: the second factor,
  or the mandatory setup, still follows (password_views).
- `set_password`: what every change of password does (the two flows above and `flask user set-password`): hash
  it, forget the wrong-password count, void the links, end pending sign-ins and sessions, record, mail.

Every new password passes `portal.passwords.check_new_password` with the person's email and name.
"""
import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import bindparam, delete, func, update

from . import clock, security_log, sessions
from .account_status import DISABLED
from .extensions import db
from .mail import MailUnavailable, send_email
from .models import AGENT, PasswordReset, PendingLogin, User
from .notify import security_notice
from .password_budget import TooManyWrongPasswords
from .password_budget import check as check_within_budget
from .password_budget import reset as forget_wrong_passwords
from .passwords import check_new_password, hash_password
from .public_url import public_url
from .twofactor import devices, login, registry
from .twofactor.base import Outcome

log = logging.getLogger(__name__)

LIFETIME = timedelta(minutes=30)
RESEND_AFTER = timedelta(seconds=60)
HOURLY_CAP = 5
KEEP_ROWS = timedelta(days=1)  # spent links older than this are cleared when the person asks for a new one

SENT = _l("If an account uses that address, we sent a link to it. The link works once, for 30 minutes. "
          "Nothing arrived? Check your spam folder, or wait a minute and ask again.")
INVALID = _l("This link isn't valid. Check that you opened the whole link from the email, or ask for a new one.")
USED = _l("This link has already been used, or a newer one was sent. Ask for a new one if you still need it.")
EXPIRED = _l("This link has expired: links work for 30 minutes. Ask for a new one.")
WRONG_CURRENT = _l("That isn't your current password.")
SAME_AS_BEFORE = _l("Choose a password different from your current one.")

# The HTTP status of a refused code, by why (as the sign-in challenge answers).
CODE_STATUS = {Outcome.WRONG: 401, Outcome.REPLAY: 401, Outcome.EXPIRED: 401, Outcome.USED_UP: 401,
               Outcome.NO_CODE: 400, Outcome.THROTTLED: 429, Outcome.LOCKED: 403, Outcome.UNAVAILABLE: 503}

# Takes the person's row lock until the transaction ends (as portal.twofactor.email_codes does for its sends): link
# requests and resets for one person decide one after another. `id = id` changes nothing.
LOCK_PERSON = (update(User).where(User.id == bindparam("user_id")).values(id=User.id)
               .execution_options(synchronize_session=False))


class PasswordProblem(Exception):
    """A change the rules refuse: `message` for the person, on the form's `field` (None: about the link itself),
    and the HTTP status of the page that says so."""

    def __init__(self, field: str | None, message, status: int):
        message = str(message)  # a lazy message, said now in the page's language
        super().__init__(message)
        self.field, self.message, self.status = field, message, status


def user_inputs(user: User) -> list[str]:
    """What zxcvbn must not let a person's password be made of: their own email and name."""
    return [user.email, user.name]


def problem_with(user: User, password: str) -> str | None:
    """Why `password` can't be this person's new password, or None."""
    return check_new_password(password, user_inputs(user))


def area_name(user: User) -> str:
    """The area an account signs in to: agents (admins too) the agent console, end users the help center."""
    return "agent" if user.kind == AGENT else "helpcenter"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- Every change of password ---------------------------------------------------------------------------------

def set_password(user: User, password: str, event: str, *, keep_current: bool, actor=None) -> int:
    """Give `user` this (already checked) password: the count of wrong passwords is forgotten, every unused link is
    void, pending sign-ins end (one half-way through with the old password can't go on), and so do their sessions
    (all but this browser's with `keep_current`), and every remembered device is forgotten (a browser that skipped
    the second factor asks for it again). Recorded as `event`, mailed to the owner, committed. Returns how many
    sessions ended."""
    now = clock.now()
    forget_wrong_passwords(user)  # the users row first, as everywhere (LOCK_PERSON): then the links
    user.password_hash = hash_password(password)
    db.session.execute(update(PasswordReset).where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
                       .values(used_at=now).execution_options(synchronize_session=False))
    db.session.execute(delete(PendingLogin).where(PendingLogin.user_id == user.id)
                       .execution_options(synchronize_session=False))
    ended = sessions.end_all(user, keep_current=keep_current)
    devices.revoke_all(user, reason=event, notify=False)  # the notice below says so
    security_log.record(event, user, actor=actor, sessions_ended=ended)
    security_notice(user, event)
    db.session.commit()
    return ended


# --- Change password (signed in) ------------------------------------------------------------------------------

def change(user: User, current_password: str, new_password: str, authenticator, code: str) -> int:
    """Change a signed-in person's password. `authenticator` (one of their confirmed ones, or None when they have
    none) checks `code`. Raises PasswordProblem, having changed nothing: a new password that fails the rule (checked
    first: nothing is spent on it), a wrong current password or a refused code. Returns how many other sessions
    ended."""
    reason = problem_with(user, new_password)
    if reason:
        raise PasswordProblem("new_password", reason, 400)
    try:
        right = check_within_budget(user, current_password, spare_known_browser=False)
    except TooManyWrongPasswords as refused:
        raise PasswordProblem("current_password", refused.message, 429) from None
    if not right:
        raise PasswordProblem("current_password", WRONG_CURRENT, 401)
    db.session.commit()  # the right password resets the wrong-password count, whatever the code does next
    if new_password == current_password:
        raise PasswordProblem("new_password", SAME_AS_BEFORE, 400)
    if authenticator is not None:
        outcome = login.verify_factor(user, authenticator, code, code_purpose())
        if outcome is not Outcome.OK:
            db.session.commit()
            method = registry.method(authenticator.method)
            message = method.code_message(outcome) if method else _("That code can't be checked now.")
            raise PasswordProblem("code", message, CODE_STATUS.get(outcome, 401))
    return set_password(user, new_password, "password.changed", keep_current=True)


def code_purpose() -> str:
    """What an emailed code for "Change password" is bound to: this signed-in session."""
    row = sessions.current()
    return f"password:{row.id if row is not None else 0}"


# --- Forgot your password? ------------------------------------------------------------------------------------

def request_link(email: str) -> None:
    """Mail a reset link to the account that uses `email`, if there is one and its limits allow. Says nothing
    either way: the page shows the same answer (SENT) whatever happened here."""
    user = db.session.scalar(db.select(User).where(User.email == login.normalise_email(email)))
    if user is None or user.disabled_at is not None:  # a disabled account gets no link either
        _hash(secrets.token_urlsafe(32))  # the same small work as for an account
        return
    user_id = user.id
    db.session.execute(LOCK_PERSON, {"user_id": user_id})
    now = clock.now()
    if _refused(user_id, now):
        db.session.commit()  # ends the transaction: the lock goes
        return
    token = secrets.token_urlsafe(32)
    row = PasswordReset(user_id=user_id, token_hash=_hash(token), created_at=now, expires_at=now + LIFETIME)
    db.session.add(row)
    db.session.flush()
    row_id = row.id
    db.session.execute(update(PasswordReset).where(PasswordReset.user_id == user_id, PasswordReset.id < row_id,
                                                   PasswordReset.used_at.is_(None))
                       .values(used_at=now).execution_options(synchronize_session=False))
    db.session.execute(delete(PasswordReset).where(PasswordReset.user_id == user_id,
                                                   PasswordReset.created_at < now - KEEP_ROWS)
                       .execution_options(synchronize_session=False))
    db.session.commit()
    link = public_url(f"{area_name(user)}.reset_password", token=token)
    try:
        send_email(user.email, _l("Reset your password"), "password_reset", user=user, link=link,
                   minutes=int(LIFETIME.total_seconds() // 60))
    except MailUnavailable:
        db.session.rollback()
        db.session.execute(delete(PasswordReset).where(PasswordReset.id == row_id))  # no link is left valid
        db.session.commit()
        log.warning("password reset link for user %s could not be sent; no link left valid", user_id)
        return
    security_log.record("password.reset_requested", user_id)
    db.session.commit()


def _refused(user_id: int, now) -> bool:
    """Whether this account already had a link in the last minute, or five in the last hour. A decision only
    under the person's row lock (request_link takes it first)."""
    last, sent = db.session.execute(
        db.select(func.max(PasswordReset.created_at),
                  func.count(PasswordReset.id).filter(PasswordReset.created_at > now - timedelta(hours=1)))
        .where(PasswordReset.user_id == user_id)).one()
    return (last is not None and now - last < RESEND_AFTER) or sent >= HOURLY_CAP


@dataclass
class Link:
    """What a reset link leads to: its person, or why it can't be used (`problem`, with the page's status)."""
    user: User | None = None
    row_id: int | None = None
    problem: str | None = None
    status: int = 200


def find(token, kind: str) -> Link:
    """The live link with this token for an account of `kind` (the area's people), or why not."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return Link(problem=INVALID, status=404)
    row = db.session.scalar(db.select(PasswordReset).where(PasswordReset.token_hash == _hash(token)))
    user = db.session.get(User, row.user_id) if row is not None else None
    if row is None or user is None or user.kind != kind:
        return Link(problem=INVALID, status=404)
    if user.disabled_at is not None:
        return Link(problem=DISABLED, status=403)
    if row.used_at is not None:
        return Link(problem=USED, status=410)
    if clock.now() >= row.expires_at:
        return Link(problem=EXPIRED, status=410)
    return Link(user=user, row_id=row.id)


def reset(token, kind: str, new_password: str) -> User:
    """Set a new password with a reset link: the password must pass the rule (a refusal keeps the link usable),
    then the link is spent with one conditional UPDATE (of two parallel uses, one wins) and every session ends.
    Raises PasswordProblem. Returns the person, who then signs in with the new password."""
    link = find(token, kind)
    if link.problem:
        raise PasswordProblem(None, link.problem, link.status)
    user = link.user
    reason = problem_with(user, new_password)
    if reason:
        raise PasswordProblem("password", reason, 400)
    db.session.execute(LOCK_PERSON, {"user_id": user.id})
    now = clock.now()
    spent = db.session.execute(
        update(PasswordReset).where(PasswordReset.id == link.row_id, PasswordReset.used_at.is_(None),
                                    PasswordReset.expires_at > now)
        .values(used_at=now).execution_options(synchronize_session=False)).rowcount
    if spent != 1:
        db.session.rollback()
        again = find(token, kind)
        raise PasswordProblem(None, again.problem or USED, again.status if again.problem else 410)
    set_password(user, new_password, "password.reset", keep_current=False)
    return user
