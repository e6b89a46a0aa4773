"""Signed-in sessions live on the server (docs/architecture.md, "Sessions").

Each signed-in browser is a `user_sessions` row. Its cookie (Flask's signed session) holds a random token of 256
bits under "sid"; the row keeps only the token's SHA-256, so a copy of the database signs nobody in. Every request
of a signed-in person reads the row with its person in one indexed statement (Flask-Login's request loader), and
ends it when it has been idle or open too long. Signing out deletes the row: the cookie is then dead on every
worker and host, whatever copies of it exist.

Nothing secret is kept in the cookie: what a session or a pending sign-in must remember between requests (a
setup's unconfirmed secret, recovery codes to show once) is kept in its row (`state`), and the time of the last
fresh proof is a column.
"""
import hashlib
import json
import secrets
from datetime import timedelta

from flask import g, has_request_context, request, session
from flask_login import logout_user
from sqlalchemy import bindparam, delete
from sqlalchemy.orm import joinedload

from . import clock
from .extensions import db, login_manager
from .models import PendingLogin, User, UserSession
from .settings import get_setting

COOKIE_KEY = "sid"
PENDING_KEY = "pending_login"  # the pending sign-in's id (portal.twofactor.login)
CARRIED = {"recovery_codes", "sso"}  # state of a pending sign-in that its signed-in session keeps (sso: the
# identity provider's label, portal.sso)
TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often
STAFF = "agent"  # sessions of the agent console (agents and admins) follow the staff limits


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def limits(area: str) -> tuple[timedelta, timedelta]:
    """(idle, absolute) lifetime of a session of `area`, as the admin set them."""
    if area == STAFF:
        return (timedelta(minutes=get_setting("session_idle_minutes_staff")),
                timedelta(hours=get_setting("session_max_hours_staff")))
    return (timedelta(minutes=get_setting("session_idle_minutes_end_users")),
            timedelta(hours=get_setting("session_max_hours_end_users")))


def open_session(user: User, area: str, how: str, data: dict | None = None) -> UserSession:
    """Sign `user` in to `area` in this browser: a new row and a new cookie that holds only its token (whatever
    the cookie held before is dropped). `data`: server-side state carried over from the pending sign-in. The caller
    commits."""
    now = clock.now()
    token = secrets.token_urlsafe(32)
    row = UserSession(token_hash=_hash(token), user=user, area=area, how=how, created_at=now, last_seen_at=now,
                      fresh_at=now, ip=(request.remote_addr or "")[:64], user_agent=_user_agent(),
                      data=json.dumps(data) if data else "")
    db.session.add(row)
    session.clear()
    session[COOKIE_KEY] = token
    g.portal_session = row
    return row


def _user_agent() -> str:
    return (request.user_agent.string or "")[:300] if has_request_context() else ""


# With the person and their authenticators: every page of an area checks them (areas.area_required). Built once:
# the statement and its cache key are reused by every request.
_BY_TOKEN = (db.select(UserSession).where(UserSession.token_hash == bindparam("token_hash"))
             .options(joinedload(UserSession.user).joinedload(User.authenticators)))


def _load(token) -> UserSession | None:
    """The live session row for a cookie's token, with its person; an expired one, or one of a disabled account,
    is deleted."""
    if not isinstance(token, str) or not token or len(token) > 100:
        return None
    row = db.session.execute(_BY_TOKEN, {"token_hash": _hash(token)}).unique().scalar_one_or_none()
    if row is None:
        return None
    now = clock.now()
    idle, absolute = limits(row.area)
    if now - row.last_seen_at >= idle or now - row.created_at >= absolute or row.user.disabled_at is not None:
        db.session.delete(row)
        db.session.commit()
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
        db.session.commit()
    return row


def current() -> UserSession | None:
    """This request's signed-in session row (None when signed out)."""
    if "portal_session" not in g:
        g.portal_session = _load(session.get(COOKIE_KEY))
    return g.portal_session


def sign_out() -> None:
    """End this browser's session: its row is deleted and its cookie emptied. The caller commits."""
    row = current()
    if row is not None:
        db.session.delete(row)
    _forget_browser()


def _forget_browser() -> None:
    logout_user()  # Flask-Login's person of this request: anonymous from now on
    session.clear()
    g.portal_session = None


def end_all(user: User, keep_current: bool = False) -> int:
    """Sign `user` out of their sessions: all of them, or all but this browser's (keep_current). Returns how many
    were ended. The caller commits."""
    statement = delete(UserSession).where(UserSession.user_id == user.id)
    mine = current() if has_request_context() else None
    mine = mine if mine is not None and mine.user_id == user.id else None
    if mine is not None and keep_current:
        statement = statement.where(UserSession.id != mine.id)
    ended = db.session.execute(statement.execution_options(synchronize_session="fetch")).rowcount
    if mine is not None and not keep_current:
        _forget_browser()
    return ended


def of(user: User) -> list[UserSession]:
    """A person's live sessions, the most recently used first."""
    return list(db.session.scalars(db.select(UserSession).where(UserSession.user_id == user.id)
                                   .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())))


def owned(user: User, session_id) -> UserSession | None:
    """One of the person's own sessions by id (another person's id is never found)."""
    if not (isinstance(session_id, str) and session_id.isdigit() and len(session_id) < 12):
        return None
    return db.session.scalar(db.select(UserSession).where(UserSession.id == int(session_id),
                                                          UserSession.user_id == user.id))


# --- Server-side state of this browser: its signed-in session, else its pending sign-in ---------------------------

def _holder():
    row = current()
    if row is not None:
        return row
    pending_id = session.get(PENDING_KEY)
    return db.session.get(PendingLogin, pending_id) if isinstance(pending_id, str) and len(pending_id) < 100 else None


def _data(holder) -> dict:
    try:
        data = json.loads(holder.data or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def state(key: str):
    """A value this browser's session (or pending sign-in) keeps on the server, or None."""
    holder = _holder()
    return _data(holder).get(key) if holder is not None else None


def keep(key: str, value) -> bool:
    """Keep `value` under `key` on the server for this browser; False when it has no session nor pending
    sign-in to keep it in. The caller commits."""
    holder = _holder()
    if holder is None:
        return False
    data = _data(holder)
    data[key] = value
    holder.data = json.dumps(data)
    return True


def drop(key: str):
    """Forget `key` (returns what it held). The caller commits."""
    holder = _holder()
    if holder is None:
        return None
    data = _data(holder)
    value = data.pop(key, None)
    holder.data = json.dumps(data) if data else ""
    return value


def signed_in_area() -> str | None:
    """The area this browser is signed in to, if any (the layouts show their menus by it)."""
    row = current()
    return row.area if row is not None else None


def init_app(app) -> None:
    login_manager.session_protection = None  # the session row is what is checked, not Flask-Login's own marks
    app.add_template_global(signed_in_area)

    @login_manager.request_loader
    def load_user(_request):
        row = current()
        return row.user if row is not None else None
