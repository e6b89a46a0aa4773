"""The security event log: every 2FA event lands here, never with a secret or a code in it."""
import json

from flask import has_request_context, request

from . import clock, logs
from .extensions import db
from .models import SecurityEvent
from .twofactor import registry


# Event types, in one place so the log page can offer them as a filter.
EVENT_TYPES = {
    "login.password_ok": "Password accepted, second factor pending",
    "login.password_failed": "Wrong password",
    "login.success": "Signed in",  # the filter; each event says how (describe)
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
    "2fa.grace_extended": "Admin extended this person's grace period",
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
    "login.password_throttled": "Password attempt refused: too many wrong passwords",
    "login.password_slowed": "Wrong passwords: each further try now waits",
    "password.changed": "Password changed",
    "password.reset_requested": "Password reset link sent",
    "password.reset": "Password reset with an emailed link",
    "password.set_by_admin": "Password set by an admin",
    "account.disabled": "Account disabled",
    "account.enabled": "Account enabled again",
    "2fa.key_counter_went_back": "Security key refused: its counter went back (a cloned key?)",
    "login.passkey_failed": "Passkey sign-in refused",
    "admin.security_key_postponed": "Admin chose “Not now” for the required security key (grace period)",
    "request.status_changed": "Support request status changed",
    "request.verify_asked": "Support asked the requester to confirm it is them",
    "request.verified": "Requester confirmed it is them",
    "request.verify_denied": "Requester answered “This wasn't me”",
    "recovery.requested": "Account recovery asked for (lost device)",
    "recovery.approved": "Account recovery approved by an admin",
    "recovery.waiting": "Account recovery: waiting period started",
    "recovery.cancelled": "Account recovery stopped",
    "recovery.refused": "Account recovery refused by an admin",
    "recovery.completed": "Account recovery completed: 2FA removed",
    "login.sso_ok": "Identity provider (SSO) accepted, second factor pending",
    "sso.linked": "Account linked to an identity provider (SSO)",
    "sso.refused": "SSO sign-in refused",
    "admin.sso_changed": "Identity provider (SSO) changed",
}


def record(event_type: str, user=None, actor=None, **detail) -> None:
    """Add an event to the current transaction; the caller's flow commits it. `detail` never holds a secret or a
    code."""
    ip = (request.remote_addr or "") if has_request_context() else ""
    user_id, actor_id = getattr(user, "id", user), getattr(actor, "id", actor)
    db.session.add(SecurityEvent(type=event_type, user_id=user_id, actor_id=actor_id, created_at=clock.now(), ip=ip,
                                 detail=json.dumps(detail, sort_keys=True) if detail else ""))
    logs.security_event(event_type, user_id, actor_id, ip, detail)  # after commit: JSON line, metrics, webhook


# How a sign-in happened: login.success's `how` (login.complete) is one of these ways, or else the key of the
# second-factor method used, which is named by its own label.
SIGN_INS = {
    "password": "Signed in with a password only",
    "remembered_device": "Signed in on a remembered device",
    "recovery": "Signed in with a recovery code",
    "setup": "Signed in after setting up 2FA",
    "skipped": "Signed in without 2FA: setup skipped during the grace period",
    "passkey": "Signed in with a passkey",  # no password: the passkey with user verification is both factors
    "provider_mfa": "Signed in with MFA by the identity provider",
}
SIGNED_IN_WITH = "Signed in with {label} as the second factor"
SIGNED_IN_WITH_REMOVED = "Signed in with a second factor that is no longer installed"


def details(event: SecurityEvent) -> dict:
    """The event's details (never a secret or a code); {} when it has none or they are not a JSON object."""
    try:
        detail = json.loads(event.detail) if event.detail else {}
    except ValueError:
        return {}
    return detail if isinstance(detail, dict) else {}


def describe(event: SecurityEvent) -> str:
    """What happened, in the words both the admin's security log and the person's own activity show."""
    if event.type == "login.success":
        detail = details(event)
        if isinstance(detail.get("sso"), str):
            from .sso.words import signed_in_with
            return signed_in_with(detail["sso"], detail.get("how"))
        return how_signed_in(detail.get("how"))
    return EVENT_TYPES.get(event.type, event.type)


def how_signed_in(how) -> str:
    """A sign-in in words from its `how`: one of SIGN_INS, or a method by its label."""
    if not isinstance(how, str) or not how:
        return EVENT_TYPES["login.success"]
    if how in SIGN_INS:
        return SIGN_INS[how]
    method = registry.method(how)
    return SIGNED_IN_WITH.format(label=method.label) if method else SIGNED_IN_WITH_REMOVED
