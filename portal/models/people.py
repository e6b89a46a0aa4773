"""People and their second factors: accounts, named authenticators and what a sign-in keeps on the
server (pending sign-ins, sessions, codes, remembered devices and browsers).

All datetimes are naive UTC (portal.clock)."""
from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import (BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint,
                        func)
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from ..extensions import db

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
    # The person's own language and time zone (portal.i18n): None follows the browser and the portal's zone.
    language: Mapped[str | None] = mapped_column(String(8))
    time_zone: Mapped[str | None] = mapped_column(String(64))
    # Not a column: the label of an SSO-only identity provider this person is linked to (so no password sign-in),
    # loaded with the person at the password step (login.check_password); None when there is none or not loaded.
    only_sso_provider: Mapped[str | None] = query_expression()

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
    # Not a column either: whether the person has an account recovery under way, loaded the same way, so the code
    # step only stops a recovery (account_recovery.flow.owner_signed_in) when there is one; None when not loaded.
    recovery_under_way: Mapped[bool | None] = query_expression()


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
