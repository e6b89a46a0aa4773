"""The security event log: every 2FA event lands here, never with a secret or a code in it."""
import json

from flask import has_request_context, request
from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import insert

from . import clock, logs
from .extensions import db
from .models import SecurityEvent
from .twofactor import registry


# Event types, in one place so the log page can offer them as a filter. The keys are what is stored and logged
# (English, never translated); the words are shown in the reader's language.
EVENT_TYPES = {
    "login.password_ok": _l("Password accepted, second factor pending"),
    "login.password_failed": _l("Wrong password"),
    "login.success": _l("Signed in"),  # the filter; each event says how (describe)
    "2fa.challenge_failed": _l("Wrong second-factor code"),
    "2fa.replay_refused": _l("Code reuse refused"),
    "2fa.throttled": _l("Attempt refused: too many failures"),
    "2fa.locked": _l("Account locked after failures"),
    "2fa.unlocked": _l("Account unlocked by an admin"),
    "2fa.setup": _l("Authenticator added"),
    "2fa.renamed": _l("Authenticator renamed"),
    "2fa.removed": _l("Authenticator removed"),
    "2fa.default_changed": _l("Default method changed"),
    "2fa.setup_skipped": _l("Mandatory setup skipped (grace period)"),
    "2fa.admin_setup": _l("Admin set up 2FA for this person"),
    "2fa.admin_reset": _l("Admin removed this person's 2FA"),
    "2fa.grace_extended": _l("Admin extended this person's grace period"),
    "2fa.email_sent": _l("Email code sent"),
    "2fa.email_failed": _l("Email code could not be sent"),
    "2fa.recovery_used": _l("Recovery code used"),
    "2fa.recovery_regenerated": _l("Recovery codes regenerated"),
    "device.remembered": _l("Device remembered"),
    "device.revoked": _l("Remembered device revoked"),
    "admin.policy_changed": _l("Auth & SSO policy changed"),
    "admin.enforce_changed": _l("Enforce 2FA changed"),
    "admin.plugin_changed": _l("Plugin or instance changed"),
    "logout": _l("Signed out"),
    "session.ended": _l("A session was signed out from Your sessions"),
    "session.ended_by_admin": _l("An admin signed out every session"),
    "login.new_browser": _l("Signed in from a new browser"),
    "login.password_throttled": _l("Password attempt refused: too many wrong passwords"),
    "login.password_slowed": _l("Wrong passwords: each further try now waits"),
    "password.changed": _l("Password changed"),
    "password.reset_requested": _l("Password reset link sent"),
    "password.reset": _l("Password reset with an emailed link"),
    "password.set_by_admin": _l("Password set by an admin"),
    "account.disabled": _l("Account disabled"),
    "account.enabled": _l("Account enabled again"),
    "2fa.key_counter_went_back": _l("Security key refused: its counter went back (a cloned key?)"),
    "login.passkey_failed": _l("Passkey sign-in refused"),
    "admin.security_key_postponed": _l("Admin chose “Not now” for the required security key (grace period)"),
    "request.status_changed": _l("Support request status changed"),
    "request.verify_asked": _l("Support asked the requester to confirm it is them"),
    "request.verified": _l("Requester confirmed it is them"),
    "request.verify_denied": _l("Requester answered “This wasn't me”"),
    "recovery.requested": _l("Account recovery asked for (lost device)"),
    "recovery.approved": _l("Account recovery approved by an admin"),
    "recovery.waiting": _l("Account recovery: waiting period started"),
    "recovery.cancelled": _l("Account recovery stopped"),
    "recovery.refused": _l("Account recovery refused by an admin"),
    "recovery.completed": _l("Account recovery completed: 2FA removed"),
    "login.sso_ok": _l("Identity provider (SSO) accepted, second factor pending"),
    "sso.linked": _l("Account linked to an identity provider (SSO)"),
    "sso.refused": _l("SSO sign-in refused"),
    "admin.sso_changed": _l("Identity provider (SSO) changed"),
}


# A row written, not an object kept: a statement on the table, built once.
_RECORD = insert(SecurityEvent.__table__)


def record(event_type: str, user=None, actor=None, **detail) -> None:
    """Add an event to the current transaction; the caller's flow commits it. `detail` never holds a secret or a
    code."""
    ip = (request.remote_addr or "") if has_request_context() else ""
    user_id, actor_id = getattr(user, "id", user), getattr(actor, "id", actor)
    db.session.execute(_RECORD, {"type": event_type, "user_id": user_id, "actor_id": actor_id,
                                 "created_at": clock.now(), "ip": ip,
                                 "detail": json.dumps(detail, sort_keys=True) if detail else ""})
    logs.security_event(event_type, user_id, actor_id, ip, detail)  # after commit: JSON line, metrics, webhook


# How a sign-in happened: login.success's `how` (login.complete) is one of these ways, or else the key of the
# second-factor method used, which is named by its own label.
SIGN_INS = {
    "password": _l("Signed in with a password only"),
    "remembered_device": _l("Signed in on a remembered device"),
    "recovery": _l("Signed in with a recovery code"),
    "setup": _l("Signed in after setting up 2FA"),
    "skipped": _l("Signed in without 2FA: setup skipped during the grace period"),
    "passkey": _l("Signed in with a passkey"),  # no password: the passkey with user verification is both factors
    "provider_mfa": _l("Signed in with MFA by the identity provider"),
}


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
    return str(EVENT_TYPES.get(event.type, event.type))


def how_signed_in(how) -> str:
    """A sign-in in words from its `how`: one of SIGN_INS, or a method by its label."""
    if not isinstance(how, str) or not how:
        return str(EVENT_TYPES["login.success"])
    if how in SIGN_INS:
        return str(SIGN_INS[how])
    method = registry.method(how)
    if method is None:
        return _("Signed in with a second factor that is no longer installed")
    return _("Signed in with %(label)s as the second factor", label=method.label)
