"""The signed session cookie: Flask's own format, keys and checks, with the work Flask repeats on every request
done once.

Flask's SecureCookieSessionInterface builds a new itsdangerous serializer to read the cookie and another to write
it (each construction serialises an empty dict to learn whether the serializer makes text), every read and write
makes a new signer that hashes the secret key again to derive its signing key, and every write zlib-compresses
the payload to see whether that is shorter. Counted with callgrind (bench/README.md), for a signed-in session:
about 63,000 instructions per serializer, 26,000 per key derivation and 110,000 per compression attempt (zlib's
set-up, for a cookie of a few hundred bytes), on every request.

Here the serializer and its signer are built once per secret key list (SECRET_KEY and SECRET_KEY_FALLBACKS), the
derived keys are kept, and the payload is not compressed. The cookie is the same as Flask's in every other
respect: the same HMAC-SHA1 signature over the same salt and key derivation, the same timestamp, the same JSON
(SessionJSON, below); a compressed cookie Flask wrote (before this) still reads, and Flask's own serializer
reads ours (tests/security/test_session_cookie.py).
"""
import json

from flask.json.tag import TaggedJSONSerializer
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode
from itsdangerous.url_safe import URLSafeSerializerMixin


class _Signer(TimestampSigner):
    """A signer kept for the app's life: each secret key's derived key is computed once."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._derived: dict = {}

    def derive_key(self, secret_key=None) -> bytes:
        key = self._derived.get(secret_key)
        if key is None:
            key = self._derived[secret_key] = super().derive_key(secret_key)
        return key


class Serializer(URLSafeTimedSerializer):
    default_signer = _Signer

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._signers: dict = {}

    def make_signer(self, salt=None):
        signer = self._signers.get(salt)
        if signer is None:
            signer = self._signers[salt] = super().make_signer(salt)
        return signer

    def dump_payload(self, obj) -> bytes:
        # The JSON, base64-encoded, never compressed (load_payload still reads a compressed one).
        return base64_encode(super(URLSafeSerializerMixin, self).dump_payload(obj))


def signing_serializer(interface, app) -> Serializer | None:
    """The app's serializer for `interface` (a SecureCookieSessionInterface), built again only if the keys
    change."""
    if not app.secret_key:
        return None
    keys = (*(app.config["SECRET_KEY_FALLBACKS"] or ()), app.secret_key)  # the current key last, as Flask does
    cached = app.extensions.get("portal_session_serializer")
    if cached is None or cached[0] != keys:
        serializer = Serializer(list(keys), salt=interface.salt, serializer=interface.serializer,
                                signer_kwargs={"key_derivation": interface.key_derivation,
                                               "digest_method": interface.digest_method})
        cached = app.extensions["portal_session_serializer"] = (keys, serializer)
    return cached[1]


_PLAIN = frozenset({str, int, float, bool, type(None)})
_encode = json.JSONEncoder(separators=(",", ":"), sort_keys=True).encode  # as Flask's JSON provider writes it


class SessionJSON(TaggedJSONSerializer):
    """Flask's tagged JSON, without the walk through every value when none needs a tag: a session whose values are
    all strings, numbers, booleans or None (a signed-in one) is written and read as plain JSON, which is exactly
    what the tagged serializer writes for it; anything else (flashed messages, a setup in progress) goes the
    tagged way."""

    def dumps(self, value) -> str:
        if self._plain(value):
            return _encode(value)
        return super().dumps(value)

    def loads(self, value):
        data = json.loads(value)
        return data if self._plain(data) else self._untag_scan(data)

    def _plain(self, value) -> bool:
        return (isinstance(value, dict) and all(type(v) in _PLAIN for v in value.values())
                and not (len(value) == 1 and next(iter(value)) in self.tags))  # a one-key dict could read as a tag
