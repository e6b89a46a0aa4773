"""Email codes as a 2FA method: the plugin face of portal.twofactor.email_codes.

The address is always the person's login email, fixed when setup begins. The Auth & SSO "Email 2FA" switch is
this plugin's `active` flag: while it is off no code is sent (setup offers no email instance at all).
"""
from flask_babel import lazy_gettext as _l

from ..models import Authenticator
from . import email_codes, registry
from .base import MESSAGES, Method, Outcome, SetupState

SEND_FAILED = _l("We couldn't send the email — try again or use another method.")

SEND_MESSAGES = {
    Outcome.THROTTLED: _l("We sent you a code less than a minute ago. Wait a minute before asking for another one."),
    Outcome.USED_UP: _l("You've asked for %(count)s codes in the last hour. Wait a while, or use another method.",
                        count=email_codes.HOURLY_CAP),
    Outcome.UNAVAILABLE: SEND_FAILED,
}
SWITCHED_OFF = _l("Email codes are switched off on this helpdesk. Use another method or contact your administrator.")

# What a person is told when an emailed code is refused (at sign-in and at setup).
CODE_MESSAGES = {
    Outcome.WRONG: _l("That code isn't right. Check the newest email we sent you and try again."),
    Outcome.REPLAY: _l("That code has already been used. Ask for a new one."),
    Outcome.EXPIRED: _l("That code has expired. Ask for a new one."),
    Outcome.USED_UP: _l("Too many tries for that code. Ask for a new one."),
    Outcome.NO_CODE: _l("Ask for a code first: select “Email me a code”."),
}


class EmailMethod(Method):
    key = "email"
    label = _l("Email")
    description = _l("A 6-digit code sent to your email address when you sign in.")
    type_label = _l("Email Authentication")
    set_up_label = _l("Set up email authentication")
    switch_label = _l("Email 2FA")
    switch_hint = _l("People get a one-time code by email when they sign in.")
    setup_template = "methods/email_setup.html"
    sends_code = True
    code_prompt = _l("Enter the 6-digit code from the email we sent you")
    setup_messages = {**CODE_MESSAGES, Outcome.NO_CODE: _l("Send a verification code first.")}

    def begin_setup(self, user, instance_config: dict) -> SetupState:
        return SetupState(target=user.email)

    def setup_details(self, user, state: SetupState, purpose: str) -> dict:
        return {"sent": email_codes.pending(user.id, purpose)}

    def confirm_setup(self, user, state: SetupState, code: str, purpose: str) -> tuple[Outcome, dict]:
        return email_codes.check(user.id, purpose, code), {}

    def verify(self, authenticator: Authenticator, code: str, purpose: str) -> Outcome:
        return email_codes.check(authenticator.user_id, purpose, code)

    def send_code(self, user, target: str, purpose: str) -> Outcome:
        if not registry.is_active(self.key):
            return Outcome.UNAVAILABLE
        return email_codes.issue(user, target, purpose)

    def send_failure_message(self, outcome: Outcome) -> str:
        if outcome is Outcome.UNAVAILABLE and not registry.is_active(self.key):
            return str(SWITCHED_OFF)
        return str(SEND_MESSAGES.get(outcome, SEND_FAILED))

    def code_message(self, outcome: Outcome) -> str:
        """The message for a refused code (the sign-in challenge can show this instead of the generic one)."""
        return str(CODE_MESSAGES.get(outcome) or MESSAGES.get(outcome, MESSAGES[Outcome.UNAVAILABLE]))
