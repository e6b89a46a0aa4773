"""TOTP (RFC 6238): SHA-1, 6 digits, 30 s, one step of drift each way, and no step accepted twice.

The replay guard is one conditional UPDATE (`last_used_step < :step`): the database decides which of two
concurrent requests wins, never process memory.
"""
import pyotp
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, or_, update

from .. import clock, crypto
from ..extensions import db
from ..models import Authenticator
from .base import ConfigField, Method, Outcome, SetupState
from .qr import group_key, svg

STEP = 30
DRIFT = 1


_authenticators = Authenticator.__table__
# The replay guard, built once: the step is claimed only if it is later than every step used before. It updates
# one row exactly when the code may be accepted.
CLAIM_STEP = (update(_authenticators)
               .where(_authenticators.c.id == bindparam("authenticator_id"))
               .where(or_(_authenticators.c.last_used_step.is_(None),
                          _authenticators.c.last_used_step < bindparam("step")))
               .values(last_used_step=bindparam("step")))


def normalise(code: str) -> str:
    return "".join((code or "").split())


def matching_step(secret: str, code: str, at_epoch: float) -> int | None:
    code = normalise(code)
    if len(code) != 6 or not (code.isascii() and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    current = int(at_epoch // STEP)
    for step in range(current - DRIFT, current + DRIFT + 1):
        if crypto.codes_equal(totp.at(step * STEP), code):
            return step
    return None


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)


class TotpMethod(Method):
    key = "totp"
    label = _l("Authenticator app")
    description = _l("A 6-digit code from an app such as Google Authenticator or Microsoft Authenticator.")
    config_fields = [ConfigField("issuer", _l("Issuer label"), "", _l("The name shown in the authenticator app."))]
    type_label = _l("Authentication App")
    set_up_label = _l("Set up authentication app")
    switch_label = _l("TOTP Service")
    switch_hint = _l("Agents set up an authenticator app themselves in Preferences › Security (QR code or key).")
    setup_template = "methods/totp_setup.html"
    code_prompt = _l("Enter the code from your authenticator app")
    proves_freshness = True
    quick_check = True  # a decryption, three HMACs and one UPDATE

    def begin_setup(self, user, instance_config: dict) -> SetupState:
        secret = pyotp.random_base32()  # 160 bits
        return SetupState(secret=secret, extra={"issuer": instance_config.get("issuer") or "Helpdesk"})

    def setup_details(self, user, state: SetupState, purpose: str) -> dict:
        uri = provisioning_uri(state.secret, user.email, state.extra.get("issuer") or "Helpdesk")
        return {"uri": uri, "qr_svg": svg(uri), "grouped_key": group_key(state.secret)}

    def confirm_setup(self, user, state: SetupState, code: str, purpose: str) -> tuple[Outcome, dict]:
        step = matching_step(state.secret, code, clock.epoch(clock.now()))
        if step is None:
            return Outcome.WRONG, {}
        return Outcome.OK, {"secret_enc": crypto.encrypt(state.secret), "last_used_step": step}

    def verify(self, authenticator: Authenticator, code: str, purpose: str) -> Outcome:
        step = matching_step(crypto.decrypt(authenticator.secret_enc), code, clock.epoch(clock.now()))
        if step is None:
            return Outcome.WRONG
        won = db.session.execute(CLAIM_STEP, {"authenticator_id": authenticator.id, "step": step}).rowcount
        return Outcome.OK if won == 1 else Outcome.REPLAY
