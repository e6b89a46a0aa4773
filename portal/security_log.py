"""The security event log: every 2FA event lands here, never with a secret or a code in it."""
import json
import logging

from flask import has_request_context, request

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
    "session.ended": "A session was signed out from Your sessions",
    "session.ended_by_admin": "An admin signed out every session",
    "login.new_browser": "Signed in from a new browser",
}


def record(event_type: str, user=None, actor=None, **detail) -> None:
    """Add an event to the current transaction; the caller's flow commits it. `detail` never holds a secret or a
    code."""
    ip = (request.remote_addr or "") if has_request_context() else ""
    user_id, actor_id = getattr(user, "id", user), getattr(actor, "id", actor)
    db.session.add(SecurityEvent(type=event_type, user_id=user_id, actor_id=actor_id, created_at=clock.now(), ip=ip,
                                 detail=json.dumps(detail, sort_keys=True) if detail else ""))
    log.info("security event %s user=%s actor=%s", event_type, user_id, actor_id)
