"""Password hashing with argon2id (argon2-cffi's current defaults in production).

`PASSWORD_HASH_PROFILE` (Config) picks the cost once at start-up: "production" (the defaults) or "test" (the
cheapest argon2id, so the test suite is not dominated by deliberate slowness). Existing hashes verify under
either profile: argon2 stores its parameters in the hash.
"""
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

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


configure()
