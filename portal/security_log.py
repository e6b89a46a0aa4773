"""The security event log: every 2FA event lands here, never with a secret or a code in it."""
import json
import logging

from flask import has_request_context, request
from sqlalchemy import bindparam

from . import clock
from .extensions import db
from .models import SecurityEvent

log = logging.getLogger("portal.security")

# Event types, in one place so the log page can offer them as a filter.
EVENT_TYPES = {
    "login.password_ok": "Password accepted, second factor pending",
    "login.password_failed": "Wrong password",
    "login.success": "Signed in with a second factor",
    "2fa.challenge_failed": "Wrong second-factor code",
    "2fa.replay_refused": "Code reuse refused",
    "2fa.throttled": "Attempt refused: too many failures",
    "2fa.locked": "Account locked after failures",
    "2fa.unlocked": "Account unlocked by an admin",
    "2fa.setup": "Authenticator added",
    "2fa.renamed": "Authenticator renamed",
    "2fa.removed": "Authenticator removed",
    "2fa.default_changed": "Default method changed",
    "2fa.setup_skipped": "Mandatory setup skipped (grace period)",
    "2fa.admin_setup": "Admin set up 2FA for this person",
    "2fa.admin_reset": "Admin removed this person's 2FA",
    "2fa.email_sent": "Email code sent",
    "2fa.email_failed": "Email code could not be sent",
    "2fa.recovery_used": "Recovery code used",
    "2fa.recovery_regenerated": "Recovery codes regenerated",
    "device.remembered": "Device remembered",
    "device.revoked": "Remembered device revoked",
    "admin.policy_changed": "Auth & SSO policy changed",
    "admin.enforce_changed": "Enforce 2FA changed",
    "admin.plugin_changed": "Plugin or instance changed",
    "logout": "Signed out",
}


_INSERT = SecurityEvent.__table__.insert()
COLUMNS = ("type", "user_id", "actor_id", "created_at", "ip", "detail")
# The same INSERT with its parameters named event_type, event_user_id... (within_params): for a caller that sends
# it within a statement of its own, beside writes that may take a parameter named like one of these columns
# (SQLAlchemy would add it to an UPDATE's SET clause).
INSERT_WITHIN = SecurityEvent.__table__.insert().values({c: bindparam(f"event_{c}") for c in COLUMNS})


def record(event_type: str, user=None, actor=None, **detail) -> None:
    """Add an event to the current transaction (one INSERT, no object kept); the caller's flow commits it."""
    row = event_row(event_type, user, actor, **detail)
    db.session.execute(_INSERT, row)
    written(row)


def event_row(event_type: str, user=None, actor=None, *, at=None, **detail) -> dict:
    """The event's row (COLUMNS), made `at` a time or now: for record(), or a caller that writes it within a
    statement of its own and then calls written() (portal.twofactor.quick_signin)."""
    ip = (request.remote_addr or "") if has_request_context() else ""
    return {"type": event_type, "user_id": getattr(user, "id", user), "actor_id": getattr(actor, "id", actor),
            "created_at": at or clock.now(), "ip": ip, "detail": json.dumps(detail, sort_keys=True) if detail else ""}


def within_params(row: dict) -> dict:
    """INSERT_WITHIN's parameters for an event_row."""
    return {f"event_{c}": v for c, v in row.items()}


def written(row: dict) -> None:
    log.info("security event %s user=%s actor=%s", row["type"], row["user_id"], row["actor_id"])
