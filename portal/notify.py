"""Security notices: one helper that tells a person about a change to their 2FA (templates/email/security_notice.*).

Callers pass the event type and the details they have (`authenticator=` its name, `lock=` "temporary"/"admin");
never a secret or a code. The notice is worded in its recipient's language and time zone: what happened and the
advice are functions the mail's templates call while the mail is rendered for them (portal.mail.send_email), and a
detail that is a time (`until=`, `when=`, a naive-UTC datetime) is written out in their zone then.
"""
import logging
from datetime import datetime

from flask_babel import gettext as _, lazy_gettext as _l

from . import clock, dates
from .mail import MailUnavailable, send_email
from .security_log import EVENT_TYPES

log = logging.getLogger(__name__)

SUBJECTS = {
    "2fa.setup": _l("A sign-in method was added to your account"),
    "2fa.removed": _l("A sign-in method was removed from your account"),
    "2fa.renamed": _l("A sign-in method was renamed"),
    "2fa.default_changed": _l("Your default sign-in method changed"),
    "2fa.admin_setup": _l("An administrator set up two-factor authentication for you"),
    "2fa.admin_reset": _l("An administrator removed your two-factor authentication"),
    "2fa.grace_extended": _l("An administrator gave you more time to set up 2FA"),
    "2fa.locked": _l("Your account was locked after wrong codes"),
    "2fa.replay_refused": _l("A code of yours was used twice"),
    "2fa.recovery_used": _l("A recovery code was used to sign in"),
    "2fa.recovery_regenerated": _l("New recovery codes were made"),
    "device.revoked": _l("A remembered device was signed out"),
    "session.ended_by_admin": _l("An administrator signed you out everywhere"),
    "login.new_browser": _l("New sign-in to your account"),
    "login.password_slowed": _l("Wrong passwords were entered for your account"),
    "password.changed": _l("Your password was changed"),
    "password.reset": _l("Your password was reset"),
    "password.set_by_admin": _l("An administrator set a new password for you"),
    "account.disabled": _l("Your account was disabled"),
    "account.enabled": _l("Your account was enabled again"),
    "2fa.key_counter_went_back": _l("A security key of yours may have been copied"),
    "sso.linked": _l("Your account was linked to single sign-on"),
}

# What happened, in a sentence, filled from the details (`v`: authenticator, admin, until, browser, ip, when,
# failures, provider). Called while the mail is rendered, in the recipient's language. Without the authenticator
# it needs, the subject is used.
WHAT = {
    "2fa.setup": lambda v: _("“%(authenticator)s” was added to your account. It can now be used as the second step "
                             "when you sign in.", **v),
    "2fa.removed": lambda v: _("“%(authenticator)s” was removed from your account. It will no longer be asked for "
                               "when you sign in.", **v),
    "2fa.renamed": lambda v: _("One of your sign-in methods is now called “%(authenticator)s”.", **v),
    "2fa.default_changed": lambda v: _("“%(authenticator)s” is now your default sign-in method: it is asked for "
                                       "first when you sign in.", **v),
    "2fa.admin_setup": lambda v: _("An administrator set up “%(authenticator)s” as a second step when you sign in.",
                                   **v),
    "2fa.admin_reset": lambda v: _("An administrator removed every two-factor method from your account and signed "
                                   "you out everywhere. You will be asked to set up a new one when you next sign in."),
    "2fa.grace_extended": lambda v: _("%(admin)s, an administrator, gave you until %(until)s to set up two-factor "
                                      "authentication (2FA). Until then you may choose “Skip for now” when you sign "
                                      "in.", **v),
    "2fa.locked:temporary": lambda v: _("After 10 wrong codes in a row, your account is locked for 15 minutes."),
    "2fa.locked:temporary:until": lambda v: _("After 10 wrong codes in a row, your account is locked for 15 minutes, "
                                              "until %(until)s. Then you can sign in again.", **v),
    "2fa.locked:admin": lambda v: _("After 20 wrong codes in a row, your account is locked until a helpdesk "
                                    "administrator unlocks it."),
    "2fa.replay_refused": lambda v: _("Someone entered a code from “%(authenticator)s” that had already been used. "
                                      "It was refused.", **v),
    "2fa.recovery_used": lambda v: _("One of your recovery codes was used to sign in. It can't be used again."),
    "2fa.recovery_regenerated": lambda v: _("New recovery codes were made for your account. The old ones no longer "
                                            "work."),
    "session.ended_by_admin": lambda v: _("An administrator signed your account out of every browser. Sign in again "
                                          "to go on."),
    "login.new_browser": lambda v: _("Your account was signed in from a browser it has not used before: %(browser)s, "
                                     "from %(ip)s, at %(when)s.", **v),
    "login.password_slowed": lambda v: _("A wrong password was entered for your account %(failures)s times in a row. "
                                         "From now on each further try has to wait a little, up to a minute. Your "
                                         "password still works.", **v),
    "password.changed": lambda v: _("The password of your account was changed. Every other browser signed in to it "
                                    "was signed out, and remembered devices will ask for your second factor again."),
    "password.reset": lambda v: _("The password of your account was reset with a link emailed to you. Every browser "
                                  "signed in to it was signed out, and remembered devices will ask for your second "
                                  "factor again."),
    "account.disabled": lambda v: _("An administrator disabled your account: you can't sign in, and every browser "
                                    "signed in to it was signed out. Ask your helpdesk administrator if you need it "
                                    "again."),
    "account.enabled": lambda v: _("An administrator enabled your account again: you can sign in as before."),
    "password.set_by_admin": lambda v: _("An administrator set a new password for your account. Every browser signed "
                                         "in to it was signed out, and remembered devices will ask for your second "
                                         "factor again."),
    "2fa.key_counter_went_back": lambda v: _("A sign-in with “%(authenticator)s” was refused: the key's use counter "
                                             "went back, which can mean someone copied the key. If you did not just "
                                             "sign in, remove it and register a new one.", **v),
    "sso.linked": lambda v: _("Your account can now be signed in to with %(provider)s, your organisation's single "
                              "sign-on. The helpdesk's second-factor rules still apply.", **v),
}
# The events whose sentence names the authenticator.
NAMES_AUTHENTICATOR = {"2fa.setup", "2fa.removed", "2fa.renamed", "2fa.default_changed", "2fa.admin_setup",
                       "2fa.replay_refused", "2fa.key_counter_went_back"}

# When an admin did it, the notice names them (`admin=` their name) instead of asking "if this was you".
ADMIN_WHAT = {
    "2fa.admin_setup": lambda v: _("%(admin)s, an administrator, set up “%(authenticator)s” as a second step when "
                                   "you sign in.", **v),
    "2fa.admin_reset": lambda v: _("%(admin)s, an administrator, removed your two-factor authentication (2FA) and "
                                   "signed you out everywhere. You will be asked to set up a new method when you "
                                   "next sign in.", **v),
    "2fa.removed": lambda v: _("%(admin)s, an administrator, removed “%(authenticator)s” from your account (its "
                               "sign-in method was uninstalled). It will no longer be asked for when you sign in.",
                               **v),
    "2fa.unlocked": lambda v: _("%(admin)s, an administrator, unlocked your account: you can enter your codes again.",
                                **v),
    "admin.enforce_changed": lambda v: _("%(admin)s, an administrator, changed whether two-factor authentication "
                                         "(2FA) is required for you.", **v),
    "session.ended_by_admin": lambda v: _("%(admin)s, an administrator, signed your account out of every browser. "
                                          "Sign in again to go on.", **v),
    "2fa.grace_extended": WHAT["2fa.grace_extended"],
}


def admin_advice(admin: str) -> str:
    return _("You don't need to do anything. If you didn't expect this, ask %(admin)s or your helpdesk's "
             "administrators.", admin=admin)


# Events that may mean someone else is trying to get in.
ALERTS = {"2fa.locked", "2fa.replay_refused", "2fa.recovery_used", "login.new_browser", "2fa.key_counter_went_back"}
ADVICE = _l("If this was you, there is nothing to do. If it wasn't, contact your helpdesk administrator now.")
ALERT_ADVICE = _l("If this wasn't you, someone may know your password: change it and tell your helpdesk "
                  "administrator now.")


def _values(details: dict) -> dict:
    """The details as the sentences use them: times written out in the reader's zone (and language)."""
    values = {"authenticator": "", "admin": "", "until": "", "browser": "", "ip": "", "when": "", "failures": "",
              "provider": ""}
    for key, value in details.items():
        if isinstance(value, datetime):
            value = dates.in_words(value) if key == "until" else dates.when(value)
        values[key] = value
    return values


def describe(event_type: str, details: dict) -> str:
    """The sentence the notice opens with (in the language being rendered)."""
    key = f"{event_type}:{details['lock']}" if event_type == "2fa.locked" and "lock" in details else event_type
    if key == "2fa.locked:temporary" and details.get("until"):
        key = "2fa.locked:temporary:until"  # in the reader's zone
    what = WHAT.get(key)
    if what and (event_type not in NAMES_AUTHENTICATOR or details.get("authenticator")):
        return what(_values(details))
    subject = SUBJECTS.get(event_type) or EVENT_TYPES.get(event_type)
    if subject:
        return _("%(subject)s.", subject=subject)
    return _("Your account's security settings changed.")


def security_notice(user, event_type: str, **details) -> bool:
    """Email the owner about a 2FA change. Never raises: a notice that cannot be sent is logged, not fatal."""
    subject = SUBJECTS.get(event_type, EVENT_TYPES.get(event_type)) or _l("Security notice")
    alert = event_type in ALERTS
    admin = details.get("admin")

    def what() -> str:
        if admin and event_type in ADMIN_WHAT:
            return ADMIN_WHAT[event_type](_values(details))
        return describe(event_type, details)

    def advice() -> str:
        if admin and event_type in ADMIN_WHAT:
            return admin_advice(admin)
        return str(ALERT_ADVICE if alert else ADVICE)

    try:
        send_email(user.email, subject, "security_notice", user=user, event_type=event_type,
                   what=what, when=clock.now(), alert=alert, advice=advice, details=details)
        return True
    except MailUnavailable:
        log.warning("security notice %s for user %s could not be sent", event_type, user.id)
        return False
