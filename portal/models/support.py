"""The helpdesk: support requests, their conversations, Verify requester (portal.requests) and lost-device
account recovery (portal.account_recovery).

All datetimes are naive UTC (portal.clock)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db


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


# The states of an account recovery still under way (the owner's second-factor sign-in stops it).
RECOVERY_UNDER_WAY = ("requested", "waiting")


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
