"""A software security key for the test client: it answers the portal's WebAuthn options the way a browser and an
authenticator do (ES256, attestation "none"), so flows are tested without a browser. The browser tests use
Chromium's own virtual authenticator instead."""
import base64
import hashlib
import html
import json
import re
import secrets

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

UP, UV, BE, BS, AT = 0x01, 0x04, 0x08, 0x10, 0x40


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def options_on(response) -> str:
    """The WebAuthn options a page hands its script (data-options)."""
    match = re.search(r'data-options="([^"]*)"', response.get_data(as_text=True))
    assert match, "the page has no WebAuthn options"
    return html.unescape(match.group(1))


class SoftKey:
    def __init__(self, origin="http://localhost", rp_id="localhost", verify_user=True, backup=False):
        self.origin, self.rp_id, self.verify_user, self.backup = origin, rp_id, verify_user, backup
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = secrets.token_bytes(16)
        self.sign_count = 0
        self.user_handle = None

    def _flags(self, extra=0) -> bytes:
        flags = UP | (UV if self.verify_user else 0) | (BE | BS if self.backup else 0) | extra
        return bytes([flags])

    def _cose(self) -> bytes:
        numbers = self.private_key.public_key().public_numbers()
        return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})

    def _client_data(self, kind: str, challenge: str, origin: str | None) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge, "origin": origin or self.origin,
                           "crossOrigin": False}).encode()

    def create(self, options: str, origin: str | None = None, rp_id: str | None = None) -> str:
        """navigator.credentials.create(): the response as the page's script posts it (credential.toJSON())."""
        opts = json.loads(options)
        self.user_handle = opts["user"]["id"]
        client_data = self._client_data("webauthn.create", opts["challenge"], origin)
        auth_data = (hashlib.sha256((rp_id or self.rp_id).encode()).digest() + self._flags(AT)
                     + self.sign_count.to_bytes(4, "big") + bytes(16) + len(self.credential_id).to_bytes(2, "big")
                     + self.credential_id + self._cose())
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return json.dumps({"id": b64(self.credential_id), "rawId": b64(self.credential_id), "type": "public-key",
                           "response": {"clientDataJSON": b64(client_data), "attestationObject": b64(attestation),
                                        "transports": ["usb", "nfc"]},
                           "clientExtensionResults": {}, "authenticatorAttachment": "cross-platform"})

    def get(self, options: str, origin: str | None = None, rp_id: str | None = None, count: int | None = None,
            with_user_handle: bool = True) -> str:
        """navigator.credentials.get(): a signed assertion (the sign count goes up by one unless `count`)."""
        opts = json.loads(options)
        self.sign_count = self.sign_count + 1 if count is None else count
        client_data = self._client_data("webauthn.get", opts["challenge"], origin)
        auth_data = (hashlib.sha256((rp_id or self.rp_id).encode()).digest() + self._flags()
                     + self.sign_count.to_bytes(4, "big"))
        signature = self.private_key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        response = {"clientDataJSON": b64(client_data), "authenticatorData": b64(auth_data),
                    "signature": b64(signature)}
        if with_user_handle and self.user_handle:
            response["userHandle"] = self.user_handle
        return json.dumps({"id": b64(self.credential_id), "rawId": b64(self.credential_id), "type": "public-key",
                           "response": response, "clientExtensionResults": {},
                           "authenticatorAttachment": "cross-platform"})
