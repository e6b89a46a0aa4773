"""The people lists (Agent Profiles, End users): search, keyset pagination and each person's 2FA summary in a
constant number of queries, so a page stays fast with 100,000 agents.

Search is a prefix match on the normalised email (the unique index) or the lower-cased name (an expression
index), written as ranges so an index serves both on SQLite and PostgreSQL whatever the collation. Pages are
keyed on the email (unique, indexed): `after` for the next page, `before` for the previous one.

Any text is a search: a NUL (which PostgreSQL's text type refuses) and lone surrogates (which no database can
store; a URL cannot carry them, but a caller can) are dropped like surplus whitespace, and the range's upper bound
steps over the surrogate block and past U+10FFFF (tests/admin/test_search_unicode.py).
"""
from dataclasses import dataclass, field
from datetime import datetime

from flask import request
from sqlalchemy import and_, func, or_

from .. import clock
from ..extensions import db
from ..models import Authenticator, User
from ..twofactor import registry

PAGE_SIZE = 50
QUERY_MAX = 100


@dataclass
class PersonRow:
    user: User
    authenticators: list = field(default_factory=list)  # rows of (user_id, name, method, is_default, last_used_at)

    @property
    def methods(self) -> list[str]:
        labels = []
        for a in self.authenticators:
            method = registry.method(a.method)
            label = str(method.label) if method else a.method  # joined for the list and the CSV
            if label not in labels:
                labels.append(label)
        return labels

    @property
    def default(self) -> str | None:
        return next((a.name for a in self.authenticators if a.is_default), None)

    @property
    def last_used(self) -> datetime | None:
        return max((a.last_used_at for a in self.authenticators if a.last_used_at), default=None)

    @property
    def locked(self) -> bool:
        return is_locked(self.user)


def is_locked(user: User) -> bool:
    return bool(user.admin_locked or (user.next_attempt_at and user.next_attempt_at > clock.now()))


@dataclass
class Listing:
    rows: list[PersonRow]
    q: str
    next_after: str | None = None
    prev_before: str | None = None
    status: str = ""  # the 2FA status filter (admin.compliance)
    message: str | None = None  # why the filter was not applied (an unknown status)


def storable(text: str | None) -> str:
    """`text` without the characters no stored email or name can hold: NUL and lone surrogates."""
    return "".join(c for c in (text or "") if c != "\x00" and not "\ud800" <= c <= "\udfff")


def normalise_query(q: str | None) -> str:
    return " ".join(storable(q).split()).lower()[:QUERY_MAX]


def _after_prefix(q: str) -> str | None:
    """The smallest text greater than every text that starts with `q` (code point order, which is how SQLite and
    PostgreSQL's C collation compare): `q` with its last character + 1, skipping the surrogates, which are never
    stored; a last character that is already U+10FFFF is dropped and the one before it stepped instead. None when
    there is no such text (`q` is all U+10FFFF)."""
    while q:
        following = ord(q[-1]) + 1
        if 0xD800 <= following <= 0xDFFF:
            following = 0xE000
        if following <= 0x10FFFF:
            return q[:-1] + chr(following)
        q = q[:-1]
    return None


def _prefix(column, q: str):
    """`column` starts with `q`, as a range an index can serve: q <= column < the text just after q's prefixes."""
    upper = _after_prefix(q)
    return column >= q if upper is None else and_(column >= q, column < upper)


def page_query(kind: str, q: str = "", after: str | None = None, before: str | None = None, where=None):
    """One page of people (and one more, to know whether there is a next page). `where`: a further condition (the
    2FA status filter, admin.compliance)."""
    query = db.select(User).where(User.kind == kind)
    if where is not None:
        query = query.where(where)
    if q:
        query = query.where(or_(_prefix(User.email, q), _prefix(func.lower(User.name), q)))
    if before is not None and after is None:
        return query.where(User.email < before).order_by(User.email.desc()).limit(PAGE_SIZE + 1)
    if after is not None:
        query = query.where(User.email > after)
    return query.order_by(User.email).limit(PAGE_SIZE + 1)


def people(kind: str, q: str = "", after: str | None = None, before: str | None = None, status: str = "") -> Listing:
    from .compliance import INVALID, statuses, status_condition

    q = normalise_query(q)
    message = None
    if status and status not in dict(statuses()):
        status, message = "", str(INVALID)
    where = status_condition(status)
    after, before = (storable(key) if key is not None else None for key in (after, before))
    backwards = before is not None and after is None
    users = list(db.session.scalars(page_query(kind, q, after, before, where)))
    more = len(users) > PAGE_SIZE
    users = users[:PAGE_SIZE]
    if backwards:
        users.reverse()
    listing = Listing(rows=with_authenticators(users), q=q, status=status, message=message)
    if users:
        has_next = more if not backwards else True
        has_prev = (after is not None) if not backwards else more
        listing.next_after = users[-1].email if has_next else None
        listing.prev_before = users[0].email if has_prev else None
    return listing


def with_authenticators(users: list[User]) -> list[PersonRow]:
    """Every confirmed authenticator of the page's people, in one query."""
    rows = {u.id: PersonRow(u) for u in users}
    if rows:
        found = db.session.execute(
            db.select(Authenticator.user_id, Authenticator.name, Authenticator.method, Authenticator.is_default,
                      Authenticator.last_used_at)
            .where(Authenticator.user_id.in_(rows), Authenticator.confirmed_at.is_not(None))
            .order_by(Authenticator.created_at))
        for a in found:
            rows[a.user_id].authenticators.append(a)
    return list(rows.values())


def listing_for_request(kind: str) -> Listing:
    """The page of people the list's URL asks for (?q=, ?after= or ?before=)."""
    after, before = request.args.get("after"), request.args.get("before")
    return people(kind, request.args.get("q", ""), after[:254] if after else None, before[:254] if before else None,
                  (request.args.get("status") or "")[:60])
