"""Logging for operations: a request id on every request (taken from X-Request-ID or made up, sent back in the
response and shown on error pages), log lines as text or as one JSON object per line (LOG_FORMAT=json), and every
security-log event written once more, as one JSON line, to the logger "portal.security.events" (docs/architecture.md,
"Operations").

What goes into a log line is what the code logs: the portal never logs a code, a secret, a password or a token,
and the formatter adds only the time, level, logger, request id and the signed-in person's id. That id is read from
the session row this request already loaded (`g.portal_session`), never by a query: a log line written outside a
request, or while the database is failing, must not itself need the database.
"""
import json
import logging
import sys
import traceback
import uuid
from datetime import datetime, timezone

from flask import g, has_app_context, has_request_context, request
from sqlalchemy import event as sa_event
from sqlalchemy import inspect as sa_inspect

from . import clock

events_log = logging.getLogger("portal.security.events")
REQUEST_ID_HEADER = "X-Request-ID"
MAX_REQUEST_ID = 64
_HANDLER_MARK = "_portal_handler"


# ------------------------------------------------------------------------------------------------- request id

def valid_request_id(value) -> bool:
    """An X-Request-ID we pass on: 1 to 64 printable ASCII characters, no spaces (it lands in logs and headers)."""
    return isinstance(value, str) and 0 < len(value) <= MAX_REQUEST_ID and all("!" <= c <= "~" for c in value)


def request_id() -> str | None:
    """This request's id (made on first use), or None outside a request."""
    if not has_request_context():
        return None
    rid = g.get("request_id")
    if rid is None:
        given = request.headers.get(REQUEST_ID_HEADER)
        rid = given if valid_request_id(given) else uuid.uuid4().hex
        g.request_id = rid
    return rid


def current_user_id():
    """The signed-in person's id if this request has already loaded their session row; never a query."""
    if not has_app_context():
        return None
    row = g.get("portal_session")
    if row is None:
        return None
    try:
        return sa_inspect(row).dict.get("user_id")  # the loaded value only: no lazy load, no refresh
    except Exception:
        return None


# ------------------------------------------------------------------------------------------------- formatting

class ContextFilter(logging.Filter):
    """Adds request_id and user_id to every record (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id()
        if not hasattr(record, "user_id"):
            record.user_id = current_user_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, user_id (and exc_type on an error with
    a traceback: the exception's type and where it was raised, file:line in function, never its message or the
    source lines, which can hold values)."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
            "user_id": getattr(record, "user_id", None),
        }
        event = getattr(record, "security_event", None)
        if event is not None:
            line["event"] = event
        if record.exc_info and record.exc_info[0] is not None:
            line["exc_type"] = record.exc_info[0].__name__
            line["stack"] = [f"{frame.filename}:{frame.lineno} in {frame.name}"
                             for frame in traceback.extract_tb(record.exc_info[2])[-12:]]
        return json.dumps(line, default=str, ensure_ascii=False)


class StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time of each line (a test runner swaps it per test)."""

    def __init__(self):
        super().__init__()

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value):
        pass


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def configure(log_format: str, level: str = "INFO") -> logging.Handler:
    """Install the portal's one handler on the root logger (replacing the one a previous create_app installed);
    the "portal" loggers write from `level` up, other libraries from their own level (Python's default: WARNING)."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, _HANDLER_MARK, False)]:
        root.removeHandler(handler)
    handler = StderrHandler()
    setattr(handler, _HANDLER_MARK, True)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    root.addHandler(handler)
    logging.getLogger("portal").setLevel(level)  # the portal's own lines; other libraries keep their level
    return handler


def init_app(app) -> None:
    log_format = (app.config.get("LOG_FORMAT") or "text").strip().lower()
    if log_format not in ("text", "json"):
        raise RuntimeError(f'LOG_FORMAT must be "text" or "json", not {log_format!r}.')
    configure(log_format, app.config.get("LOG_LEVEL") or "INFO")
    _listen_for_commits()

    @app.before_request
    def assign_request_id():
        request_id()

    @app.after_request
    def send_request_id(response):
        rid = request_id()
        if rid:
            response.headers[REQUEST_ID_HEADER] = rid
        return response


# ------------------------------------------------------------------------------------------------- security events

EVENT_LINE_FIELDS = ("type", "user_id", "actor_id", "ip", "time", "details")
_PENDING = "portal_security_events"  # Session.info key: events of the open transaction, published on commit


def security_event(event_type: str, user_id, actor_id, ip: str, detail: dict) -> None:
    """Called by security_log.record for every event: once the transaction that holds it commits, the event is
    written as one JSON line to "portal.security.events", counted (portal.metrics) and queued for the webhook
    (portal.security_webhook). A rolled-back event goes nowhere, as it is nowhere in the database."""
    from .extensions import db
    payload = {"id": uuid.uuid4().hex, "type": event_type, "user_id": user_id, "actor_id": actor_id, "ip": ip,
               "time": clock.now().replace(microsecond=0).isoformat() + "Z", "details": dict(detail),
               "request_id": request_id()}
    db.session().info.setdefault(_PENDING, []).append(payload)


def _publish(payloads: list, app) -> None:
    from . import metrics, security_webhook
    for payload in payloads:
        # The line: the event's own fields. With LOG_FORMAT=json the object also has the event whole under "event"
        # (with its id; the request id is the line's own request_id).
        line = {key: payload[key] for key in EVENT_LINE_FIELDS}
        events_log.info(json.dumps(line, sort_keys=True, default=str), extra={"security_event": payload})
        metrics.count_security_event(payload["type"], payload["details"], app)
    security_webhook.deliver(payloads, app)


_listening = False


def _listen_for_commits() -> None:
    global _listening
    if _listening:
        return
    from sqlalchemy.orm import Session
    _listening = True

    @sa_event.listens_for(Session, "after_commit")
    def _after_commit(session):
        payloads = session.info.pop(_PENDING, None)
        if payloads:
            from flask import current_app
            app = current_app._get_current_object() if has_app_context() else None
            try:
                _publish(payloads, app)
            except Exception:  # publishing must never fail what was committed
                logging.getLogger(__name__).exception("security events could not be published")

    @sa_event.listens_for(Session, "after_transaction_end")
    def _after_transaction_end(session, transaction):
        if transaction.parent is None:  # the outermost ended: committed ones were published just before; rest go
            session.info.pop(_PENDING, None)
