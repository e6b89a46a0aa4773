"""The built-in method "Security key or passkey" (WebAuthn): the phishing-resistant factor.

Its "code" is what the browser returns from navigator.credentials (static/webauthn.js posts it as JSON in the form's
code field, Method.code_input.browser_credential). Registering stores the credential's public half
(models.WebAuthnCredential); signing in checks an assertion against a challenge bound to the pending sign-in
(webauthn_rp). Passkey sign-in without a password is portal.twofactor.passkey_login.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, or_, update

from .. import security_log
from ..extensions import db
from ..models import Authenticator, WebAuthnCredential
from ..notify import security_notice
from . import webauthn_rp
from .base import CodeInput, Method, Outcome, SetupState

CLONED_EVENT = "2fa.key_counter_went_back"

_credentials = WebAuthnCredential.__table__
# The sign-count guard, built once: a count is accepted only if it is higher than every count seen before (or
# both are 0: many passkeys do not count). One row updated exactly when the assertion may be accepted.
CLAIM_SIGN_COUNT = (update(_credentials)
                    .where(_credentials.c.id == bindparam("credential_row"))
                    .where(or_(_credentials.c.sign_count < bindparam("count"),
                               (_credentials.c.sign_count == 0) & (bindparam("count") == 0)))
                    .values(sign_count=bindparam("count"), backed_up=bindparam("backed_up")))


def credentials_of(user_id: int) -> list[WebAuthnCredential]:
    return list(db.session.scalars(db.select(WebAuthnCredential).where(WebAuthnCredential.user_id == user_id)
                                   .order_by(WebAuthnCredential.id)))


def claim_sign_count(stored: WebAuthnCredential, assertion: webauthn_rp.Assertion) -> bool:
    """Accept the assertion's sign count, or (a count that went back: a cloned key?) log it, mail the owner and
    say no."""
    won = db.session.execute(CLAIM_SIGN_COUNT, {"credential_row": stored.id, "count": assertion.sign_count,
                                                "backed_up": assertion.backed_up}).rowcount
    if won == 1:
        return True
    authenticator = stored.authenticator
    security_log.record(CLONED_EVENT, authenticator.user_id, name=authenticator.name)
    security_notice(authenticator.user, CLONED_EVENT, authenticator=authenticator.name)
    return False


class WebAuthnMethod(Method):
    key = "webauthn"
    label = _l("Security key or passkey")
    description = _l("A security key (such as a YubiKey) or a passkey on your phone or computer. It works only on "
                     "this helpdesk's real address, so a look-alike site can't use it.")
    type_label = _l("Security key or passkey")
    set_up_label = _l("Add a security key or passkey")
    switch_label = _l("Security keys & passkeys")
    switch_hint = _l("People register security keys and passkeys: the phishing-resistant second factor, and "
                     "passkey sign-in without a password.")
    setup_template = "methods/webauthn_setup.html"
    challenge_template = "methods/webauthn_challenge.html"
    code_input = CodeInput(browser_credential=True, inputmode="none")
    code_prompt = _l("Use your security key or passkey")
    code_label = _l("Security key or passkey")
    quick_check = False  # the charge is committed first; the check is a signature and two statements
    setup_messages = {
        Outcome.WRONG: _l("The security key or passkey could not be registered. Try again, or use another key."),
        Outcome.REPLAY: _l("That registration was already used or has expired. Try again."),
        Outcome.EXPIRED: _l("That registration took longer than 5 minutes. Try again."),
    }
    MESSAGES = {
        Outcome.WRONG: _l("That security key or passkey wasn't accepted. Try again, or use another method."),
        Outcome.REPLAY: _l("That response was already used. Try again with your security key or passkey."),
        Outcome.EXPIRED: _l("That took longer than 5 minutes. Try again with your security key or passkey."),
    }

    @property
    def can_be_set_up_by_admin(self) -> bool:
        return False  # the browser at the keyboard registers the key: only its owner can

    def begin_setup(self, user, instance_config: dict) -> SetupState:
        existing = credentials_of(user.id)
        handle = existing[0].user_handle if existing else webauthn_rp.new_user_handle()
        return SetupState(extra={"user_handle": handle})

    def setup_details(self, user, state: SetupState, purpose: str) -> dict:
        options = webauthn_rp.registration_options(purpose, user.email, user.name or user.email,
                                                   state.extra["user_handle"], credentials_of(user.id))
        return {"options": options}

    def confirm_setup(self, user, state: SetupState, code: str, purpose: str) -> tuple[Outcome, dict]:
        try:
            new = webauthn_rp.verify_registration(code, purpose)
        except webauthn_rp.Refused as refused:
            return refused.outcome, {}
        if db.session.scalar(db.select(WebAuthnCredential.id).where(
                WebAuthnCredential.credential_id == new.credential_id)) is not None:
            return Outcome.WRONG, {}  # registered already (by this person or anyone): the browser should not offer it
        credential = WebAuthnCredential(user_id=user.id, user_handle=state.extra["user_handle"], **vars(new))
        return Outcome.OK, {"webauthn_credential": credential}

    def challenge_details(self, authenticator: Authenticator, purpose: str) -> dict:
        stored = authenticator.webauthn_credential
        if stored is None:
            return {}
        return {"options": webauthn_rp.authentication_options(purpose, [stored])}

    def verify(self, authenticator: Authenticator, code: str, purpose: str) -> Outcome:
        stored = authenticator.webauthn_credential
        if stored is None:
            return Outcome.UNAVAILABLE
        try:
            assertion = webauthn_rp.verify_assertion(webauthn_rp.parse_assertion(code), stored, purpose,
                                                     require_user_verification=False)
        except webauthn_rp.Refused as refused:
            return refused.outcome
        return Outcome.OK if claim_sign_count(stored, assertion) else Outcome.WRONG

    def code_message(self, outcome: Outcome) -> str:
        return str(self.MESSAGES.get(outcome) or super().code_message(outcome))
