"""The people lists (Agent Profiles, End users): search, keyset pagination and each person's 2FA summary in a
constant number of queries, so a page stays fast with 100,000 agents.

Search is a prefix match on the normalised email (the unique index) or the lower-cased name (an expression
index), written as ranges so an index serves both on SQLite and PostgreSQL whatever the collation. Pages are
keyed on the email (unique, indexed): `after` for the next page, `before` for the previous one.
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
            label = method.label if method else a.method
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


def normalise_query(q: str | None) -> str:
    return " ".join((q or "").split()).lower()[:QUERY_MAX]


def _prefix(column, q: str):
    """`column` starts with `q`, as a range an index can serve: q <= column < q with its last character + 1."""
    upper = q[:-1] + chr(ord(q[-1]) + 1)
    return and_(column >= q, column < upper)


def page_query(kind: str, q: str = "", after: str | None = None, before: str | None = None):
    """One page of people (and one more, to know whether there is a next page)."""
    query = db.select(User).where(User.kind == kind)
    if q:
        query = query.where(or_(_prefix(User.email, q), _prefix(func.lower(User.name), q)))
    if before is not None and after is None:
        return query.where(User.email < before).order_by(User.email.desc()).limit(PAGE_SIZE + 1)
    if after is not None:
        query = query.where(User.email > after)
    return query.order_by(User.email).limit(PAGE_SIZE + 1)


def people(kind: str, q: str = "", after: str | None = None, before: str | None = None) -> Listing:
    q = normalise_query(q)
    backwards = before is not None and after is None
    users = list(db.session.scalars(page_query(kind, q, after, before)))
    more = len(users) > PAGE_SIZE
    users = users[:PAGE_SIZE]
    if backwards:
        users.reverse()
    listing = Listing(rows=_with_authenticators(users), q=q)
    if users:
        has_next = more if not backwards else True
        has_prev = (after is not None) if not backwards else more
        listing.next_after = users[-1].email if has_next else None
        listing.prev_before = users[0].email if has_prev else None
    return listing


def _with_authenticators(users: list[User]) -> list[PersonRow]:
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
    return people(kind, request.args.get("q", ""), after[:254] if after else None, before[:254] if before else None)
