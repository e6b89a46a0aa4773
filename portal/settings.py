"""Admin-editable policy stored in the `settings` table, read fresh on every request so a change applies at once.

Which 2FA methods are on is not a setting: it is the plugin's `active` flag (portal.twofactor.registry), the
one source of truth behind both Auth & SSO's switches and Manage > Plugins.
"""
import json
from datetime import datetime

from flask import g

from .extensions import db
from .models import Setting

DEFAULTS = {
    "require_agents_2fa": False,
    "require_end_users_2fa": False,
    "require_admin_security_key": False,  # portal.admin.security_keys: admins must have a security key or passkey
    "require_admins_2fa": False,  # admins only (beside "require agents", which includes them)
    "grace_until": None,  # ISO naive-UTC datetime string, or None for no grace period
    "grace_timezone": "UTC",  # the zone the admin entered the grace date in; Auth & SSO shows it back in it
    "remember_device_days": 30,  # 0 turns "Remember this device" off
    "portal_name": "Helpdesk",
    # How long a signed-in session lasts (portal.sessions): idle, and in all. Staff: agents and admins.
    "session_idle_minutes_staff": 120,
    "session_max_hours_staff": 12,
    "session_idle_minutes_end_users": 24 * 60,
    "session_max_hours_end_users": 30 * 24,
    "mail_from": None,  # None: MAIL_DEFAULT_SENDER
    # Account recovery (portal.account_recovery): hours between approval and the factors' removal, and whether an
    # admin's "Remove 2FA" waits that long too (with the owner's notice and cancel link).
    "recovery_wait_hours": 24,
    "delay_admin_2fa_removal": False,
    "timezone": "UTC",
    "mail_sender_name": None,  # the name mail is sent under; None: the portal name  # the portal's time zone: the times people are shown (portal.dates)
}


_STORED = db.select(Setting.key, Setting.value)  # built once, reused by every request


def _all() -> dict:
    if "portal_settings" not in g:
        stored = {key: json.loads(value) for key, value in db.session.execute(_STORED)}
        g.portal_settings = {**DEFAULTS, **stored}
    return g.portal_settings


def get_setting(key: str):
    return _all()[key]


def set_setting(key: str, value) -> None:
    if key not in DEFAULTS:
        raise KeyError(key)
    row = db.session.get(Setting, key)
    if row is None:
        db.session.add(Setting(key=key, value=json.dumps(value)))
    else:
        row.value = json.dumps(value)
    g.pop("portal_settings", None)


def grace_until() -> datetime | None:
    raw = get_setting("grace_until")
    return datetime.fromisoformat(raw) if raw else None
