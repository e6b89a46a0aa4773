"""The portal's one SQLAlchemy model: people, their second factors, policy settings and the security log.

All datetimes are naive UTC (see portal.clock).
"""
from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import (BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text,
                        UniqueConstraint, func)
from sqlalchemy.orm import Mapped, backref, mapped_column, query_expression, relationship

from .extensions import db

AGENT = "agent"
END_USER = "end_user"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored normalised (stripped, lower-case) so every lookup goes through the unique index.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16), index=True)  # AGENT or END_USER
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    enforce_2fa: Mapped[bool] = mapped_column(Boolean, default=False)
    # Once 2FA was removed by an admin (lost device) the person gets no fresh "Skip for now".
    skip_forfeited: Mapped[bool] = mapped_column(Boolean, default=False)
    # Bumped when every remembered device of this person must stop being recognised.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The per-account second-factor failure budget (portal.twofactor.lockout).
    failure_count: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    admin_locked: Mapped[bool] = mapped_column(Boolean, default=False)
    # The per-account budget of wrong passwords (portal.password_budget): failures in a row, and when the next
    # attempt may be checked.
    password_failures: Mapped[int] = mapped_column(Integer, default=0)
    password_next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Set while an admin has disabled the account (portal.account_status): no sign-in, no session.
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime)
    # An admin set up this person's first factor: they have no recovery codes yet and are asked to make a set at
    # their next sign-in (portal.twofactor.recovery).
    recovery_codes_due: Mapped[bool] = mapped_column(Boolean, default=False)
    # One person's own grace period, given by an admin (portal.grace_period): they may skip setting up 2FA until
    # then, whatever the portal-wide date. And the last reminder mailed about a grace date ("<iso date>/<days>").
    grace_until: Mapped[datetime | None] = mapped_column(DateTime)
    grace_reminded: Mapped[str | None] = mapped_column(String(40))

    authenticators: Mapped[list[Authenticator]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="Authenticator.created_at"
    )

    @property
    def is_agent(self) -> bool:
        return self.kind == AGENT

    @property
    def confirmed_authenticators(self) -> list[Authenticator]:
        return [a for a in self.authenticators if a.confirmed_at is not None]


# The admin lists (portal.admin.directory) page through one kind of person by email and search by prefix of the
# email or the lower-cased name: these indexes serve both, so a page stays fast with 100,000 agents.
Index("ix_users_kind_email", User.kind, User.email)
Index("ix_users_kind_name_lower", User.kind, func.lower(User.name))


class Authenticator(db.Model):
    __tablename__ = "authenticators"
    __table_args__ = (UniqueConstraint("user_id", "name", name="uq_authenticator_user_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    method: Mapped[str] = mapped_column(String(40))  # a plugin key: "totp", "email", ...
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("plugin_instances.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(60))
    # Encrypted with the rotatable key ring (portal.crypto); never the clear secret.
    secret_enc: Mapped[str | None] = mapped_column(Text)
    # Where an email authenticator sends its codes.
    target: Mapped[str | None] = mapped_column(String(254))
    # Highest TOTP time step accepted; a step <= this is a replay.
    last_used_step: Mapped[int | None] = mapped_column(BigInteger)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship(back_populates="authenticators")


class PendingLogin(db.Model):
    """A password-verified sign-in waiting for its second factor (or for mandatory setup)."""

    __tablename__ = "pending_logins"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # random token, also kept in the session
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    area: Mapped[str] = mapped_column(String(16))  # "agent" or "helpcenter"
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    next_url: Mapped[str | None] = mapped_column(String(500))
    # State of this sign-in kept on the server, never in the cookie: a mandatory setup in progress, the recovery
    # codes it made (JSON; secrets in it encrypted). Carried into the signed-in session it becomes.
    data: Mapped[str] = mapped_column(Text, default="")
    user: Mapped[User] = relationship()
    # Not a column: whether the person has an unused recovery code, loaded with the pending login in the same
    # statement (login.current) for the challenge page's "Use a recovery code"; None when not loaded.
    has_recovery_codes: Mapped[bool | None] = query_expression()


class PendingRegistration(db.Model):
    """A help-center registration waiting for its emailed link (portal.registrations): no account exists until the
    link is followed. Also one row per "someone tried to register with your address" mail to an existing account's
    owner (no token, no password), so every registration mail to an address counts towards its send limits."""

    __tablename__ = "pending_registrations"
    __table_args__ = (Index("ix_pending_registrations_email_created", "email", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))  # normalised as users.email (portal.accounts.clean_email)
    name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))  # argon2id; cleared once the link is used
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)  # sha256 of the link's token
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)


class EmailCode(db.Model):
    """A one-time code sent by email; only a keyed hash is stored."""

    __tablename__ = "email_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # What the code was sent for: "login:<pending id>" or "setup:<nonce>".
    purpose: Mapped[str] = mapped_column(String(100), index=True)
    code_hash: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
    voided: Mapped[bool] = mapped_column(Boolean, default=False)


class RecoveryCode(db.Model):
    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255))  # argon2id
    created_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)


class PasswordReset(db.Model):
    """A "Forgot your password?" link (portal.password_reset): only the SHA-256 of its random token is stored. Void
    once used, once a newer link is made, and after any password change (used_at is then set)."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)


class UserSession(db.Model):
    """A signed-in session (portal.sessions). The browser's cookie holds a random token; only its hash is here, so
    deleting the row signs that browser out on every worker and host."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the cookie's token
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    area: Mapped[str] = mapped_column(String(16))  # "agent" or "helpcenter"
    how: Mapped[str] = mapped_column(String(40))  # how it signed in: "password", a method key, "recovery", ...
    created_at: Mapped[datetime] = mapped_column(DateTime)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime)  # written at most once a minute
    fresh_at: Mapped[datetime | None] = mapped_column(DateTime)  # the last proof: sign-in, password or a code
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    # Server-side state of this session (a setup in progress, recovery codes to show once): JSON, secrets in it
    # encrypted. Never in the cookie.
    data: Mapped[str] = mapped_column(Text, default="")
    user: Mapped[User] = relationship()


class KnownBrowser(db.Model):
    """A browser a person has signed in from before (a long-lived random cookie, hashed here): a sign-in from any
    other browser mails the owner."""

    __tablename__ = "known_browsers"
    __table_args__ = (UniqueConstraint("user_id", "token_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime)


class RememberedDevice(db.Model):
    __tablename__ = "remembered_devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(128), unique=True)
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    ip: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)


class SecurityEvent(db.Model):
    __tablename__ = "security_events"
    __table_args__ = (Index("ix_security_events_user_created", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    type: Mapped[str] = mapped_column(String(60), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)  # read through ix_security_events_user_created
    ip: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[str] = mapped_column(Text, default="")  # never a secret or a code

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])


class Setting(db.Model):
    """Admin-editable policy, one JSON value per key (portal.settings)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Plugin(db.Model):
    """A discovered 2FA plugin's install/activation state; `active` is what Auth & SSO's switches show."""

    __tablename__ = "plugins"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    installed: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    installed_at: Mapped[datetime | None] = mapped_column(DateTime)


class PluginInstance(db.Model):
    __tablename__ = "plugin_instances"

    id: Mapped[int] = mapped_column(primary_key=True)
    plugin_key: Mapped[str] = mapped_column(ForeignKey("plugins.key", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(16), default="active")  # "active" or "disabled"
    config: Mapped[str] = mapped_column(Text, default="{}")  # JSON: the method's settings, e.g. issuer
    created_at: Mapped[datetime] = mapped_column(DateTime)


class OutboxMessage(db.Model):
    """Development only: mail kept for the /dev/outbox page when no mail server is configured."""

    __tablename__ = "dev_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)


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
# --- Support requests (portal.requests) ---------------------------------------------------------------------------

class SupportRequest(db.Model):
    """A help-center request: a subject, a conversation (RequestMessage) and a status. Only its requester and
    agents ever see it."""

    __tablename__ = "support_requests"
    # The queue: one status, newest first.
    __table_args__ = (Index("ix_support_requests_status_created", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(150))
    status: Mapped[str] = mapped_column(String(16))  # "open", "pending" (waiting on the customer), "solved"
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    requester: Mapped[User] = relationship()
    messages: Mapped[list[RequestMessage]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="RequestMessage.id")


class RequestMessage(db.Model):
    """One message of a request's conversation, plain text."""

    __tablename__ = "request_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("support_requests.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)

    request: Mapped[SupportRequest] = relationship(back_populates="messages")
    author: Mapped[User | None] = relationship()


class RequesterVerification(db.Model):
    """An agent's "Verify requester" on a request (portal.requests.verification): asked, then confirmed with one
    of the requester's own second factors (or an emailed code when they have none: weaker), or answered "This
    wasn't me". The agent never sees a code; only what was used and when."""

    __tablename__ = "requester_verifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("support_requests.id", ondelete="CASCADE"), index=True)
    asked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    asked_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)  # until when the requester can answer
    state: Mapped[str] = mapped_column(String(16))  # "asked", "verified", "denied", "replaced"
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    method_label: Mapped[str] = mapped_column(String(80), default="")  # e.g. "Authentication App"
    email_only: Mapped[bool] = mapped_column(Boolean, default=False)  # no second factor: an emailed code (weaker)

    asked_by: Mapped[User | None] = relationship()


class AccountRecovery(db.Model):
    """Lost-device recovery (portal.account_recovery): asked for after the password alone ("I can't use any of my
    methods") or scheduled by an admin's "Remove 2FA" when Auth & SSO delays it. Admins approve it (two different
    admins for a staff account when there are two), then a waiting period runs that the owner can stop (the
    emailed cancel link, or a second-factor sign-in); when it ends the factors are removed. Only the SHA-256 of the
    cancel link's token is looked up; the token itself is kept encrypted so every mail can carry the same link."""

    __tablename__ = "account_recoveries"
    __table_args__ = (Index("ix_account_recoveries_state_ends", "state", "ends_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # "lost_device" or "admin_removal"
    # "requested" (waiting for approval), "waiting" (the waiting period runs), "cancelled", "refused", "completed"
    state: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_enc: Mapped[str] = mapped_column(Text)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime)
    second_approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    second_approved_at: Mapped[datetime | None] = mapped_column(DateTime)
    ends_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_how: Mapped[str] = mapped_column(String(40), default="")

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    second_approved_by: Mapped[User | None] = relationship(foreign_keys=[second_approved_by_id])
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
