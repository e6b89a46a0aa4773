"""Outgoing mail: one `send_email` helper rendering a .txt and an .html template.

Sent through Flask-Mail with a socket timeout (a hanging server must not hold a worker). In debug with no
MAIL_SERVER configured, messages are kept in the dev outbox (/dev/outbox) instead.
"""
import logging
import smtplib

from flask import current_app, render_template
from flask_mail import Connection, Message

from . import clock
from .extensions import db
from .extensions import mail as mail_extension
from .models import OutboxMessage
from .settings import get_setting

log = logging.getLogger(__name__)


class MailUnavailable(Exception):
    """The message could not be handed to the mail server."""


class _TimedConnection(Connection):
    """Flask-Mail's connection with a socket timeout on connect and on every read and write."""

    def configure_host(self):
        state, timeout = self.mail, current_app.config["MAIL_TIMEOUT"]
        cls = smtplib.SMTP_SSL if state.use_ssl else smtplib.SMTP
        host = cls(state.server, state.port, timeout=timeout)
        if state.use_tls:
            host.starttls()
        if state.username and state.password:
            host.login(state.username, state.password)
        return host


def _mail_state():
    """Flask-Mail's settings read from the app's config at send time, so a changed MAIL_* setting applies at once."""
    app = current_app
    return mail_extension.init_mail(app.config, app.debug, app.testing)


def uses_dev_outbox(app=None) -> bool:
    app = app or current_app
    return bool(app.debug and not app.config.get("MAIL_SERVER"))


def send_email(to: str, subject: str, template: str, **context) -> None:
    """Render templates/email/<template>.txt and .html and send them. Raises MailUnavailable on failure."""
    portal_name = get_setting("portal_name")
    context.setdefault("portal_name", portal_name)
    context.setdefault("subject", subject)
    text = render_template(f"email/{template}.txt", **context)
    html = render_template(f"email/{template}.html", **context)
    full_subject = f"[{portal_name}] {subject}"
    if uses_dev_outbox():
        db.session.add(OutboxMessage(recipient=to, subject=full_subject, text=text, html=html, created_at=clock.now()))
        db.session.flush()
        return
    sender = get_setting("mail_from") or current_app.config["MAIL_DEFAULT_SENDER"]
    message = Message(subject=full_subject, recipients=[to], body=text, html=html, sender=(portal_name, sender))
    try:
        with _TimedConnection(_mail_state()) as connection:
            connection.send(message)
    except (OSError, smtplib.SMTPException) as exc:
        # Never the message body: it may hold a code.
        log.warning("mail to user could not be sent (%s: %s)", type(exc).__name__, exc)
        raise MailUnavailable from exc
