"""Secrets at rest: a MultiFernet key ring built once at start-up (first key encrypts, every key decrypts),
and a keyed hash for short codes. No key derivation runs per request."""
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app


class SecretsUnavailable(RuntimeError):
    """The encryption keys are missing or cannot read a stored secret: sign-in must refuse, never downgrade."""


class KeyRing:
    def __init__(self, keys: list[str]):
        if not keys:
            raise SecretsUnavailable("No encryption key is configured (PORTAL_ENCRYPTION_KEYS).")
        try:
            self._fernets = [Fernet(k.strip().encode()) for k in keys]
        except (ValueError, TypeError) as exc:
            raise SecretsUnavailable("PORTAL_ENCRYPTION_KEYS holds a key that is not a valid Fernet key.") from exc
        self._multi = MultiFernet(self._fernets)
        # The code-hashing key is derived once from the primary key, not per request.
        self.code_key = hashlib.sha256(b"portal-code-hmac:" + keys[0].strip().encode()).digest()

    def encrypt(self, plain: str) -> str:
        return self._multi.encrypt(plain.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._multi.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise SecretsUnavailable("A stored secret cannot be decrypted with the configured keys.") from exc

    def rotate(self, token: str) -> str:
        return self._multi.rotate(token.encode()).decode()


def parse_keys(value: str | None) -> list[str]:
    return [k for k in (value or "").split(",") if k.strip()]


def keyring() -> KeyRing:
    return current_app.extensions["portal_keyring"]


def encrypt(plain: str) -> str:
    return keyring().encrypt(plain)


def decrypt(token: str) -> str:
    return keyring().decrypt(token)


def code_hash(code: str, purpose: str) -> str:
    """A keyed hash of a short code, bound to what it was issued for."""
    return hmac.new(keyring().code_key, f"{purpose}\x00{code}".encode(), hashlib.sha256).hexdigest()


def codes_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a, b)
