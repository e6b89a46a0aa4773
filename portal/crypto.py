"""Secrets at rest: AES-256-GCM under a key ring built once at start-up (the first key encrypts, every key
decrypts), and a keyed hash for short codes. No key derivation runs per request.

PORTAL_ENCRYPTION_KEYS holds Fernet keys (32 random bytes, urlsafe base64), as it always has; each one's AES-256
key is derived from it once (HKDF-SHA256). A stored secret is `g1:` and the urlsafe base64 of a random 96-bit
nonce followed by the ciphertext and its 128-bit tag. Secrets stored by older versions are Fernet tokens
(AES-128-CBC with HMAC-SHA256): they still decrypt with the same keys, and `flask rotate-keys` rewrites them in
the new form.
"""
import base64
import binascii
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

PREFIX = "g1:"
_NONCE = 12


class SecretsUnavailable(RuntimeError):
    """The encryption keys are missing or cannot read a stored secret: sign-in must refuse, never downgrade."""


def _aes_key(fernet_key: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=b"portal secrets at rest: AES-256-GCM").derive(base64.urlsafe_b64decode(fernet_key))


class KeyRing:
    def __init__(self, keys: list[str]):
        if not keys:
            raise SecretsUnavailable("No encryption key is configured (PORTAL_ENCRYPTION_KEYS).")
        raw = [k.strip().encode() for k in keys]
        try:
            fernets = [Fernet(k) for k in raw]
        except (ValueError, TypeError) as exc:
            raise SecretsUnavailable("PORTAL_ENCRYPTION_KEYS holds a key that is not a valid Fernet key.") from exc
        self._legacy = MultiFernet(fernets)  # secrets stored before AES-GCM
        self._aeads = [AESGCM(_aes_key(k)) for k in raw]
        # The code-hashing key is derived once from the primary key, not per request.
        self.code_key = hashlib.sha256(b"portal-code-hmac:" + raw[0]).digest()

    def encrypt(self, plain: str) -> str:
        nonce = os.urandom(_NONCE)
        sealed = self._aeads[0].encrypt(nonce, plain.encode(), None)
        return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()

    def decrypt(self, token: str) -> str:
        if not token.startswith(PREFIX):
            return self._decrypt_legacy(token)
        try:
            blob = base64.urlsafe_b64decode(token[len(PREFIX):])
        except (binascii.Error, ValueError):
            blob = b""
        nonce, sealed = blob[:_NONCE], blob[_NONCE:]
        if len(nonce) == _NONCE:
            for aead in self._aeads:
                try:
                    return aead.decrypt(nonce, sealed, None).decode()
                except InvalidTag:
                    continue
        raise SecretsUnavailable("A stored secret cannot be decrypted with the configured keys.")

    def _decrypt_legacy(self, token: str) -> str:
        try:
            return self._legacy.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise SecretsUnavailable("A stored secret cannot be decrypted with the configured keys.") from exc

    def rotate(self, token: str) -> str:
        """The secret encrypted again with the first key, in the current form."""
        return self.encrypt(self.decrypt(token))


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
