"""Security notices: one helper that tells a person about a change to their 2FA (templates/email/security_notice.*).

Callers pass the event type and the details they have (`authenticator=` its name, `lock=` "temporary"/"admin");
never a secret or a code.
"""
import logging

from . import clock
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
    "2fa.grace_extended": "An administrator gave you more time to set up 2FA",
    "2fa.locked": "Your account was locked after wrong codes",
    "2fa.replay_refused": "A code of yours was used twice",
    "2fa.recovery_used": "A recovery code was used to sign in",
    "2fa.recovery_regenerated": "New recovery codes were made",
    "device.revoked": "A remembered device was signed out",
    "session.ended_by_admin": "An administrator signed you out everywhere",
    "login.new_browser": "New sign-in to your account",
    "login.password_slowed": "Wrong passwords were entered for your account",
    "password.changed": "Your password was changed",
    "password.reset": "Your password was reset",
    "password.set_by_admin": "An administrator set a new password for you",
    "account.disabled": "Your account was disabled",
    "account.enabled": "Your account was enabled again",
    "2fa.key_counter_went_back": "A security key of yours may have been copied",
    "sso.linked": "Your account was linked to single sign-on",
}

# What happened, in a sentence. {authenticator} is filled from the details; without it the subject is used.
WHAT = {
    "2fa.setup": "“{authenticator}” was added to your account. It can now be used as the second step when you sign in.",
    "2fa.removed": "“{authenticator}” was removed from your account. It will no longer be asked for when you sign in.",
    "2fa.renamed": "One of your sign-in methods is now called “{authenticator}”.",
    "2fa.default_changed": "“{authenticator}” is now your default sign-in method: it is asked for first when you sign in.",
    "2fa.admin_setup": "An administrator set up “{authenticator}” as a second step when you sign in.",
    "2fa.admin_reset": "An administrator removed every two-factor method from your account and signed you out "
                       "everywhere. You will be asked to set up a new one when you next sign in.",
    "2fa.grace_extended": "{admin}, an administrator, gave you until {until} to set up two-factor authentication "
                          "(2FA). Until then you may choose “Skip for now” when you sign in.",
    "2fa.locked:temporary": "After 10 wrong codes in a row, your account is locked for 15 minutes.",
    "2fa.locked:admin": "After 20 wrong codes in a row, your account is locked until a helpdesk administrator "
                        "unlocks it.",
    "2fa.replay_refused": "Someone entered a code from “{authenticator}” that had already been used. It was refused.",
    "2fa.recovery_used": "One of your recovery codes was used to sign in. It can't be used again.",
    "2fa.recovery_regenerated": "New recovery codes were made for your account. The old ones no longer work.",
    "session.ended_by_admin": "An administrator signed your account out of every browser. Sign in again to go on.",
    "login.new_browser": "Your account was signed in from a browser it has not used before: {browser}, from "
                         "{ip}, at {when}.",
    "login.password_slowed": "A wrong password was entered for your account {failures} times in a row. From now on "
                             "each further try has to wait a little, up to a minute. Your password still works.",
    "password.changed": "The password of your account was changed. Every other browser signed in to it was "
                        "signed out, and remembered devices will ask for your second factor again.",
    "password.reset": "The password of your account was reset with a link emailed to you. Every browser signed in "
                      "to it was signed out, and remembered devices will ask for your second factor again.",
    "account.disabled": "An administrator disabled your account: you can't sign in, and every browser signed in to "
                        "it was signed out. Ask your helpdesk administrator if you need it again.",
    "account.enabled": "An administrator enabled your account again: you can sign in as before.",
    "password.set_by_admin": "An administrator set a new password for your account. Every browser signed in to it "
                             "was signed out, and remembered devices will ask for your second factor again.",
    "2fa.key_counter_went_back": "A sign-in with “{authenticator}” was refused: the key's use counter went back, "
                                 "which can mean someone copied the key. If you did not just sign in, remove it "
                                 "and register a new one.",
    "sso.linked": "Your account can now be signed in to with {provider}, your organisation's single sign-on. The "
                  "helpdesk's second-factor rules still apply.",
}

# When an admin did it, the notice names them (`admin=` their name) instead of asking "if this was you".
ADMIN_WHAT = {
    "2fa.admin_setup": "{admin}, an administrator, set up “{authenticator}” as a second step when you sign in.",
    "2fa.admin_reset": "{admin}, an administrator, removed your two-factor authentication (2FA) and signed you out "
                       "everywhere. You will be asked to set up a new method when you next sign in.",
    "2fa.removed": "{admin}, an administrator, removed “{authenticator}” from your account (its sign-in method was "
                   "uninstalled). It will no longer be asked for when you sign in.",
    "2fa.unlocked": "{admin}, an administrator, unlocked your account: you can enter your codes again.",
    "admin.enforce_changed": "{admin}, an administrator, changed whether two-factor authentication (2FA) is required "
                             "for you.",
    "session.ended_by_admin": "{admin}, an administrator, signed your account out of every browser. Sign in again "
                              "to go on.",
    "2fa.grace_extended": WHAT["2fa.grace_extended"],
}
ADMIN_ADVICE = "You don't need to do anything. If you didn't expect this, ask {admin} or your helpdesk's administrators."

# Events that may mean someone else is trying to get in.
ALERTS = {"2fa.locked", "2fa.replay_refused", "2fa.recovery_used", "login.new_browser", "2fa.key_counter_went_back"}
ADVICE = "If this was you, there is nothing to do. If it wasn't, contact your helpdesk administrator now."
ALERT_ADVICE = ("If this wasn't you, someone may know your password: change it and tell your helpdesk "
                "administrator now.")


def describe(event_type: str, details: dict) -> str:
    """The sentence the notice opens with."""
    key = f"{event_type}:{details['lock']}" if event_type == "2fa.locked" and "lock" in details else event_type
    text = WHAT.get(key)
    if key == "2fa.locked:temporary" and details.get("until"):
        text = text[:-1] + f", until {details['until']}. Then you can sign in again."  # in the portal's zone
    if text and ("{authenticator}" not in text or details.get("authenticator")):
        return text.format_map({"authenticator": "", **details})
    return (SUBJECTS.get(event_type) or EVENT_TYPES.get(event_type) or "Your account's security settings changed") + "."


def security_notice(user, event_type: str, **details) -> bool:
    """Email the owner about a 2FA change. Never raises: a notice that cannot be sent is logged, not fatal."""
    subject = SUBJECTS.get(event_type, EVENT_TYPES.get(event_type, "Security notice"))
    alert = event_type in ALERTS
    admin = details.get("admin")
    what, advice = describe(event_type, details), ALERT_ADVICE if alert else ADVICE
    if admin and event_type in ADMIN_WHAT:
        what = ADMIN_WHAT[event_type].format_map({"authenticator": "", **details})
        advice = ADMIN_ADVICE.format(admin=admin)
    try:
        send_email(user.email, subject, "security_notice", user=user, event_type=event_type,
                   what=what, when=clock.now(), alert=alert, advice=advice, details=details)
        return True
    except MailUnavailable:
        log.warning("security notice %s for user %s could not be sent", event_type, user.id)
        return False
