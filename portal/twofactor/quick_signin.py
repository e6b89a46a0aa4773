"""The sign-in's second-factor step when the code is right, in as few statements as it takes (DESIGN.md, "Cost of
a second factor"; measured in bench/).

A correct authenticator-app code at the sign-in challenge makes four writes in one transaction: the time step is
claimed (totp.CLAIM_STEP, the replay guard), the account admitted (lockout.admission: its failure budget refunded
and last_login_at stamped, only while it may try), the pending sign-in ended (login.CLAIM_PENDING, the one-time
claim) and login.success recorded. `accept` reads the pending sign-in with its person's confirmed authenticators in
one statement, checks the code, and sends those writes: on PostgreSQL as one statement (data-modifying CTEs), on
SQLite one after another; each is compiled once and sent straight to the driver (portal.prepared), on a
connection of its own rather than the request's ORM session. Each of the first three must update exactly one
row, or nothing is kept. Once they are committed it opens the signed-in session, as login.complete does for the
general way.

It only ever accepts. Everything else (no pending sign-in or an expired one, another area, a code the challenge
form would refuse, "Remember this device", a method other than the built-in TOTP, keys that cannot read the
secret, a wrong or replayed code, an account that must wait or is locked, a sign-in another request finished)
is left untouched, rolled back, to the general way (login.attempt, login.complete), which decides, counts and
records it. So each refusal has one implementation, and this path accepts exactly when that one would, with the
same rows written and the same session (tests/security/test_quick_signin.py).
"""
from dataclasses import dataclass
from functools import cache

from flask import request, session
from sqlalchemy import bindparam, func, literal_column, select

from .. import clock, security_log
from ..extensions import db
from ..models import Authenticator, PendingLogin, User
from ..prepared import prepared
from . import lockout, login, registry, totp
from .forms import plain_code

_pending, _users, _authenticators = PendingLogin.__table__, User.__table__, Authenticator.__table__

# The pending sign-in, its person and their confirmed authenticators (one row each, in the person's order).
_READ = (select(_pending.c.user_id, _pending.c.area, _pending.c.expires_at, _pending.c.next_url, _users.c.kind,
                _users.c.session_version, _authenticators.c.id, _authenticators.c.method,
                _authenticators.c.secret_enc, _authenticators.c.is_default)
         .join(_users, _users.c.id == _pending.c.user_id)
         .join(_authenticators, (_authenticators.c.user_id == _users.c.id)
               & _authenticators.c.confirmed_at.is_not(None))
         .where(_pending.c.id == bindparam("pending_id"))
         .order_by(_authenticators.c.created_at))


@dataclass(frozen=True)
class Accepted:
    next_url: str | None  # the pending sign-in's safe local `next`


def accept(area: str) -> Accepted | None:
    """Accept this request's code for the sign-in waiting in its session, commit it and open the signed-in
    session; None when it is anything but a right code for that sign-in (nothing written: the general way
    decides)."""
    pending_id, form = session.get(login.SESSION_KEY), request.form
    code, wanted = form.get("code"), form.get("authenticator_id") or None
    if not isinstance(pending_id, str) or not plain_code(code) or "remember" in form:
        return None
    # A connection of its own, not the request's ORM session (which the general way uses if this declines): its
    # transaction is committed here or rolled back when it goes back to the pool.
    with db.engine.connect() as connection:
        return _accept(connection, area, pending_id, code, wanted)


def _accept(connection, area: str, pending_id: str, code: str, wanted) -> Accepted | None:
    rows = connection.execute(_READ, {"pending_id": pending_id}).all()
    now = clock.now()  # one instant for the whole step: the code's time step, the stamps and the event
    if not rows or rows[0].area != area or login.expired(rows[0].expires_at, now):
        return None
    authenticator = login.choose_authenticator(rows, wanted)
    if authenticator is None or not isinstance(registry.method(authenticator.method), totp.TotpMethod):
        return None
    try:
        claim = totp.step_claim(authenticator.id, authenticator.secret_enc, code, now)
    except Exception:  # the keys cannot read the secret, or the check broke: the general way fails the same way,
        return None    # having counted the attempt (lockout._run)
    if claim is None:
        return None
    person = rows[0]
    # Only what login_user reads, in no database session (open_session(partial=True): current_user loads the
    # whole row if this request ever reads it).
    user = User(id=person.user_id, kind=person.kind, session_version=person.session_version)
    admit, admit_params = lockout.admission(user, login.signed_in_now(now), now)
    event = security_log.event_row("login.success", user, at=now, how=authenticator.method)
    params = {**claim, **admit_params, "pending_id": pending_id, **security_log.within_params(event)}
    if not _write(connection, admit, params):
        connection.rollback()
        return None
    connection.commit()
    security_log.written(event)
    login.open_session(user, area, now, partial=True)
    return Accepted(person.next_url)


def _write(connection, admit, params: dict) -> bool:
    """The four writes; True when each of the first three updated its one row."""
    if connection.dialect.name == "postgresql":
        return tuple(prepared(_all_at_once(admit)).execute(connection, params).one()) == (1, 1, 1)
    for statement in (totp.CLAIM_STEP, admit, login.CLAIM_PENDING):
        if prepared(statement).execute(connection, params).rowcount != 1:
            return False
    prepared(security_log.INSERT_WITHIN).execute(connection, params)
    return True


@cache
def _all_at_once(admit):
    """PostgreSQL: the four writes as one statement, saying how many rows each of the first three updated. They
    run on one snapshot and touch different tables; the caller rolls back unless each is 1."""
    def updated(statement, name):
        cte = statement.returning(literal_column("1")).cte(name)
        return select(func.count()).select_from(cte).scalar_subquery()

    return select(updated(totp.CLAIM_STEP, "claimed"), updated(admit, "admitted"),
                  updated(login.CLAIM_PENDING, "ended")).add_cte(security_log.INSERT_WITHIN.cte("recorded"))
