"""The portal's own state: the security log, admin-editable settings, installed 2FA plugins and their
instances, the development mail outbox.

All datetimes are naive UTC (portal.clock)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db


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
