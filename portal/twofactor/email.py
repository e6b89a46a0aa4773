"""Email codes as a 2FA method: the plugin face of portal.twofactor.email_codes.

The address is always the person's login email, fixed when setup begins. The Auth & SSO "Email 2FA" switch is
this plugin's `active` flag: while it is off no code is sent (setup offers no email instance at all).
"""
from ..models import Authenticator
from . import email_codes, registry
from .base import MESSAGES, Method, Outcome, SetupState

SEND_FAILED = "We couldn't send the email — try again or use another method."

SEND_MESSAGES = {
    Outcome.THROTTLED: "We sent you a code less than a minute ago. Wait a minute before asking for another one.",
    Outcome.USED_UP: f"You've asked for {email_codes.HOURLY_CAP} codes in the last hour. Wait a while, "
                     "or use another method.",
    Outcome.UNAVAILABLE: SEND_FAILED,
}
SWITCHED_OFF = "Email codes are switched off on this helpdesk. Use another method or contact your administrator."

# What a person is told when an emailed code is refused (at sign-in and at setup).
CODE_MESSAGES = {
    Outcome.WRONG: "That code isn't right. Check the newest email we sent you and try again.",
    Outcome.REPLAY: "That code has already been used. Ask for a new one.",
    Outcome.EXPIRED: "That code has expired. Ask for a new one.",
    Outcome.USED_UP: "Too many tries for that code. Ask for a new one.",
    Outcome.NO_CODE: "Ask for a code first: select “Email me a code”.",
}


class EmailMethod(Method):
    key = "email"
    label = "Email"
    description = "A 6-digit code sent to your email address when you sign in."
    type_label = "Email Authentication"
    set_up_label = "Set up email authentication"
    switch_label = "Email 2FA"
    switch_hint = "People get a one-time code by email when they sign in."
    setup_template = "methods/email_setup.html"
    sends_code = True
    code_prompt = "Enter the 6-digit code from the email we sent you"
    setup_messages = {**CODE_MESSAGES, Outcome.NO_CODE: "Send a verification code first."}

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
            return SWITCHED_OFF
        return SEND_MESSAGES.get(outcome, SEND_FAILED)

    def code_message(self, outcome: Outcome) -> str:
        """The message for a refused code (the sign-in challenge can show this instead of the generic one)."""
        return CODE_MESSAGES.get(outcome) or MESSAGES.get(outcome, MESSAGES[Outcome.UNAVAILABLE])
