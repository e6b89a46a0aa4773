"""The security log page: every 2FA event, newest first, filterable by person (email) and type, paginated by id.
Three queries a page whatever its size (the events, then the people they name). Each event is described by
security_log.describe, in the same words the person's own activity shows, and its details in words
(event_words). Also filtered by day (from, to: days in the portal's time zone) and downloadable as CSV.

Any text is a filter: the person's email is normalised as sign-in does and loses what no stored address holds
(NUL, lone surrogates: directory.storable), an unknown type is a 400 that says so, a junk page key is ignored."""
from datetime import date, datetime, time, timedelta

from flask import abort, request
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from ..safe_url import row_id
from ..extensions import db
from ..models import SecurityEvent, User
from ..security_log import EVENT_TYPES, describe
from ..twofactor.login import normalise_email
from .. import dates
from . import bp, grace
from .access import admin_required, render
from .csv_export import download
from .event_words import detail_words
from .directory import storable

PAGE_SIZE = 50
CSV_BATCH = 500


def _filters():
    """The log's query with the page's filters (person, event type, from and to dates in the portal's time zone),
    the filters as given, what to tell the admin about them, and the status (400 for junk)."""
    email = normalise_email(storable(request.args.get("person", "")))[:254]
    event_type = request.args.get("type", "")
    query = (db.select(SecurityEvent).options(selectinload(SecurityEvent.user), selectinload(SecurityEvent.actor))
             .order_by(SecurityEvent.id.desc()))
    messages, status = [], 200
    if event_type and event_type not in EVENT_TYPES:
        messages, event_type, status = [_("Choose an event type from the list.")], "", 400
    if event_type:
        query = query.where(SecurityEvent.type == event_type)
    if email:
        person = db.session.scalar(db.select(User).where(User.email == email))
        if person is None:
            messages.append(_("No one has the email address %(email)s.", email=email))
            query = query.where(db.false())
        else:
            query = query.where(SecurityEvent.user_id == person.id)
    days = {}
    for name, edge in (("from", "start"), ("to", "end")):
        raw = (request.args.get(name) or "").strip()[:20]
        if not raw:
            continue
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            messages.append(_("Enter dates like 2026-03-31."))
            status = 400
            continue
        days[name] = raw
        start = grace.to_utc(datetime.combine(day, time()), dates.zone_name())
        if edge == "start":
            query = query.where(SecurityEvent.created_at >= start)
        else:
            query = query.where(SecurityEvent.created_at < grace.to_utc(
                datetime.combine(day + timedelta(days=1), time()), dates.zone_name()))
    params = {"person": email or None, "type": event_type or None, "from": days.get("from"), "to": days.get("to")}
    return query, params, messages, status


@bp.route("/security-log")
@admin_required
def security_log():
    query, params, messages, status = _filters()
    before = row_id(request.args.get("before"))
    if before is not None:
        query = query.where(SecurityEvent.id < before)
    events = list(db.session.scalars(query.limit(PAGE_SIZE + 1)))
    more = len(events) > PAGE_SIZE
    events = events[:PAGE_SIZE]
    # The types' words as plain text, so the page escapes them (“Auth & SSO”) like any text.
    types = {key: str(words) for key, words in EVENT_TYPES.items()}
    return render("admin/security_log.html", status, events=events, types=types,
                  person=params["person"] or "", event_type=params["type"] or "", date_from=params["from"] or "",
                  date_to=params["to"] or "", params=params, message=" ".join(messages) or None,
                  next_before=events[-1].id if more and events else None, paged=before is not None,
                  describe=describe, detail=detail_words)


@bp.route("/security-log.csv")
@admin_required
def security_log_csv():
    query, _params, _messages, status = _filters()
    if status != 200:
        abort(400)

    def batches():
        before = None
        while True:
            page = query if before is None else query.where(SecurityEvent.id < before)
            events = list(db.session.scalars(page.limit(CSV_BATCH)))
            yield [(e.created_at.isoformat(sep=" "), describe(e), e.user.email if e.user else "",
                    e.actor.email if e.actor and e.actor_id != e.user_id else "", detail_words(e), e.ip or "")
                   for e in events]
            if len(events) < CSV_BATCH:
                return
            before = events[-1].id

    return download("security-log.csv", [_("When (UTC)"), _("Event"), _("Person"), _("By"), _("Details"), _("IP")],
                    batches())
