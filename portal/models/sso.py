"""Single sign-on (portal.sso): identity providers, the people linked to them, sign-ins on their way.

All datetimes are naive UTC (portal.clock)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class SsoProvider(db.Model):
    """An OpenID Connect identity provider an admin added in Auth & SSO (portal.sso). The client secret is encrypted
    with the rotatable key ring (portal.crypto), like a TOTP secret."""

    __tablename__ = "sso_providers"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(80), unique=True)  # "Contoso SSO": the button says "Sign in with ..."
    issuer: Mapped[str] = mapped_column(String(500))  # discovery: <issuer>/.well-known/openid-configuration
    client_id: Mapped[str] = mapped_column(String(255))
    client_secret_enc: Mapped[str] = mapped_column(Text)
    areas: Mapped[str] = mapped_column(String(16), default="both")  # "agent", "helpcenter" or "both"
    email_domains: Mapped[str] = mapped_column(Text, default="")  # space-separated; empty: any domain
    create_accounts: Mapped[bool] = mapped_column(Boolean, default=True)  # help-center accounts on first sign-in
    mfa_rule: Mapped[str] = mapped_column(String(16), default="portal")  # "portal" or "trust" (the provider's MFA)
    trusted_acr: Mapped[str] = mapped_column(String(500), default="")  # space-separated acr values that count
    sso_only: Mapped[bool] = mapped_column(Boolean, default=False)  # linked people may not sign in with a password
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class SsoIdentity(db.Model):
    """A person linked to a provider's subject (`sub`): after the first link they are found by it, not by email."""

    __tablename__ = "sso_identities"
    __table_args__ = (UniqueConstraint("provider_id", "subject", name="uq_sso_identity_subject"),
                      UniqueConstraint("provider_id", "user_id", name="uq_sso_identity_user"))

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("sso_providers.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)


class SsoState(db.Model):
    """An SSO sign-in on its way to the provider: Authlib's state data (nonce, PKCE verifier, redirect URI) kept on
    the server, never in the cookie; claimed once by the callback (a replayed state finds nothing)."""

    __tablename__ = "sso_states"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    state: Mapped[str] = mapped_column(String(128), index=True)
    value: Mapped[str] = mapped_column(Text)  # JSON, as Authlib gives it; the verifier in it encrypted
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)
