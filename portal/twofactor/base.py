"""The interface every 2FA method (plugin) implements.

A plugin is a class registered in the ``portal.twofactor`` entry point group (see README, "Writing a 2FA
plugin"). The core calls it; it never touches the session, the lockout budget or the security log itself.
"""
from dataclasses import dataclass, field
from enum import Enum


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


# What a person is told for each outcome, in one place.
MESSAGES = {
    Outcome.WRONG: "That code isn't right. Check the code in your app and try again.",
    Outcome.REPLAY: "That code has already been used. Wait for the next code in your app.",
    Outcome.EXPIRED: "That code has expired. Ask for a new one.",
    Outcome.USED_UP: "Too many tries for that code. Ask for a new one.",
    Outcome.THROTTLED: "Too many wrong codes. Wait a little before trying again.",
    Outcome.LOCKED: "This account is locked after too many wrong codes. Contact your helpdesk administrator.",
    Outcome.NO_CODE: "No code has been sent yet. Ask for one first.",
    Outcome.UNAVAILABLE: "Two-factor sign-in is unavailable right now. Contact your helpdesk administrator.",
}


@dataclass
class ConfigField:
    name: str
    label: str
    default: str = ""
    help: str = ""


@dataclass
class SetupState:
    """What a setup in progress needs until its first code confirms it. Kept in the session (encrypted)."""

    secret: str = ""
    target: str = ""
    extra: dict = field(default_factory=dict)


class Method:
    key: str = ""
    label: str = ""  # "Authenticator app"
    description: str = ""
    config_fields: list[ConfigField] = []
    # True when the challenge has to send something first (an email code).
    sends_code: bool = False
    code_prompt: str = "Enter the code"
    # True when verify() itself records the authenticator's last_used_at (in the same statement as its own
    # update); otherwise the core records it after an accepted code.
    stamps_last_used: bool = False
    # True when verify() is quick and always returns (a computation and a statement or two): it then runs in the
    # same transaction as the attempt's charge. Otherwise (the default, e.g. a plugin calling a remote service) the
    # charge is committed before verify() runs (lockout.guarded(slow=True)).
    quick_check: bool = False

    def begin_setup(self, user, instance_config: dict) -> SetupState:
        raise NotImplementedError

    def confirm_setup(self, user, state: SetupState, code: str, purpose: str) -> tuple[Outcome, dict]:
        """Check the first code. On OK return the fields for the new Authenticator row."""
        raise NotImplementedError

    def verify(self, authenticator, code: str, purpose: str) -> Outcome:
        raise NotImplementedError

    def send_code(self, user, target: str, purpose: str) -> Outcome:
        """Methods with sends_code=True send a fresh code bound to `purpose`."""
        return Outcome.UNAVAILABLE

    def send_failure_message(self, outcome: Outcome) -> str:
        return MESSAGES.get(outcome, MESSAGES[Outcome.UNAVAILABLE])

    def code_message(self, outcome: Outcome) -> str:
        """What the challenge tells the person about a refused code."""
        return MESSAGES.get(outcome, MESSAGES[Outcome.UNAVAILABLE])
