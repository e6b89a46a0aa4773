"""Outgoing mail: one `send_email` helper rendering a .txt and an .html template.

Sent through Flask-Mail with a socket timeout (a hanging server must not hold a worker). In debug with no
MAIL_SERVER configured, messages are kept in the dev outbox (/dev/outbox) instead.

Whatever goes wrong while a message is built or handed over (smtplib's errors, a socket's, an address or header
that can't be encoded: UnicodeError, ValueError, Flask-Mail's BadHeaderError) becomes `MailUnavailable`, the one
exception callers handle: a mail that can't be sent is never a 500, and the caller decides what it means (an email
code: "We couldn't send the email"; a notice: logged, the change stands). An address with non-ASCII characters
before the @ is refused before connecting: without SMTPUTF8, Flask-Mail would otherwise rewrite it into a
different, undeliverable address and report success.
"""
import logging
import smtplib

from flask import current_app, render_template
from flask_mail import BadHeaderError, Connection, Message

from . import clock
from .extensions import db
from .extensions import mail as mail_extension
from .i18n import for_person
from .models import OutboxMessage, User
from .settings import get_setting

log = logging.getLogger(__name__)


class MailUnavailable(Exception):
    """The message could not be handed to the mail server."""


# Everything building and handing over a message can raise: smtplib's errors, the socket's (OSError: refused,
# timed out, reset), an address or header that can't be encoded (UnicodeError is a ValueError) and Flask-Mail's
# own BadHeaderError.
SEND_ERRORS = (smtplib.SMTPException, OSError, ValueError, BadHeaderError)


def _deliverable(address: str) -> bool:
    """Whether the address can be given to an SMTP server without SMTPUTF8: ASCII before the @ (the domain may be
    internationalised; it is sent in its ASCII form)."""
    local, at, _domain = (address or "").rpartition("@")
    return bool(at and local) and local.isascii()


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


def send_email(to: str, subject, template: str, language: str | None = None, **context) -> None:
    """Render templates/email/<template>.txt and .html and send them. Raises MailUnavailable on failure.

    The mail is written in its recipient's language and time zone: those of `context["user"]` when it is an
    account, else `language` (someone without an account yet). `subject` is therefore a lazy string or a
    function returning the subject, evaluated in that language: `_l("Reset your password")`,
    `lambda: _("Confirm it is you, for request #%(id)s", id=...)`."""
    person = context.get("user") if isinstance(context.get("user"), User) else None
    portal_name = get_setting("portal_name")
    with for_person(person, language):
        subject = str(subject() if callable(subject) else subject)
        context.setdefault("portal_name", portal_name)
        context.setdefault("subject", subject)
        text = render_template(f"email/{template}.txt", **context)
        html = render_template(f"email/{template}.html", **context)
    full_subject = f"[{portal_name}] {subject}"
    if uses_dev_outbox():
        db.session.add(OutboxMessage(recipient=to, subject=full_subject, text=text, html=html, created_at=clock.now()))
        db.session.flush()
        return
    if not _deliverable(to):
        log.warning("mail to user could not be sent (an address with non-ASCII characters before the @)")
        raise MailUnavailable()
    sender = get_setting("mail_from") or current_app.config["MAIL_DEFAULT_SENDER"]
    try:
        message = Message(subject=full_subject, recipients=[to], body=text, html=html, sender=(get_setting("mail_sender_name") or portal_name, sender))
        with _TimedConnection(_mail_state()) as connection:
            connection.send(message)
    except SEND_ERRORS as exc:
        # The kind of failure and the server's reply code only: an exception's text may quote the message (which
        # can hold a code or a link's token) or the address.
        reply = getattr(exc, "smtp_code", None)
        log.warning("mail to user could not be sent (%s%s)", type(exc).__name__, f" {reply}" if reply else "")
        raise MailUnavailable() from exc
