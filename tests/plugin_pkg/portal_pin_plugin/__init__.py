"""Security PIN: an example third-party 2FA plugin for the helpdesk portal.

The person chooses a PIN of digits when they set it up and types it after their password. It is hashed with
argon2id, and the hash is encrypted at rest with the portal's key ring like every stored secret. The portal's
core does the rest: the failure budget and lockout, the security log, notices, sessions.

A plugin ships its own translations: its words are lazy strings of its own Flask-Babel domain ("portal_pin_plugin",
catalogs in translations/<language>/LC_MESSAGES/ next to this file), shown in the reader's language like the
portal's own. The .po files are the source; the .mo files are compiled before the package is installed
(scripts/venv.sh: pybabel compile -D portal_pin_plugin -d portal_pin_plugin/translations) and shipped as package
data.
"""
import os

from flask_babel import Domain

from portal import crypto
from portal.passwords import hash_password, verify_password
from portal.twofactor.base import CodeInput, ConfigField, Method, Outcome, SetupState

MAX_LENGTH = 12

TRANSLATIONS = Domain(translation_directories=[os.path.join(os.path.dirname(os.path.abspath(__file__)), "translations")],
                      domain="portal_pin_plugin")
_l = TRANSLATIONS.lazy_gettext


def _digits(code: str) -> str:
    return "".join((code or "").split())


def _min_length(config: dict) -> int:
    raw = str(config.get("min_length") or "6")
    return min(max(int(raw), 6), MAX_LENGTH) if raw.isdigit() else 6


class PinMethod(Method):
    key = "pin"
    label = _l("Security PIN")
    description = _l("A PIN of 6 to 12 digits that you choose, asked for after your password.")
    config_fields = [ConfigField("min_length", _l("Shortest PIN allowed"), "6", _l("A number of digits from 6 to 12."))]
    type_label = _l("Security PIN")
    set_up_label = _l("Set up a security PIN")
    setup_instructions = _l("Choose a PIN that only you know. We ask for it after your password each time you sign in.")
    code_prompt = _l("Enter your security PIN")
    code_label = _l("Security PIN")
    code_input = CodeInput(masked=True, confirm_at_setup=True, rules=_l("6 to 12 digits, no letters."))
    setup_messages = {Outcome.WRONG: _l("Choose a PIN of 6 to 12 digits, and type it in the code field.")}

    def begin_setup(self, user, instance_config: dict) -> SetupState:
        return SetupState(extra={"min_length": _min_length(instance_config)})

    def confirm_setup(self, user, state: SetupState, code: str, purpose: str) -> tuple[Outcome, dict]:
        pin = _digits(code)
        if not pin.isdigit() or not state.extra["min_length"] <= len(pin) <= MAX_LENGTH:
            return Outcome.WRONG, {}
        return Outcome.OK, {"secret_enc": crypto.encrypt(hash_password(pin))}

    def verify(self, authenticator, code: str, purpose: str) -> Outcome:
        pin = _digits(code)
        if not pin.isdigit() or len(pin) > MAX_LENGTH:
            return Outcome.WRONG
        return Outcome.OK if verify_password(crypto.decrypt(authenticator.secret_enc), pin) else Outcome.WRONG
