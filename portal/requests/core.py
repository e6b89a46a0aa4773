"""The requests' rules, in one place: who sees which request, what a message may hold, status changes, the mail
to the requester, and the agents' queue (one status, newest first, paged and searched in a constant number of
queries)."""
import logging
from dataclasses import dataclass

from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import bindparam, func, or_
from sqlalchemy.orm import contains_eager

from .. import clock, security_log
from ..admin.directory import normalise_query, storable
from ..extensions import db
from ..mail import MailUnavailable, send_email
from ..models import RequestMessage, SupportRequest, User
from ..public_url import public_url

log = logging.getLogger(__name__)

# The queue's tabs, in order, with what people read.
STATUSES = {"open": _l("Open"), "pending": _l("Waiting on customer"), "solved": _l("Solved")}
SUBJECT_MAX = 150
BODY_MAX = 5000
PAGE_SIZE = 25


class RequestError(Exception):
    """A request the rules refuse; the message is shown as it is."""


def clean_subject(subject: str | None) -> str:
    """One line of text: whitespace (newlines included) collapsed, characters no database stores dropped."""
    return " ".join(storable(subject).split())


def clean_body(body: str | None) -> str:
    """Plain text as typed, line breaks normalised, trailing whitespace and unstorable characters dropped."""
    text = storable(body).replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


def create(requester: User, subject: str, body: str) -> SupportRequest:
    """A new request from the help center: open, with its first message. Commits."""
    subject, body = clean_subject(subject), clean_body(body)
    _check(subject=subject, body=body)
    now = clock.now()
    req = SupportRequest(requester=requester, subject=subject, status="open", created_at=now, updated_at=now)
    req.messages.append(RequestMessage(author=requester, body=body, created_at=now))
    db.session.add(req)
    db.session.commit()
    return req


def _check(subject: str | None = None, body: str | None = None) -> None:
    if subject is not None and not subject:
        raise RequestError(_("Enter a subject."))
    if subject is not None and len(subject) > SUBJECT_MAX:
        raise RequestError(_("The subject can be at most %(max)s characters.", max=SUBJECT_MAX))
    if body is not None and not body.strip():
        raise RequestError(_("Enter a message."))
    if body is not None and len(body) > BODY_MAX:
        raise RequestError(_("A message can be at most %(max)s characters.", max=BODY_MAX))


def own(user: User, request_id) -> SupportRequest | None:
    """The request with this id if `user` asked it; None for anyone else's or junk (the caller answers 404)."""
    req = get(request_id)
    return req if req is not None and req.requester_id == user.id else None


def get(request_id) -> SupportRequest | None:
    """Any request by id (agents see every request); None for junk."""
    try:
        number = int(str(request_id))
    except ValueError:
        return None
    if not 0 < number < 2 ** 31:
        return None
    return db.session.get(SupportRequest, number)


def mine(user: User) -> list[SupportRequest]:
    return list(db.session.scalars(db.select(SupportRequest).where(SupportRequest.requester_id == user.id)
                                   .order_by(SupportRequest.created_at.desc(), SupportRequest.id.desc())))


def reply(req: SupportRequest, author: User, body: str, status: str | None = None) -> bool:
    """Add a message. The requester's own reply reopens the request; an agent's sets the status chosen (by
    default "waiting on customer") and is mailed to the requester. Commits. Returns False when that mail could
    not be sent (the reply stands)."""
    body = clean_body(body)
    _check(body=body)
    by_requester = author.id == req.requester_id
    if status is not None and status not in STATUSES:
        raise RequestError(_("Choose a status from the list."))
    now = clock.now()
    req.messages.append(RequestMessage(author=author, body=body, created_at=now))
    old = req.status
    req.status = "open" if by_requester else (status or "pending")
    req.updated_at = now
    if not by_requester and req.status != old:
        security_log.record("request.status_changed", req.requester, actor=author, request=req.id, status=req.status)
    db.session.commit()
    if by_requester:
        return True
    return notify_requester(req, "request_reply", lambda: _("New reply to your request #%(id)s", id=req.id),
                            author=author, body=body)


def set_status(req: SupportRequest, agent: User, status: str) -> None:
    if status not in STATUSES:
        raise RequestError(_("Choose a status from the list."))
    if status != req.status:
        req.status = status
        req.updated_at = clock.now()
        security_log.record("request.status_changed", req.requester, actor=agent, request=req.id, status=status)
    db.session.commit()


def notify_requester(req: SupportRequest, template: str, subject, **context) -> bool:
    """Mail the requester about their request, with a link to it (which leads through sign-in). Never raises.
    `subject`: a lazy string or a function, said in the requester's language (portal.mail.send_email)."""
    link = public_url("helpcenter.request_page", request_id=req.id)
    try:
        send_email(req.requester.email, subject, template, user=req.requester, request=req, link=link, **context)
        db.session.commit()
        return True
    except MailUnavailable:
        db.session.rollback()
        log.warning("request mail %s for request %s could not be sent", template, req.id)
        return False


@dataclass
class Queue:
    status: str
    q: str
    page: int
    items: list[SupportRequest]
    has_next: bool
    counts: dict


def _page_number(value) -> int:
    try:
        number = int(str(value))
    except ValueError:
        return 1
    return min(max(number, 1), 10_000)


# The queue's two statements, built once (a search adds its condition to them).
_QUEUE_PAGE = (db.select(SupportRequest).join(SupportRequest.requester)
               .options(contains_eager(SupportRequest.requester)).where(SupportRequest.status == bindparam("status"))
               .order_by(SupportRequest.created_at.desc(), SupportRequest.id.desc())
               .limit(bindparam("limit")).offset(bindparam("offset")))
_QUEUE_COUNTS = (db.select(SupportRequest.status, func.count()).join(User, SupportRequest.requester_id == User.id)
                 .group_by(SupportRequest.status))


def queue(status: str | None, q: str | None, page=1) -> Queue:
    """One tab of the queue, newest first, PAGE_SIZE a page; with `q`, only requests whose subject holds it or
    whose requester's email or name starts with it. Two statements whatever the page: the page (with each
    requester, joined) and the count per status."""
    status = status if status in STATUSES else "open"
    q, page = normalise_query(q), _page_number(page)
    page_of, counted = _QUEUE_PAGE, _QUEUE_COUNTS
    if q:
        match = or_(func.lower(SupportRequest.subject).contains(q, autoescape=True),
                    User.email.startswith(q, autoescape=True), func.lower(User.name).startswith(q, autoescape=True))
        page_of, counted = page_of.where(match), counted.where(match)
    rows = list(db.session.scalars(page_of, {"status": status, "limit": PAGE_SIZE + 1,
                                             "offset": (page - 1) * PAGE_SIZE}))
    counts = dict(db.session.execute(counted).all())
    return Queue(status, q, page, rows[:PAGE_SIZE], len(rows) > PAGE_SIZE, {s: counts.get(s, 0) for s in STATUSES})
