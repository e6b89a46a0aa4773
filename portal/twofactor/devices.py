"""Remembered devices: "Remember this device" skips the second factor on this browser for a number of days the
admin sets (setting `remember_device_days`; 0 turns it off).

The browser keeps a signed cookie naming the person, their session version and a random token; only a hash of
the token is stored. A device stops being recognised when it expires, when it is revoked (by the person, one
by one or all at once), when any factor changes, when an admin resets the person's 2FA, and when the person's
session version is bumped (password change, "sign out everywhere").
"""
import hashlib
import re
import secrets
from datetime import timedelta

from flask import current_app, request
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import update

from .. import clock, security_log
from ..extensions import db
from ..models import RememberedDevice, User
from ..notify import security_notice
from ..safe_url import row_id
from ..settings import get_setting

COOKIE = "portal_device"
_SALT = "portal.remembered-device"


def days() -> int:
    """How long a device is remembered; 0 when the admin turned remembering off."""
    try:
        return max(0, int(get_setting("remember_device_days") or 0))
    except (TypeError, ValueError):
        return 0


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=_SALT)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def remember(user: User, response) -> RememberedDevice | None:
    """Remember this browser for `user` (after a successful second factor) by setting the cookie on `response`."""
    remember_days = days()
    if remember_days <= 0:
        return None
    token = secrets.token_urlsafe(32)
    now = clock.now()
    device = RememberedDevice(user_id=user.id, token_hash=_hash(token), created_at=now, last_used_at=now,
                              expires_at=now + timedelta(days=remember_days),
                              user_agent=(request.user_agent.string or "")[:300], ip=(request.remote_addr or "")[:64])
    db.session.add(device)
    security_log.record("device.remembered", user, actor=user, browser=browser_label(device.user_agent, False))
    security_notice(user, "device.remembered", browser=browser_label(device.user_agent))
    db.session.commit()
    value = _serializer().dumps({"u": user.id, "v": user.session_version, "t": token})
    response.set_cookie(COOKIE, value, max_age=remember_days * 86400, path="/", httponly=True, samesite="Lax",
                        secure=bool(request.is_secure or current_app.config.get("SESSION_COOKIE_SECURE")))
    return device


def recognised(user: User) -> RememberedDevice | None:
    """This browser's live remembered device for `user`, or None. Marks it used."""
    raw = request.cookies.get(COOKIE)
    if not raw or days() <= 0 or user.admin_locked:
        return None
    try:
        data = _serializer().loads(raw)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("u") != user.id or data.get("v") != user.session_version \
            or not isinstance(data.get("t"), str):
        return None
    now = clock.now()
    device = db.session.scalar(db.select(RememberedDevice).where(
        RememberedDevice.token_hash == _hash(data["t"]), RememberedDevice.user_id == user.id,
        RememberedDevice.revoked_at.is_(None), RememberedDevice.expires_at > now))
    if device is not None:
        device.last_used_at = now
    return device


def active(user: User) -> list[RememberedDevice]:
    return list(db.session.scalars(db.select(RememberedDevice).where(
        RememberedDevice.user_id == user.id, RememberedDevice.revoked_at.is_(None),
        RememberedDevice.expires_at > clock.now()).order_by(RememberedDevice.created_at.desc())))


def owned(user: User, device_id) -> RememberedDevice | None:
    """The person's own live device with this id; another person's id is never found."""
    wanted = row_id(device_id)
    return next((d for d in active(user) if d.id == wanted), None)


def revoke(user: User, device: RememberedDevice) -> None:
    device.revoked_at = clock.now()
    security_log.record("device.revoked", user, actor=user, browser=browser_label(device.user_agent, False))
    security_notice(user, "device.revoked", browser=browser_label(device.user_agent))
    db.session.commit()


def revoke_all(user: User, reason: str, notify: bool = True) -> int:
    """Forget every remembered device of `user` (in the caller's transaction). Returns how many were live."""
    count = db.session.execute(
        update(RememberedDevice).where(RememberedDevice.user_id == user.id, RememberedDevice.revoked_at.is_(None))
        .values(revoked_at=clock.now()).execution_options(synchronize_session=False)
    ).rowcount
    if count:
        security_log.record("device.revoked", user, reason=reason, count=count)
        if notify:
            security_notice(user, "device.revoked", count=count)
    return count


_BROWSERS = [("Edge", r"Edg/"), ("Opera", r"OPR/"), ("Firefox", r"Firefox/"), ("Chrome", r"Chrom(e|ium)/"),
             ("Safari", r"Safari/")]
_SYSTEMS = [("Android", r"Android"), ("iPhone", r"iPhone"), ("iPad", r"iPad"), ("Windows", r"Windows"),
            ("macOS", r"Mac OS X|Macintosh"), ("ChromeOS", r"CrOS"), ("Linux", r"Linux")]


def browser_label(user_agent: str, translated: bool = True) -> str:
    """A short, human name for a browser: "Firefox on Windows", in the reader's language; `translated=False`: in
    English, for the security log's details."""
    ua = user_agent or ""
    browser = next((name for name, pattern in _BROWSERS if re.search(pattern, ua)), None)
    system = next((name for name, pattern in _SYSTEMS if re.search(pattern, ua)), None)
    if browser and system:
        return _("%(browser)s on %(system)s", browser=browser, system=system) if translated else \
            f"{browser} on {system}"
    return browser or system or (_("Unknown browser") if translated else "Unknown browser")
