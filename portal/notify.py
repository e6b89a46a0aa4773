"""Security notices: one helper that tells a person about a change to their 2FA."""
import logging

from .mail import MailUnavailable, send_email
from .security_log import EVENT_TYPES

log = logging.getLogger(__name__)

SUBJECTS = {
    "2fa.setup": "A sign-in method was added to your account",
    "2fa.removed": "A sign-in method was removed from your account",
    "2fa.renamed": "A sign-in method was renamed",
    "2fa.default_changed": "Your default sign-in method changed",
    "2fa.admin_setup": "An administrator set up two-factor authentication for you",
    "2fa.admin_reset": "An administrator removed your two-factor authentication",
    "2fa.locked": "Your account was locked after wrong codes",
    "2fa.replay_refused": "A code of yours was used twice",
    "2fa.recovery_used": "A recovery code was used to sign in",
    "2fa.recovery_regenerated": "New recovery codes were made",
    "device.revoked": "A remembered device was signed out",
}


def security_notice(user, event_type: str, **details) -> bool:
    """Email the owner about a 2FA change. Never raises: a notice that cannot be sent is logged, not fatal."""
    subject = SUBJECTS.get(event_type, EVENT_TYPES.get(event_type, "Security notice"))
    try:
        send_email(user.email, subject, "security_notice", user=user, event_type=event_type,
                   summary=EVENT_TYPES.get(event_type, subject), details=details)
        return True
    except MailUnavailable:
        log.warning("security notice %s for user %s could not be sent", event_type, user.id)
        return False
