"""The interface every 2FA method (plugin) implements.

A plugin is a class registered in the ``portal.twofactor`` entry point group (see README, "Writing a 2FA
plugin"). The core calls it; it never touches the session, the lockout budget or the security log itself.
"""
from dataclasses import dataclass, field
from enum import Enum

from flask_babel import lazy_gettext as _l


class Outcome(Enum):
    OK = "ok"
    WRONG = "wrong"
    REPLAY = "replay"
    EXPIRED = "expired"
    USED_UP = "used_up"  # too many tries for this code
    THROTTLED = "throttled"
    LOCKED = "locked"
    NO_CODE = "no_code"  # nothing was sent yet (email)
    UNAVAILABLE = "unavailable"  # the method cannot work now (keys missing, mail down)


# What a person is told for each outcome, in one place (lazy: each is read in the language of the page or mail).
MESSAGES = {
    Outcome.WRONG: _l("That code isn't right. Check the code in your app and try again."),
    Outcome.REPLAY: _l("That code has already been used. Wait for the next code in your app."),
    Outcome.EXPIRED: _l("That code has expired. Ask for a new one."),
    Outcome.USED_UP: _l("Too many tries for that code. Ask for a new one."),
    Outcome.THROTTLED: _l("Too many wrong codes. Wait a little before trying again."),
    Outcome.LOCKED: _l("This account is locked after too many wrong codes. Contact your helpdesk administrator."),
    Outcome.NO_CODE: _l("No code has been sent yet. Ask for one first."),
    Outcome.UNAVAILABLE: _l("Two-factor sign-in is unavailable right now. Contact your helpdesk administrator."),
}


class FlowError(Exception):
    """A request the rules refuse; the message is shown to the person as it is (`str(exc)`: a lazy message is
    translated then, in the reader's language)."""


@dataclass
class ConfigField:
    name: str
    label: str
    default: str = ""
    help: str = ""


@dataclass(frozen=True)
class CodeInput:
    """How a method's code is typed: a one-time code (the default) or a secret the person chose (a PIN: masked,
    typed twice at setup, its rules shown before the first mistake)."""

    masked: bool = False
    confirm_at_setup: bool = False  # typed twice when it is chosen
    rules: str = ""  # shown under the field at setup, e.g. "6 to 12 digits"
    inputmode: str = "numeric"
    # The "code" is what the browser's WebAuthn call returns, posted by static/webauthn.js as JSON (a security key
    # or passkey): nobody types it, and the forms take it in a hidden field (forms.for_method).
    browser_credential: bool = False


@dataclass
class SetupState:
    """What a setup in progress needs until its first code confirms it. Kept in the session (encrypted)."""

    secret: str = ""
    target: str = ""
    extra: dict = field(default_factory=dict)


class Method:
    """A second-factor method. Everything the portal shows or decides about a method comes from here: the core,
    the areas and the templates never test a method's key."""

    key: str = ""
    label: str = ""  # what admins and people call it: "Authenticator app"
    description: str = ""
    config_fields: list[ConfigField] = []
    type_label: str = ""  # its type in a person's list of authenticators ("Authentication App"); default: label
    set_up_label: str = ""  # the button that starts a setup ("Set up authentication app"); default: "Set up <label>"
    switch_label: str = ""  # its on/off switch in Auth & SSO ("TOTP Service"); default: label
    switch_hint: str = ""  # what the switch gives people, shown under it; default: description
    # The partial that shows the setup steps (included by every page that sets up a method). It gets `view`
    # (SetupView), `form` (SetupForm), `action`, `send_action`, `show_name`, `submit_label`, `cancel_url`.
    setup_template: str = "methods/generic_setup.html"
    setup_instructions: str = ""  # what to do, shown above the form of the generic setup partial
    code_input: CodeInput = CodeInput()
    # True when the challenge has to send something first (an email code); then only the person can set it up.
    sends_code: bool = False
    # True when a current code from it is a fresh proof ("Confirm it's you" accepts it instead of the password).
    proves_freshness: bool = False
    code_prompt: str = _l("Enter the code")
    code_label: str = _l("Verification code")  # the code field's label at setup
    # True when verify() is quick and always returns (a computation and a statement or two): it then runs in the
    # same transaction as the attempt's charge. Otherwise (the default, e.g. a plugin calling a remote service) the
    # charge is committed before verify() runs (lockout.guarded(slow=True)).
    quick_check: bool = False
    setup_messages: dict = {}  # its own wording for a refused setup code, by Outcome
    # The partial the challenge page shows instead of the code field (it gets `form`, `method`, `details`); "" for
    # the code field. `challenge_details()` is what it needs (a WebAuthn request bound to the pending sign-in).
    challenge_template: str = ""

    # What people read (label, description, the *_label and *_hint words, code_prompt, setup_instructions,
    # setup_messages, a ConfigField's label and help, CodeInput.rules) is best a lazy string (flask_babel's
    # lazy_gettext, or that of a plugin's own Domain): it is translated each time it is shown, in the language of the
    # page or mail. Plain strings show as they are. Reading one gives it as it is, lazy or not: a template's `{{ }}`,
    # `%`-formatting or `str()` says it in the current language (English outside a request), and a caller that joins
    # it to others, stores or logs it, or puts it in JSON calls `str()` first.

    def __init__(self):
        # The defaults stay lazy too: this one instance serves every language.
        self.type_label = self.type_label or self.label
        self.set_up_label = self.set_up_label or _l("Set up %(label)s", label=self.label)
        self.switch_label = self.switch_label or self.label
        self.switch_hint = self.switch_hint or self.description

    @property
    def can_be_set_up_by_admin(self) -> bool:
        """An admin can set it up on someone's behalf only when nothing is sent to that person during setup."""
        return not self.sends_code

    def begin_setup(self, user, instance_config: dict) -> SetupState:
        raise NotImplementedError

    def setup_details(self, user, state: SetupState, purpose: str) -> dict:
        """What the setup partial shows besides the form (a QR code, whether a code was sent); `purpose` binds
        codes to this setup."""
        return {}

    def confirm_setup(self, user, state: SetupState, code: str, purpose: str) -> tuple[Outcome, dict]:
        """Check the first code. On OK return the fields for the new Authenticator row."""
        raise NotImplementedError

    def verify(self, authenticator, code: str, purpose: str) -> Outcome:
        raise NotImplementedError

    def challenge_details(self, authenticator, purpose: str) -> dict:
        """What the challenge page's `challenge_template` shows besides the form; `purpose` binds it to this
        sign-in."""
        return {}

    def send_code(self, user, target: str, purpose: str) -> Outcome:
        """Methods with sends_code=True send a fresh code bound to `purpose`."""
        return Outcome.UNAVAILABLE

    def send_failure_message(self, outcome: Outcome) -> str:
        return str(MESSAGES.get(outcome, MESSAGES[Outcome.UNAVAILABLE]))

    def code_message(self, outcome: Outcome) -> str:
        """What the challenge tells the person about a refused code."""
        return str(MESSAGES.get(outcome, MESSAGES[Outcome.UNAVAILABLE]))
