"""The portal as a WebAuthn relying party: its id and allowed origins, the challenges it hands out, and the calls
into py_webauthn (`webauthn`, Duo Labs) that check what a browser sends back (docs/architecture.md, "Security keys
and passkeys").

A challenge is 32 random bytes, stored only as its SHA-256 with what asked for it (`purpose`: "setup:<nonce>" of a
setup in progress, "login:<pending id>" of a sign-in waiting for its second factor, "passkey:<area>:<browser>" of a
passkey sign-in) and an expiry 5 minutes on. A response is checked first (signature, origin, relying party), then
its challenge is claimed with one conditional DELETE: the database decides, so a replayed response is refused on
every worker.
"""
import hashlib
import ipaddress
import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app, request
from sqlalchemy import bindparam, delete
from webauthn import (generate_authentication_options, generate_registration_options, options_to_json,
                      verify_authentication_response, verify_registration_response)
from webauthn.helpers import (base64url_to_bytes, bytes_to_base64url, parse_authentication_credential_json,
                              parse_client_data_json, parse_registration_credential_json)
from webauthn.helpers.structs import (AttestationConveyancePreference, AuthenticationCredential,
                                      AuthenticatorSelectionCriteria, AuthenticatorTransport,
                                      CredentialDeviceType, PublicKeyCredentialDescriptor, RegistrationCredential,
                                      ResidentKeyRequirement, UserVerificationRequirement)

from .. import clock
from ..extensions import db
from ..models import WebAuthnChallenge, WebAuthnCredential
from .base import Outcome

CHALLENGE_SECONDS = 300  # a challenge is good for 5 minutes, and the browser waits as long


class Refused(Exception):
    """A response the relying party does not accept; `outcome` says why (WRONG, REPLAY, EXPIRED)."""

    def __init__(self, outcome: Outcome):
        super().__init__(outcome.value)
        self.outcome = outcome


# --- Deploy settings --------------------------------------------------------------------------------------------

def _split(value) -> list[str]:
    return [v.strip().rstrip("/") for v in (value or "").split(",") if v.strip()]


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        return False


def settings_problems(rp_id: str | None, origins: list[str]) -> list[str]:
    """What is wrong with a relying-party id and its allowed origins (empty when they work together)."""
    problems = []
    if not rp_id:
        problems.append("WEBAUTHN_RP_ID is not set: give the domain people sign in on, such as help.example.com.")
    elif any(c in rp_id for c in ":/") or _is_ip(rp_id) or rp_id != rp_id.lower().strip("."):
        problems.append(f"WEBAUTHN_RP_ID “{rp_id}” must be a lower-case domain name with no scheme, port or path "
                        "(an IP address can never be one).")
    if not origins:
        problems.append("WEBAUTHN_ORIGINS is not set: give the address browsers open, such as "
                        "https://help.example.com (several separated by commas).")
    for origin in origins:
        parts = urlsplit(origin)
        host = parts.hostname or ""
        local = host == "localhost"
        if parts.scheme not in ("https", "http") or (parts.scheme == "http" and not local) or parts.path \
                or parts.query or not host:
            problems.append(f"WEBAUTHN_ORIGINS: “{origin}” must be https://host[:port] (http only for localhost).")
        elif rp_id and not (host == rp_id or host.endswith("." + rp_id)):
            problems.append(f"WEBAUTHN_ORIGINS: “{origin}” is not on WEBAUTHN_RP_ID “{rp_id}” or a subdomain of it.")
    return problems


def check_settings(app) -> None:
    """At start-up: the relying-party id and origins must agree. Unset, they are PORTAL_URL's host and PORTAL_URL
    itself (a deploy on https://help.example.com needs nothing more); in debug and tests without PORTAL_URL,
    localhost (the browser's own origin, whatever its port)."""
    rp_id, origins = app.config.get("WEBAUTHN_RP_ID"), _split(app.config.get("WEBAUTHN_ORIGINS"))
    if not rp_id and not origins and app.config.get("PORTAL_URL"):
        origins = _split(app.config["PORTAL_URL"])
        rp_id = urlsplit(origins[0]).hostname
        app.config.update(WEBAUTHN_RP_ID=rp_id, WEBAUTHN_ORIGINS=origins[0])
    if not rp_id and not origins and (app.debug or app.testing):
        return
    problems = settings_problems(rp_id, origins)
    if problems:
        raise RuntimeError("Security keys and passkeys (WebAuthn) can't work with these settings:\n- "
                           + "\n- ".join(problems) + "\nSee README, \"Security keys and passkeys\".")


def rp_id() -> str:
    return current_app.config.get("WEBAUTHN_RP_ID") or "localhost"


def rp_name() -> str:
    return current_app.config.get("WEBAUTHN_RP_NAME") or "Helpdesk"


def origins() -> list[str]:
    """The origins a response may come from: the configured ones; in debug and tests, this request's own origin
    (http://localhost:PORT) when none are configured."""
    configured = _split(current_app.config.get("WEBAUTHN_ORIGINS"))
    return configured or [f"{request.scheme}://{request.host}"]


# --- Challenges ---------------------------------------------------------------------------------------------------

def _hash(challenge: bytes) -> str:
    return hashlib.sha256(challenge).hexdigest()


def issue(purpose: str) -> bytes:
    """A new challenge for `purpose`, replacing the one it had (one outstanding challenge per purpose). Committed:
    the page that shows it is rendered next."""
    now = clock.now()
    db.session.execute(delete(WebAuthnChallenge).where(
        (WebAuthnChallenge.purpose == purpose) | (WebAuthnChallenge.expires_at <= now)))
    challenge = secrets.token_bytes(32)
    db.session.add(WebAuthnChallenge(challenge_hash=_hash(challenge), purpose=purpose,
                                     expires_at=now + timedelta(seconds=CHALLENGE_SECONDS)))
    db.session.commit()
    return challenge


_CLAIM = (delete(WebAuthnChallenge)
          .where(WebAuthnChallenge.challenge_hash == bindparam("challenge_hash"),
                 WebAuthnChallenge.purpose == bindparam("purpose"))
          .returning(WebAuthnChallenge.expires_at))


def claim(purpose: str, challenge: bytes) -> Outcome:
    """Spend a challenge: OK once, for the purpose it was issued to and within its 5 minutes; REPLAY when it was
    spent already (or never issued to this purpose); EXPIRED when it is too old."""
    expires_at = db.session.execute(_CLAIM.execution_options(synchronize_session=False),
                                    {"challenge_hash": _hash(challenge), "purpose": purpose}).scalar()
    if expires_at is None:
        return Outcome.REPLAY
    return Outcome.OK if clock.now() < expires_at else Outcome.EXPIRED


# --- Options for the browser ----------------------------------------------------------------------------------

def _transports(value: str) -> list[AuthenticatorTransport]:
    known = {t.value: t for t in AuthenticatorTransport}
    return [known[t] for t in (value or "").split(",") if t in known]


def descriptor(credential: WebAuthnCredential) -> PublicKeyCredentialDescriptor:
    return PublicKeyCredentialDescriptor(id=base64url_to_bytes(credential.credential_id),
                                         transports=_transports(credential.transports) or None)


def registration_options(purpose: str, user_name: str, display_name: str, user_handle: str,
                         existing: list[WebAuthnCredential]) -> str:
    """The JSON for navigator.credentials.create(): attestation "none", a discoverable credential preferred (a
    passkey), the person's keys excluded (the same key twice is refused by the browser)."""
    options = generate_registration_options(
        rp_id=rp_id(), rp_name=rp_name(), user_name=user_name, user_display_name=display_name,
        user_id=base64url_to_bytes(user_handle), challenge=issue(purpose), timeout=CHALLENGE_SECONDS * 1000,
        attestation=AttestationConveyancePreference.NONE,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED, user_verification=UserVerificationRequirement.PREFERRED),
        exclude_credentials=[descriptor(c) for c in existing])
    return options_to_json(options)


def authentication_options(purpose: str, allowed: list[WebAuthnCredential], passwordless: bool = False) -> str:
    """The JSON for navigator.credentials.get(): the allowed keys (none for a passkey sign-in: the browser offers
    the passkeys it has for this site), user verification required for a sign-in without a password."""
    options = generate_authentication_options(
        rp_id=rp_id(), challenge=issue(purpose), timeout=CHALLENGE_SECONDS * 1000,
        allow_credentials=[descriptor(c) for c in allowed],
        user_verification=(UserVerificationRequirement.REQUIRED if passwordless
                           else UserVerificationRequirement.PREFERRED))
    return options_to_json(options)


def new_user_handle() -> str:
    return bytes_to_base64url(secrets.token_bytes(32))


# --- Checking a browser's response ------------------------------------------------------------------------------

def parse_assertion(data: str) -> AuthenticationCredential:
    """A response of navigator.credentials.get() as JSON; junk raises Refused(WRONG)."""
    try:
        return parse_authentication_credential_json(data)
    except Exception:  # the library raises several kinds (JSON, base64, structure) for one thing: not a response
        raise Refused(Outcome.WRONG) from None


def _challenge_of(client_data_json: bytes) -> bytes:
    try:
        return parse_client_data_json(client_data_json).challenge
    except Exception:  # malformed clientDataJSON
        raise Refused(Outcome.WRONG) from None


@dataclass
class NewCredential:
    credential_id: str
    public_key: bytes
    sign_count: int
    transports: str
    backup_eligible: bool
    backed_up: bool
    aaguid: str


def verify_registration(data: str, purpose: str) -> NewCredential:
    """Check a response of navigator.credentials.create() against the challenge of `purpose`, this relying party
    and its origins, then spend the challenge. Raises Refused."""
    try:
        credential: RegistrationCredential = parse_registration_credential_json(data)
    except Exception:  # junk: not a registration response
        raise Refused(Outcome.WRONG) from None
    challenge = _challenge_of(credential.response.client_data_json)
    try:
        verified = verify_registration_response(credential=credential, expected_challenge=challenge,
                                                expected_rp_id=rp_id(), expected_origin=origins())
    except Exception:  # InvalidRegistrationResponse and the parsing errors under it
        raise Refused(Outcome.WRONG) from None
    outcome = claim(purpose, challenge)
    if outcome is not Outcome.OK:
        raise Refused(outcome)
    transports = [t.value for t in (credential.response.transports or [])]
    return NewCredential(
        credential_id=bytes_to_base64url(verified.credential_id), public_key=verified.credential_public_key,
        sign_count=verified.sign_count, transports=",".join(transports)[:200],
        backup_eligible=verified.credential_device_type == CredentialDeviceType.MULTI_DEVICE,
        backed_up=bool(verified.credential_backed_up), aaguid=str(verified.aaguid))


@dataclass
class Assertion:
    sign_count: int
    backed_up: bool
    user_verified: bool


def verify_assertion(credential: AuthenticationCredential, stored: WebAuthnCredential, purpose: str,
                     require_user_verification: bool) -> Assertion:
    """Check a response of navigator.credentials.get() made with `stored` against the challenge of `purpose`,
    this relying party and its origins, then spend the challenge. The sign count is the caller's to claim
    (webauthn_method.claim_sign_count). Raises Refused."""
    if credential.id != stored.credential_id:
        raise Refused(Outcome.WRONG)
    challenge = _challenge_of(credential.response.client_data_json)
    try:
        verified = verify_authentication_response(
            credential=credential, expected_challenge=challenge, expected_rp_id=rp_id(), expected_origin=origins(),
            credential_public_key=stored.public_key, credential_current_sign_count=0,  # ours: claim_sign_count
            require_user_verification=require_user_verification)
    except Exception:  # InvalidAuthenticationResponse and the parsing errors under it
        raise Refused(Outcome.WRONG) from None
    outcome = claim(purpose, challenge)
    if outcome is not Outcome.OK:
        raise Refused(outcome)
    return Assertion(verified.new_sign_count, bool(verified.credential_backed_up), bool(verified.user_verified))
