"""The security log page: every 2FA event, newest first, filterable by person (email) and type, paginated by id.
Three queries a page whatever its size (the events, then the people they name)."""
import json

from flask import request
from sqlalchemy.orm import selectinload

from ..safe_url import row_id
from ..extensions import db
from ..models import SecurityEvent, User
from ..security_log import EVENT_TYPES
from ..twofactor.login import normalise_email
from . import bp
from .access import admin_required, render

PAGE_SIZE = 50


@bp.route("/security-log")
@admin_required
def security_log():
    email = normalise_email(request.args.get("person", ""))[:254]
    event_type = request.args.get("type", "")
    before = row_id(request.args.get("before"))
    query = (db.select(SecurityEvent).options(selectinload(SecurityEvent.user), selectinload(SecurityEvent.actor))
             .order_by(SecurityEvent.id.desc()))
    message, status = None, 200
    if event_type and event_type not in EVENT_TYPES:
        message, status, event_type = "Choose an event type from the list.", 400, ""
    if event_type:
        query = query.where(SecurityEvent.type == event_type)
    if email:
        person = db.session.scalar(db.select(User).where(User.email == email))
        if person is None:
            message = f"No one has the email address {email}."
            query = query.where(db.false())
        else:
            query = query.where(SecurityEvent.user_id == person.id)
    if before is not None:
        query = query.where(SecurityEvent.id < before)
    events = list(db.session.scalars(query.limit(PAGE_SIZE + 1)))
    more = len(events) > PAGE_SIZE
    events = events[:PAGE_SIZE]
    return render("admin/security_log.html", status, events=events, types=EVENT_TYPES, person=email,
                  event_type=event_type, message=message,
                  next_before=events[-1].id if more and events else None, paged=before is not None, detail=detail_text)


def detail_text(event: SecurityEvent) -> str:
    """The event's details as “key: value” pairs (they never hold a secret or a code)."""
    try:
        detail = json.loads(event.detail) if event.detail else {}
    except ValueError:
        return event.detail
    if not isinstance(detail, dict):
        return str(detail)
    return "; ".join(f"{k.replace('_', ' ')}: {', '.join(map(str, v)) if isinstance(v, list) else v}"
                     for k, v in detail.items())
