"""Authlib's Flask client for each identity provider, and the server-side store of its state.

Each provider is an Authlib OAuth 2 client named `sso<id>`: discovery from the issuer, the authorization code flow
with PKCE (S256), `state` and `nonce`; Authlib checks the ID token's signature against the provider's JWKS and its
claims (iss, aud, exp, iat, nonce). A client is rebuilt when its provider is edited (it is cached per
`updated_at`; the cache holds only the provider's public metadata and keys, never a person's state).

Authlib keeps what a sign-in needs between the redirect and the callback (nonce, PKCE verifier, redirect URI) in
a cache: here the `sso_states` table, so any worker serves the callback and the cookie holds only a marker. The
verifier is encrypted like every secret at rest. `get` deletes the row as it reads it (one DELETE ... RETURNING):
a state is good once, even when two callbacks race.
"""
import json
import logging
from datetime import timedelta

from authlib.integrations.flask_client import OAuth
from flask import current_app
from sqlalchemy import delete

from .. import clock, crypto
from ..extensions import db
from ..models import SsoProvider, SsoState

SCOPES = "openid email profile"
STATE_SECONDS = 600  # a sign-in at the provider must come back within 10 minutes, like a pending sign-in
HTTP_TIMEOUT = 10  # seconds for each call to the provider (discovery, JWKS, token)
PREFIX = "_state_"  # Authlib's key: _state_<client name>_<state>


def client_name(provider_id: int) -> str:
    return f"sso{provider_id}"


def discovery_url(issuer: str) -> str:
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


class StateStore:
    """Authlib's cache interface (get, set, delete) over the sso_states table."""

    def set(self, key: str, value: str, expires_in: int) -> None:
        state = key.rsplit("_", 1)[-1]
        data = json.loads(value)
        verifier = data.get("data", {}).get("code_verifier")
        if verifier:
            data["data"]["code_verifier"] = crypto.encrypt(verifier)
        expires_at = clock.now() + timedelta(seconds=min(expires_in, STATE_SECONDS))
        db.session.execute(delete(SsoState).where(SsoState.expires_at < clock.now()))  # old starts go
        db.session.add(SsoState(key=key[:200], state=state[:128], value=json.dumps(data), expires_at=expires_at))
        db.session.commit()

    def get(self, key: str) -> str | None:
        """Claims the state: the row is gone after this read, so a second callback with it finds nothing."""
        row = db.session.execute(delete(SsoState).where(SsoState.key == key)
                                 .returning(SsoState.value, SsoState.expires_at)).first()
        db.session.commit()
        if row is None or clock.now() >= row.expires_at:
            return None
        data = json.loads(row.value)
        verifier = data.get("data", {}).get("code_verifier")
        if verifier:
            data["data"]["code_verifier"] = crypto.decrypt(verifier)
        return json.dumps(data)

    def delete(self, key: str) -> None:
        db.session.execute(delete(SsoState).where(SsoState.key == key))
        db.session.commit()


def init_app(app) -> None:
    logging.getLogger("authlib").setLevel(max(logging.INFO, logging.getLogger("authlib").level))  # its debug
    # lines print the PKCE verifier
    oauth = OAuth()
    oauth.init_app(app, cache=StateStore())
    app.extensions["portal_sso"] = {"oauth": oauth, "clients": {}}


def client_for(provider: SsoProvider):
    """The Authlib client of this provider as it is now configured."""
    ext = current_app.extensions["portal_sso"]
    name = client_name(provider.id)
    cached = ext["clients"].get(name)
    if cached is not None and cached[0] == provider.updated_at:
        return cached[1]
    client = ext["oauth"].register(
        name=name, overwrite=True, client_id=provider.client_id,
        client_secret=crypto.decrypt(provider.client_secret_enc),
        server_metadata_url=discovery_url(provider.issuer),
        client_kwargs={"scope": SCOPES, "code_challenge_method": "S256", "default_timeout": HTTP_TIMEOUT})
    ext["clients"][name] = (provider.updated_at, client)
    return client


def waiting(state) -> tuple[int, dict] | None:
    """(provider id, what the sign-in noted when it started: area and next) of a started sign-in with this
    `state`, if one is waiting (not yet claimed, not expired). Reading it claims nothing."""
    if not isinstance(state, str) or not state or len(state) > 128:
        return None
    row = db.session.execute(db.select(SsoState.key, SsoState.value)
                             .where(SsoState.state == state, SsoState.expires_at > clock.now())).first()
    if row is None or not row.key.startswith(PREFIX + "sso"):
        return None
    number = row.key[len(PREFIX) + 3:].split("_", 1)[0]
    data = json.loads(row.value).get("data", {})
    noted = {"area": data.get("portal_area"), "next": data.get("portal_next")}
    return (int(number), noted) if number.isdigit() else None
