"""The login state machine shared by the agent console and the help center (docs/architecture.md, "Signing in").

1. password OK -> the session holds only the id of a PendingLogin row (not signed in);
2. a confirmed authenticator -> challenge; 3. none but 2FA required -> mandatory setup;
4. success -> the session is cleared, the person signed in, the event recorded, a local `next` followed.
"""
import secrets
from datetime import timedelta

import json

from flask import current_app, session
from flask_babel import LazyString
from sqlalchemy import bindparam, delete, exists, update
from sqlalchemy.orm import joinedload, with_expression
from sqlalchemy.orm.exc import ObjectDeletedError

from .. import browsers, clock, security_log, sessions
from ..account_status import refuse_if_disabled
from ..extensions import db
from ..models import RECOVERY_UNDER_WAY, AccountRecovery, Authenticator, PendingLogin, RecoveryCode, User
from ..passwords import verify_password
from ..safe_url import local_path
from ..sso.providers import ONLY_SSO_PROVIDER
from . import devices, lockout, policy, registry
from .base import Outcome

SESSION_KEY = sessions.PENDING_KEY


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


# The person by email, with their authenticators and any SSO-only provider (built once, reused by every sign-in).
_BY_EMAIL = (db.select(User).where(User.email == bindparam("email"))
             .options(joinedload(User.authenticators), with_expression(User.only_sso_provider, ONLY_SSO_PROVIDER)))


def check_password(email: str, password: str, kind: str) -> User | None:
    """The person with this email and password who may sign in to this area, or None. Their authenticators come
    in the same statement: the next step depends on them. Every attempt on an existing account is charged to its
    budget of wrong passwords first (portal.password_budget): while it must wait, TooManyWrongPasswords is raised
    without checking the hash; a right password resets the count (the caller's begin() commits that)."""
    from ..password_budget import check as check_within_budget

    user = db.session.execute(_BY_EMAIL, {"email": normalise_email(email)}).unique().scalar_one_or_none()
    if user is None:
        verify_password(None, password or "")  # the same work as for an account: timing tells no one it is missing
        return None
    if not check_within_budget(user, password or "", right_place=user.kind == kind):
        return None
    refuse_if_disabled(user)  # only a right password learns that the account is disabled
    return user


# Statements on the tables, not the mapped classes: nothing loaded needs synchronising, and Core skips the ORM's
# bulk-statement machinery.
_pending_logins, _authenticators, _users = PendingLogin.__table__, Authenticator.__table__, User.__table__
# Ends a pending sign-in: the one-time claim of step 4 (it deletes one row exactly when this request is first).
CLAIM_PENDING = delete(_pending_logins).where(_pending_logins.c.id == bindparam("pending_id"))
_STAMP_USED = (update(_authenticators).where(_authenticators.c.id == bindparam("authenticator_id"))
               .values(last_used_at=bindparam("now")))
_STAMP_SIGNED_IN = update(_users).where(_users.c.id == bindparam("account_id")).values(last_login_at=bindparam("now"))
_COUNT_FAILURE = (update(_pending_logins).where(_pending_logins.c.id == bindparam("pending_id"))
                  .values(failures=_pending_logins.c.failures + 1).returning(_pending_logins.c.failures))


def begin(user: User, area: str, next_url: str | None, event: str | None = "login.password_ok",
          sso: str | None = None) -> PendingLogin:
    """Step 1: the password was right (or a passkey, `event` None: passkey_login; or, with `sso`, the label of the
    identity provider that vouched for the person: portal.sso). The session holds only the id of the pending
    sign-in (a session this browser had is ended: one person signed in per browser). Every way of signing in
    starts here, so a disabled account is refused here (AccountDisabled, a 403)."""
    refuse_if_disabled(user)
    earlier = session.get(SESSION_KEY)
    if isinstance(earlier, str):  # this browser's earlier sign-in (expired, or given up) ends here
        db.session.execute(CLAIM_PENDING, {"pending_id": earlier})
    sessions.sign_out()
    now = clock.now()
    pending = PendingLogin(
        id=secrets.token_urlsafe(32), user=user, area=area, created_at=now,
        expires_at=now + timedelta(seconds=current_app.config["PENDING_LOGIN_SECONDS"]),
        next_url=local_path(next_url), failures=0, data=json.dumps({"sso": sso}) if sso else "",
    )
    db.session.add(pending)
    if sso:
        security_log.record("login.sso_ok", user, provider=sso)
    elif event:
        security_log.record(event, user)
    db.session.commit()
    session[SESSION_KEY] = pending.id
    return pending


# The pending login with its person, their authenticators and whether they have a recovery code left, in one
# statement (the challenge page needs all of them).
_HAS_RECOVERY_CODES = exists().where(RecoveryCode.user_id == PendingLogin.user_id, RecoveryCode.used_at.is_(None))
_RECOVERY_UNDER_WAY = exists().where(AccountRecovery.user_id == PendingLogin.user_id,
                                     AccountRecovery.state.in_(RECOVERY_UNDER_WAY))
_PENDING = (db.select(PendingLogin).where(PendingLogin.id == bindparam("pending_id"))
            .options(joinedload(PendingLogin.user).joinedload(User.authenticators),
                     with_expression(PendingLogin.has_recovery_codes, _HAS_RECOVERY_CODES),
                     with_expression(PendingLogin.recovery_under_way, _RECOVERY_UNDER_WAY)))


def current(area: str) -> PendingLogin | None:
    """The pending login in this session for this area, if it has not expired."""
    pending_id = session.get(SESSION_KEY)
    if not isinstance(pending_id, str):
        return None
    pending = db.session.execute(_PENDING, {"pending_id": pending_id}).unique().scalar()
    if pending is None or pending.area != area:
        return None
    if expired(pending.expires_at):
        return None  # left for the sign-in page, which ends it and keeps its address (forget_expired)
    return pending


def cancel(area: str) -> None:
    """The person gives up this browser's sign-in under way ("Sign out", "Use a different account")."""
    pending_id = session.get(SESSION_KEY)
    if isinstance(pending_id, str):
        db.session.execute(CLAIM_PENDING, {"pending_id": pending_id})
    sessions.sign_out()
    db.session.commit()


def forget_expired(area: str) -> str | None:
    """End this browser's expired pending sign-in of `area`, if there is one, and return its email address (the
    sign-in page shows it again, once)."""
    pending_id = session.get(SESSION_KEY)
    if not isinstance(pending_id, str):
        return None
    pending = db.session.execute(_PENDING, {"pending_id": pending_id}).unique().scalar()
    if pending is None or pending.area != area or not expired(pending.expires_at):
        return None
    email = pending.user.email
    db.session.delete(pending)
    db.session.commit()
    session.pop(SESSION_KEY, None)
    return email


def expired(expires_at, now=None) -> bool:
    return (now or clock.now()) >= expires_at


def pending_user(pending: PendingLogin) -> User:
    return pending.user  # loaded with it by current(): no statement


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
    if db.session.execute(CLAIM_PENDING, {"pending_id": pending_id}).rowcount != 1:
        db.session.rollback()
        session.pop(SESSION_KEY, None)
        raise AlreadyCompleted()
    carried, recovery_under_way = _carried(pending.data), pending.recovery_under_way
    db.session.expunge(pending)
    user = db.session.get(User, user_id)
    db.session.execute(_STAMP_SIGNED_IN, {"account_id": user_id, "now": clock.now()})
    security_log.record("login.success", user, how=how, **({"sso": carried["sso"]} if "sso" in carried else {}))
    if recovery_under_way is not False:  # None: not loaded with the pending sign-in (begin() made it just now)
        from ..account_recovery.flow import owner_signed_in
        owner_signed_in(user, how)  # the owner's second factor stops a recovery of their account
    row = sessions.open_session(user, area, how, data=carried)  # a new cookie: only the new session's token
    # A browser never seen: the owner is told, its name written in their language when the notice is (a lazy
    # string: nothing is worked out for the sign-ins that send no notice).
    browsers.note_sign_in(user, area, LazyString(devices.browser_label, row.user_agent))
    db.session.commit()
    return next_url


def _carried(data: str) -> dict:
    """What the pending sign-in kept on the server that the signed-in session goes on with (the recovery codes a
    mandatory setup made, to be shown once)."""
    try:
        kept = json.loads(data or "{}")
    except ValueError:
        return {}
    return {k: v for k, v in kept.items() if k in sessions.CARRIED} if isinstance(kept, dict) else {}


def challenge_authenticator(user: User, wanted_id) -> Authenticator | None:
    """The authenticator to challenge with: the one asked for (only if it is this person's), else the default."""
    return choose_authenticator(user.confirmed_authenticators, wanted_id)


def choose_authenticator(confirmed: list, wanted_id):
    """Of a person's confirmed authenticators (anything with `id` and `is_default`), the one asked for by id, else
    the default one, else the first."""
    if wanted_id is not None:
        return next((a for a in confirmed if str(a.id) == str(wanted_id)), None)
    return next((a for a in confirmed if a.is_default), confirmed[0] if confirmed else None)


def verify_factor(user: User, authenticator: Authenticator, code: str, purpose: str) -> Outcome:
    """Check a code against the account's failure budget (lockout.guarded). A failure is charged to the budget; a
    success refunds it and is stamped on the authenticator."""
    method = registry.method(authenticator.method)

    def check() -> Outcome:
        return method.verify(authenticator, code, purpose) if method else Outcome.UNAVAILABLE

    slow = not (method and method.quick_check)
    outcome = lockout.guarded(user, authenticator.method, check, slow=slow, authenticator=authenticator.name)
    if outcome is Outcome.OK:
        db.session.execute(_STAMP_USED, {"authenticator_id": authenticator.id, "now": clock.now()})
    return outcome


def attempt(pending: PendingLogin, authenticator: Authenticator, code: str) -> Outcome:
    """One try at the login challenge. Wrong codes also count against this pending login; too many and the
    password is asked again. On OK the caller completes the sign-in in the same transaction."""
    pending_id, user = pending.id, pending_user(pending)
    outcome = verify_factor(user, authenticator, code, f"login:{pending_id}")
    _count_against_pending(pending_id, outcome)
    return outcome


def attempt_recovery(pending: PendingLogin, code: str) -> Outcome:
    """One try with a recovery code instead of the authenticator: the same budgets as a code; a used code
    is spent for good and its owner is told."""
    from . import recovery

    pending_id, user = pending.id, pending_user(pending)
    outcome = lockout.guarded(user, "recovery", lambda: recovery.use(user, code), slow=True)  # argon2id hashes
    if outcome is Outcome.OK:
        recovery.announce_use(user)
    _count_against_pending(pending_id, outcome)
    return outcome


def _count_against_pending(pending_id: str, outcome: Outcome) -> None:
    if outcome not in (Outcome.WRONG, Outcome.REPLAY, Outcome.EXPIRED, Outcome.USED_UP):
        return
    failures = db.session.execute(_COUNT_FAILURE, {"pending_id": pending_id}).scalar()
    if failures is None or failures >= current_app.config["PENDING_LOGIN_MAX_FAILURES"]:
        db.session.execute(CLAIM_PENDING, {"pending_id": pending_id})
        session.pop(SESSION_KEY, None)
    db.session.commit()
