"""Password hashing with argon2id (argon2-cffi's current defaults in production), and the one rule for a new
password (`check_new_password`).

`PASSWORD_HASH_PROFILE` (Config) picks the cost once at start-up: "production" (the defaults) or "test" (the
cheapest argon2id, so the test suite is not dominated by deliberate slowness). Existing hashes verify under
either profile: argon2 stores its parameters in the hash.
"""
import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _, lazy_gettext as _l
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
TOO_EASY = _l("That password is too easy to guess.")
PERSONAL = _l("It contains your name or email address.")
FALLBACK = _l("Add another word or two. Uncommon words are better.")
COMMON = _l("This is a commonly used password.")

# zxcvbn's feedback comes in English from a fixed set: each sentence is shown through its translation here. One it
# doesn't know (a newer zxcvbn) is never shown untranslated: a warning is left out, a suggestion becomes FALLBACK.
ZXCVBN_WARNINGS = {
    "Straight rows of keys are easy to guess.": _l("Straight rows of keys are easy to guess."),
    "Short keyboard patterns are easy to guess.": _l("Short keyboard patterns are easy to guess."),
    'Repeats like "aaa" are easy to guess.': _l('Repeats like "aaa" are easy to guess.'),
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".':
        _l('Repeats like "abcabcabc" are only slightly harder to guess than "abc".'),
    'Sequences like "abc" or "6543" are easy to guess.': _l('Sequences like "abc" or "6543" are easy to guess.'),
    "Recent years are easy to guess.": _l("Recent years are easy to guess."),
    "Dates are often easy to guess.": _l("Dates are often easy to guess."),
    "This is a top-10 common password.": _l("This is a top-10 common password."),
    "This is a top-100 common password.": _l("This is a top-100 common password."),
    "This is a very common password.": _l("This is a very common password."),
    "This is similar to a commonly used password.": _l("This is similar to a commonly used password."),
    "A word by itself is easy to guess.": _l("A word by itself is easy to guess."),
    "Names and surnames by themselves are easy to guess.": _l("Names and surnames by themselves are easy to guess."),
    "Common names and surnames are easy to guess.": _l("Common names and surnames are easy to guess."),
}
ZXCVBN_SUGGESTIONS = {
    "Use a few words, avoid common phrases.": _l("Use a few words, avoid common phrases."),
    "No need for symbols, digits, or uppercase letters.": _l("No need for symbols, digits, or uppercase letters."),
    "Add another word or two. Uncommon words are better.": FALLBACK,
    "Use a longer keyboard pattern with more turns.": _l("Use a longer keyboard pattern with more turns."),
    "Avoid repeated words and characters.": _l("Avoid repeated words and characters."),
    "Avoid sequences.": _l("Avoid sequences."),
    "Avoid recent years.": _l("Avoid recent years."),
    "Avoid years that are associated with you.": _l("Avoid years that are associated with you."),
    "Avoid dates and years that are associated with you.": _l("Avoid dates and years that are associated with you."),
    "Capitalization doesn't help very much.": _l("Capitalization doesn't help very much."),
    "All-uppercase is almost as easy to guess as all-lowercase.":
        _l("All-uppercase is almost as easy to guess as all-lowercase."),
    "Reversed words aren't much harder to guess.": _l("Reversed words aren't much harder to guess."),
    "Predictable substitutions like '@' instead of 'a' don't help very much.":
        _l("Predictable substitutions like '@' instead of 'a' don't help very much."),
}


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
        return _("Use a password of at least %(num)d characters.", num=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("Passwords can be at most %(num)d characters.", num=MAX_LENGTH)
    result = zxcvbn(password[:STRENGTH_CHECKED], user_inputs=_personal_words(user_inputs))
    sequence = result["sequence"]
    common = len(sequence) == 1 and sequence[0].get("dictionary_name") == "passwords"
    if result["score"] >= MIN_SCORE and not common:
        return None
    feedback = result["feedback"]
    said = [ZXCVBN_WARNINGS.get(feedback.get("warning") or "", "")]
    if any(m.get("dictionary_name") == "user_inputs" for m in sequence):
        said.append(PERSONAL)
    if common and not said[0]:
        said[0] = COMMON
    for suggestion in feedback.get("suggestions") or [FALLBACK]:
        said.append(ZXCVBN_SUGGESTIONS.get(str(suggestion), FALLBACK))
    # Separate sentences, each translated whole; one said twice (two unknown suggestions) is said once.
    shown = []
    for sentence in [TOO_EASY, *said]:
        if sentence and str(sentence) not in shown:
            shown.append(str(sentence))
    return " ".join(shown)


configure()
