"""The security log page: every 2FA event, newest first, filterable by person (email) and type, paginated by id.
Three queries a page whatever its size (the events, then the people they name). Each event is described by
security_log.describe, in the same words the person's own activity shows.

Any text is a filter: the person's email is normalised as sign-in does and loses what no stored address holds
(NUL, lone surrogates: directory.storable), an unknown type is a 400 that says so, a junk page key is ignored."""
import json

from flask import request
from sqlalchemy.orm import selectinload

from ..safe_url import row_id
from ..extensions import db
from ..models import SecurityEvent, User
from ..security_log import EVENT_TYPES, describe
from ..twofactor.login import normalise_email
from . import bp
from .access import admin_required, render
from .directory import storable

PAGE_SIZE = 50
# Details that describe() already puts in words: not repeated in the Details column.
DESCRIBED = {"login.success": {"how"}}


@bp.route("/security-log")
@admin_required
def security_log():
    email = normalise_email(storable(request.args.get("person", "")))[:254]
    event_type = request.args.get("type", "")
    before = row_id(request.args.get("before"))
    query = (db.select(SecurityEvent).options(selectinload(SecurityEvent.user), selectinload(SecurityEvent.actor))
             .order_by(SecurityEvent.id.desc()))
    messages, status = [], 200
    if event_type and event_type not in EVENT_TYPES:
        messages, status, event_type = ["Choose an event type from the list."], 400, ""
    if event_type:
        query = query.where(SecurityEvent.type == event_type)
    if email:
        person = db.session.scalar(db.select(User).where(User.email == email))
        if person is None:
            messages.append(f"No one has the email address {email}.")
            query = query.where(db.false())
        else:
            query = query.where(SecurityEvent.user_id == person.id)
    if before is not None:
        query = query.where(SecurityEvent.id < before)
    events = list(db.session.scalars(query.limit(PAGE_SIZE + 1)))
    more = len(events) > PAGE_SIZE
    events = events[:PAGE_SIZE]
    return render("admin/security_log.html", status, events=events, types=EVENT_TYPES, person=email,
                  event_type=event_type, message=" ".join(messages) or None,
                  next_before=events[-1].id if more and events else None, paged=before is not None,
                  describe=describe, detail=detail_text)


def detail_text(event: SecurityEvent) -> str:
    """The event's details as “key: value” pairs (they never hold a secret or a code), less what describe() says."""
    try:
        detail = json.loads(event.detail) if event.detail else {}
    except ValueError:
        return event.detail
    if not isinstance(detail, dict):
        return str(detail)
    said = DESCRIBED.get(event.type, set())
    return "; ".join(f"{k.replace('_', ' ')}: {', '.join(map(str, v)) if isinstance(v, list) else v}"
                     for k, v in detail.items() if k not in said)
