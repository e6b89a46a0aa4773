"""Password hashing with argon2id (argon2-cffi's current defaults in production), and the one rule for a new
password (`check_new_password`).

`PASSWORD_HASH_PROFILE` (Config) picks the cost once at start-up: "production" (the defaults) or "test" (the
cheapest argon2id, so the test suite is not dominated by deliberate slowness). Existing hashes verify under
either profile: argon2 stores its parameters in the hash.
"""
import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

PROFILES = {
    "production": {"password": {}, "code": {"time_cost": 2, "memory_cost": 19 * 1024, "parallelism": 1}},
    "test": {"password": {"time_cost": 1, "memory_cost": 64, "parallelism": 1},
             "code": {"time_cost": 1, "memory_cost": 64, "parallelism": 1}},
}

_hashers: dict[str, PasswordHasher] = {}
_dummy = ""


def configure(profile: str = "production") -> None:
    global _dummy
    if profile not in PROFILES:
        raise ValueError(f"PASSWORD_HASH_PROFILE must be one of {sorted(PROFILES)}")
    _hashers["password"] = PasswordHasher(**PROFILES[profile]["password"])
    # Recovery codes: argon2id at OWASP's minimum (19 MiB, 2 passes) — ample for random 50-bit codes.
    _hashers["code"] = PasswordHasher(**PROFILES[profile]["code"])
    # A hash to verify against when the account does not exist, so timing does not reveal which emails exist.
    _dummy = _hashers["password"].hash("not-a-real-password")


def hasher(kind: str = "password") -> PasswordHasher:
    return _hashers[kind]


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return hasher().verify(password_hash or _dummy, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


# --- The rule for a new password (registration, `flask user create|set-password`, change, reset) --------------

MIN_LENGTH = 8
MAX_LENGTH = 1024
MIN_SCORE = 3  # zxcvbn's 0-4 scale: 3 is "safely unguessable: moderate protection from offline slow-hash attacks"
STRENGTH_CHECKED = 72  # zxcvbn's own limit (its matching grows fast with length): a longer password is judged by these
TOO_EASY = "That password is too easy to guess."
PERSONAL = "It contains your name or email address."
FALLBACK = "Add another word or two. Uncommon words are better."


def _personal_words(user_inputs) -> list[str]:
    """The person's own words for zxcvbn: each input whole, an email's part before the @, each word of a name or
    an address, and those words run together ("samagent")."""
    words = []
    for value in user_inputs or ():
        value = (value or "").strip().lower()
        if not value:
            continue
        local = value.partition("@")[0]
        parts = [w for w in re.split(r"[\W_]+", local) if w]
        for word in [value, local, "".join(parts), *parts]:
            if len(word) >= 3 and word not in words:
                words.append(word)
    return words


def check_new_password(password: str | None, user_inputs=()) -> str | None:
    """Why `password` can't be someone's new password, in a sentence for them, or None when it can.

    At least 8 characters and at most 1024, no composition rules; refused when zxcvbn scores it below 3 or finds
    it is a common password, with zxcvbn's own warning and suggestions. `user_inputs` are the person's email and
    name: a password made of them is easy for anyone who knows them to guess."""
    password = password or ""
    if len(password) < MIN_LENGTH:
        return f"Use a password of at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Passwords can be at most {MAX_LENGTH} characters."
    result = zxcvbn(password[:STRENGTH_CHECKED], user_inputs=_personal_words(user_inputs))
    sequence = result["sequence"]
    common = len(sequence) == 1 and sequence[0].get("dictionary_name") == "passwords"
    if result["score"] >= MIN_SCORE and not common:
        return None
    feedback = result["feedback"]
    said = [feedback.get("warning") or ""]
    if any(m.get("dictionary_name") == "user_inputs" for m in sequence):
        said.append(PERSONAL)
    if common and not said[0]:
        said[0] = "This is a commonly used password."
    said += feedback.get("suggestions") or [FALLBACK]
    return " ".join([TOO_EASY, *(s for s in said if s)])


configure()
