"""Every admin search and filter takes any Unicode without a 500, on SQLite and on PostgreSQL: the people search
of Agent Profiles and End users (and their page keys), and the Security log's person and type filters.
Property-based (hypothesis): any code point, lone surrogates included (sent as the bytes a broken client would
send, and handed to the search function directly), NUL, very long text, combining marks, right-to-left marks,
emoji, the LIKE wildcards "%" and "_", backslashes.

A search lists exactly the people whose email, or name as the database lower-cases it, starts with what the page
says it searched for; a filter by email shows exactly that person's events. A NUL is refused before any view runs
(portal/errors.py: 400, never a database error)."""
import html
import re
import urllib.parse
import unicodedata

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func

from portal import clock as portal_clock
from portal import security_log
from portal.admin import directory
from portal.extensions import db
from portal.models import AGENT, END_USER, SecurityEvent, User
from portal.security_log import EVENT_TYPES
from tests.admin.conftest import password_hash
from tests.conftest import page_text

EXAMPLES = settings(max_examples=60, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

ANY_CHAR = st.characters(exclude_categories=())  # every code point: surrogates, NUL and the other controls too
NASTY = ["\x00", "a\x00b", "\ud800", "\udfff", "x\ud7ff", "\ud7ff", "\U0010ffff", "z\U0010ffff\U0010ffff", "%", "_",
         "%_%", "a%", "\\", "\\%", "e\u0301", "\u0301", "\u200f", "\u202ename", "\u200b", "😀", "👩🏽‍💻", "İ", "ß",
         "\ufffd", "\uffff", "\ufeff", "'; DROP TABLE users; --", " ", "\u2028", "\x85", "a" * 5000, "é" * 3000]
TEXT = st.one_of(
    st.text(ANY_CHAR, max_size=30),
    st.sampled_from(NASTY),
    st.lists(st.sampled_from(NASTY + ["a", "B", "@", "."]), max_size=6).map("".join),
    st.builds(lambda part, times: part * times, st.text(ANY_CHAR, min_size=1, max_size=3), st.integers(40, 2000)),
)
# What a stored name or email can hold (portal.accounts: one line, no control characters, no lone surrogates).
STORABLE = st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp"))


def storable_name(text: str) -> str:
    return "".join(c for c in text if unicodedata.category(c) not in ("Cc", "Cs", "Zl", "Zp")).strip()


NAMES = st.one_of(st.text(STORABLE, min_size=1, max_size=40),
                  st.lists(st.sampled_from([n for n in NASTY if len(n) < 100] + ["Ann", "Émile"]),
                           min_size=1, max_size=4).map("".join)).map(storable_name).filter(bool)
LOCAL_PARTS = st.text(st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp", "Zs")), min_size=1, max_size=30)

LISTS = {"/admin/agents": (AGENT, "Agents"), "/admin/end-users": (END_USER, "End users")}


def url(path: str, **params: str) -> str:
    """The URL a client builds from any text: UTF-8, with a lone surrogate sent as the three bytes it would take
    (not valid UTF-8: the server must cope)."""
    query = "&".join(f"{key}={urllib.parse.quote(value.encode('utf-8', 'surrogatepass'), safe='')}"
                     for key, value in params.items())
    return f"{path}?{query}"


def has_nul(*values: str) -> bool:
    return any("\x00" in v for v in values)


def has_surrogate(value: str) -> bool:
    return any("\ud800" <= c <= "\udfff" for c in value)


def add_person(app, kind: str, name: str, email: str) -> int:
    with app.app_context():
        user = User(email=email, name=name[:120], kind=kind, is_admin=False, password_hash=password_hash(),
                    created_at=portal_clock.now(), session_version=1, failure_count=0, enforce_2fa=False,
                    skip_forfeited=False, admin_locked=False)
        db.session.add(user)
        db.session.commit()
        return user.id


def remove_person(app, user_id: int) -> None:
    with app.app_context():
        db.session.execute(delete(SecurityEvent).where(SecurityEvent.user_id == user_id))
        db.session.execute(delete(User).where(User.id == user_id))
        db.session.commit()


def matching(app, kind: str, q: str) -> set[str]:
    """The emails of everyone of this kind whose email, or name lower-cased by the database, starts with q."""
    with app.app_context():
        rows = db.session.execute(db.select(User.email, func.lower(User.name)).where(User.kind == kind)).all()
    return {email for email, name in rows if email.startswith(q) or name.startswith(q)}


def listed(response) -> list[str]:
    """The emails the list shows, one per row."""
    body = re.search(r"<tbody>(.*?)</tbody>", response.get_data(as_text=True), re.S)
    return [html.unescape(e) for e in re.findall(r'<br><span class="muted">(.*?)</span>', body.group(1), re.S)] \
        if body else []


def searched_for(response, heading: str) -> str:
    """What the page says it searched for ("Agents matching “…”"), or "" when it lists everyone."""
    match = re.search(rf'<h2 id="list-title">{heading} matching “(.*?)”</h2>', response.get_data(as_text=True), re.S)
    return html.unescape(match.group(1)) if match else ""


@pytest.mark.parametrize("path", list(LISTS))
def test_people_search_takes_any_text(app, admin, path):
    kind, heading = LISTS[path]

    @EXAMPLES
    @given(name=NAMES, local=LOCAL_PARTS, typed=st.sampled_from(["name", "email", "anything"]),
           cut=st.integers(1, 60), anything=TEXT, key=TEXT)
    @example(name="Zoë \U0010ffff", local="z", typed="name", cut=6, anything="", key="")
    @example(name="Ann\ud7ff", local="ann\ud7ff", typed="email", cut=4, anything="", key="\x00")
    @example(name="Zoë", local="z\U0010ffff", typed="email", cut=2, anything="", key="z\U0010ffff")
    @example(name="x", local="x", typed="anything", cut=1, anything="\ud800", key="\ud800")
    def search(name, local, typed, cut, anything, key):
        email = f"{local.lower()}@example.com"[:254]
        person_id = add_person(app, kind, name, email)
        try:
            q = {"name": name[:cut], "email": email[:cut], "anything": anything}[typed]
            response = admin.get(url(path, q=q))
            if has_nul(q):  # refused before the view: a plain 400
                assert response.status_code == 400 and "That request could not be understood" in page_text(response)
            else:
                assert response.status_code == 200, (q, response.status_code)
                said = searched_for(response, heading)
                if not has_surrogate(q):  # a URL can't carry those: the server saw bytes
                    assert said == directory.normalise_query(q)
                assert set(listed(response)) == matching(app, kind, said)
                if typed == "email" and directory.normalise_query(q) == email[:cut]:
                    assert email in listed(response)

            # The page keys (next and previous) take any text too.
            for page_key in ("after", "before"):
                response = admin.get(url(path, q=q, **{page_key: key}))
                assert response.status_code == (400 if has_nul(q, key) else 200), (q, page_key, key)

            # Called directly, the search takes what no URL can carry (lone surrogates) as well.
            with app.test_request_context():
                found = matching(app, kind, directory.normalise_query(q))
                cursor = directory.storable(key)
                listing = directory.people(kind, q, after=key or None)
                assert {row.user.email for row in listing.rows} == {e for e in found if not key or e > cursor}
                listing = directory.people(kind, q, before=key or None)
                assert {row.user.email for row in listing.rows} == {e for e in found if not key or e < cursor}
        finally:
            remove_person(app, person_id)

    search()


def test_security_log_filters_take_any_text(app, admin):
    @EXAMPLES
    @given(local=LOCAL_PARTS, person=TEXT, event_type=st.one_of(TEXT, st.sampled_from(sorted(EVENT_TYPES))),
           before=st.one_of(TEXT, st.integers(-10, 10 ** 12).map(str)), own=st.booleans())
    @example(local="ünï", person="\U0010ffff", event_type="", before="", own=False)
    @example(local="x", person="\ud800@example.com", event_type="login.success\x00", before="\x00", own=False)
    @example(local="x", person="%", event_type="%", before="9" * 40, own=False)
    def filter_log(local, person, event_type, before, own):
        email = f"{local.lower()}@example.com"[:254]
        person_id = add_person(app, AGENT, "Log Person", email)
        try:
            with app.app_context():
                for event in ("2fa.challenge_failed", "login.success"):
                    security_log.record(event, person_id, how="password")
                db.session.commit()
            typed = f"  {email.upper() if email.upper().lower() == email else email} " if own else person
            response = admin.get(url("/admin/security-log", person=typed, type=event_type, before=before))
            text = page_text(response)
            if has_nul(typed, event_type, before):
                assert response.status_code == 400 and "That request could not be understood" in text
                return
            if event_type and event_type not in EVENT_TYPES:
                assert response.status_code == 400 and "Choose an event type from the list." in text
                event_type = ""
            else:
                assert response.status_code == 200, (typed, event_type, before, response.status_code)
            shown = [html.unescape(cell) for cell in re.findall(  # the Person column
                r"<tr>\s*<td>.*?</td>\s*<td>.*?</td>\s*<td>(.*?)</td>", response.get_data(as_text=True), re.S)]
            if own:
                wanted = 1 if event_type in ("2fa.challenge_failed", "login.success") else 0 if event_type else 2
                if before.isascii() and before.isdigit() and len(before) <= 9:
                    return  # an older page: fewer of them, maybe none
                assert shown == [email] * wanted
            elif typed.strip() and not has_surrogate(typed):  # (a surrogate reaches the server as bytes)
                wanted_email = typed.strip().lower()[:254]
                with app.app_context():
                    exists = db.session.scalar(db.select(User.id).where(User.email == wanted_email))
                if exists is None:
                    assert f"No one has the email address {wanted_email}." in text and shown == []
        finally:
            remove_person(app, person_id)

    filter_log()


def test_every_nasty_value_in_one_go(app, admin):
    """The values above, each in every search and filter at once: never a 500."""
    for value in NASTY + [unicodedata.normalize("NFD", "Crème brûlée"), "\u05e9\u05dc\u05d5\u05dd"]:
        for path in (url("/admin/agents", q=value, after=value), url("/admin/end-users", q=value, before=value),
                     url("/admin/security-log", person=value, type=value, before=value)):
            response = admin.get(path)
            assert response.status_code in (200, 400), (path, response.status_code)
