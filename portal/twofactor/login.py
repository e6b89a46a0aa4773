"""The login state machine shared by the agent console and the help center (DESIGN.md, "Login state machine").

1. password OK -> the session holds only the id of a PendingLogin row (not logged in);
2. a confirmed authenticator -> challenge; 3. none but 2FA required -> mandatory setup;
4. success -> the session is cleared, the person logged in, the event recorded, a local `next` followed.
"""
import secrets
from datetime import timedelta

from flask import current_app, session
from flask_login import login_user
from sqlalchemy import delete, update
from sqlalchemy.orm.exc import ObjectDeletedError

from .. import clock, security_log
from ..extensions import db
from ..models import Authenticator, PendingLogin, User
from ..passwords import verify_password
from ..safe_url import local_path
from . import lockout, policy, registry
from .base import Outcome

SESSION_KEY = "pending_login"


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def check_password(email: str, password: str, kind: str) -> User | None:
    """The person with this email and password who may sign in to this area, or None."""
    user = db.session.scalar(db.select(User).where(User.email == normalise_email(email)))
    ok = verify_password(user.password_hash if user else None, password or "")
    if not ok or user.kind != kind:
        if user is not None:
            security_log.record("login.password_failed", user)
            db.session.commit()
        return None
    return user


def begin(user: User, area: str, next_url: str | None) -> PendingLogin:
    session.clear()
    now = clock.now()
    pending = PendingLogin(
        id=secrets.token_urlsafe(32), user_id=user.id, area=area, created_at=now,
        expires_at=now + timedelta(seconds=current_app.config["PENDING_LOGIN_SECONDS"]),
        next_url=local_path(next_url), failures=0,
    )
    db.session.add(pending)
    security_log.record("login.password_ok", user)
    db.session.commit()
    session[SESSION_KEY] = pending.id
    return pending


def current(area: str) -> PendingLogin | None:
    """The pending login in this session for this area, if it has not expired."""
    pending_id = session.get(SESSION_KEY)
    if not isinstance(pending_id, str):
        return None
    pending = db.session.get(PendingLogin, pending_id)
    if pending is None or pending.area != area:
        return None
    if clock.now() >= pending.expires_at:
        db.session.delete(pending)
        db.session.commit()
        session.pop(SESSION_KEY, None)
        return None
    return pending


def pending_user(pending: PendingLogin) -> User:
    return db.session.get(User, pending.user_id)


def next_step(user: User) -> str:
    """'challenge', 'setup' (mandatory) or 'done' (no second factor configured nor required)."""
    if user.confirmed_authenticators:
        return "challenge"
    if policy.needs_setup(user):
        return "setup"
    return "done"


class AlreadyCompleted(Exception):
    """Another request finished this pending login first."""


def complete(pending: PendingLogin, how: str) -> str | None:
    """Finish the sign-in: a fresh session that holds the login. Returns the safe `next` path, if any.
    Deleting the pending row is the commit point: if another request already did, this one fails."""
    try:
        pending_id, user_id, next_url, area = pending.id, pending.user_id, pending.next_url, pending.area
    except ObjectDeletedError:
        raise AlreadyCompleted() from None
    user = db.session.get(User, user_id)
    claimed = db.session.execute(
        delete(PendingLogin).where(PendingLogin.id == pending_id).execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        session.pop(SESSION_KEY, None)
        raise AlreadyCompleted()
    db.session.expunge(pending)
    user.last_login_at = clock.now()
    security_log.record("login.success", user, how=how)
    db.session.commit()
    session.clear()
    login_user(user)
    session["area"] = area
    session["fresh_at"] = clock.epoch(clock.now())
    return next_url


def challenge_authenticator(user: User, wanted_id) -> Authenticator | None:
    """The authenticator to challenge with: the one asked for (only if it is this person's), else the default."""
    confirmed = user.confirmed_authenticators
    if wanted_id is not None:
        return next((a for a in confirmed if str(a.id) == str(wanted_id)), None)
    return next((a for a in confirmed if a.is_default), confirmed[0] if confirmed else None)


def verify_factor(user: User, authenticator: Authenticator, code: str, purpose: str) -> Outcome:
    """Check a code against the account's failure budget (lockout.guarded). Used by the login challenge and
    by fresh proof. The attempt is charged before the code is checked; success refunds the budget."""
    method = registry.method(authenticator.method)

    def check() -> Outcome:
        return method.verify(authenticator, code, purpose) if method else Outcome.UNAVAILABLE

    outcome = lockout.guarded(user, authenticator.method, check, authenticator=authenticator.name)
    if outcome is Outcome.OK:
        authenticator.last_used_at = clock.now()
        db.session.flush()
    return outcome


def attempt(pending: PendingLogin, authenticator: Authenticator, code: str) -> Outcome:
    """One try at the login challenge. Wrong codes also count against this pending login; too many and the
    password is asked again."""
    pending_id, user = pending.id, pending_user(pending)
    outcome = verify_factor(user, authenticator, code, f"login:{pending_id}")
    _count_against_pending(pending_id, outcome)
    return outcome


def attempt_recovery(pending: PendingLogin, code: str) -> Outcome:
    """One try with a recovery code instead of the authenticator: the same budgets as a code; a used code
    is spent for good and its owner is told."""
    from . import recovery

    pending_id, user = pending.id, pending_user(pending)
    outcome = lockout.guarded(user, "recovery", lambda: recovery.use(user, code))
    if outcome is Outcome.OK:
        recovery.announce_use(user)
    _count_against_pending(pending_id, outcome)
    return outcome


def _count_against_pending(pending_id: str, outcome: Outcome) -> None:
    if outcome not in (Outcome.WRONG, Outcome.REPLAY, Outcome.EXPIRED, Outcome.USED_UP):
        return
    db.session.execute(
        update(PendingLogin).where(PendingLogin.id == pending_id)
        .values(failures=PendingLogin.failures + 1).execution_options(synchronize_session=False)
    )
    db.session.commit()
    failures = db.session.scalar(db.select(PendingLogin.failures).where(PendingLogin.id == pending_id))
    if failures is None or failures >= current_app.config["PENDING_LOGIN_MAX_FAILURES"]:
        db.session.execute(delete(PendingLogin).where(PendingLogin.id == pending_id))
        db.session.commit()
        session.pop(SESSION_KEY, None)
