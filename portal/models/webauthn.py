"""Security keys and passkeys (portal.twofactor.webauthn_method, webauthn_rp).

All datetimes are naive UTC (portal.clock)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from ..extensions import db


class WebAuthnCredential(db.Model):
    """The public half of a security key or passkey (portal.twofactor.webauthn_method): one per authenticator of
    the "webauthn" method. Nothing here is secret; the private key never leaves the person's device."""

    __tablename__ = "webauthn_credentials"

    id: Mapped[int] = mapped_column(primary_key=True)
    authenticator_id: Mapped[int] = mapped_column(ForeignKey("authenticators.id", ondelete="CASCADE"), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    credential_id: Mapped[str] = mapped_column(String(1400), unique=True)  # base64url, as browsers send it
    public_key: Mapped[bytes] = mapped_column(LargeBinary)  # COSE
    sign_count: Mapped[int] = mapped_column(BigInteger, default=0)  # a count that goes back (not 0) is refused
    transports: Mapped[str] = mapped_column(String(200), default="")  # comma-separated: "usb,nfc", "internal,hybrid"
    backup_eligible: Mapped[bool] = mapped_column(Boolean, default=False)  # a synced passkey can be backed up
    backed_up: Mapped[bool] = mapped_column(Boolean, default=False)
    aaguid: Mapped[str] = mapped_column(String(36), default="")  # the authenticator model ("0000…" with "none")
    user_handle: Mapped[str] = mapped_column(String(100))  # base64url; random per person, never their id

    authenticator: Mapped[Authenticator] = relationship(
        backref=backref("webauthn_credential", uselist=False, cascade="all, delete-orphan"))


class WebAuthnChallenge(db.Model):
    """A challenge handed to a browser: random, single use (a conditional DELETE claims it), bound to what asked
    for it (`purpose`: a setup, a pending sign-in or a browser's passkey sign-in) and valid for 5 minutes."""

    __tablename__ = "webauthn_challenges"

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 hex of the challenge
    purpose: Mapped[str] = mapped_column(String(120), index=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)
