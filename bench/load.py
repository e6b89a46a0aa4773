"""Driving the servers: prepared second-factor flows (one fresh person each), whole sign-ins as a browser makes them
(the portal's, Flask-Security-Too's and the floor's), concurrent batches, and the server's CPU from the kernel's own
accounting of the gunicorn processes (master and workers) and, for PostgreSQL, of the database server's processes."""
import glob
import html
import http.client
import re
import secrets
import statistics
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.cookies import SimpleCookie

import pyotp

from tests.system.cpu_meter import thread_runtime_seconds
from tests.system.web import Browser


@dataclass
class Flow:
    user_id: int
    cookie: str  # the signed session cookie of a sign-in waiting for its second factor
    token: str = ""  # the CSRF token of that session (the portal's form has one)
    signed_in_cookie: str | None = None


@dataclass
class Target:
    """One server under test and how its second-factor step is asked and answered."""
    name: str
    server: object  # tests.system.servers.Gunicorn
    path: str  # where the code is posted
    success: str  # where a successful step redirects
    check: str  # a page only a signed-in person gets (200)
    flows: list = field(default_factory=list)
    database_cpu: object = None  # () -> CPU seconds of the database server's processes so far, if it has its own


@dataclass
class Batch:
    cpu: float = 0.0
    database_cpu: float = 0.0
    latencies: list = field(default_factory=list)
    count: int = 0
    failures: list = field(default_factory=list)
    done: list = field(default_factory=list)  # what each item left behind (a flow, a browser tab)

    def add(self, other: "Batch"):
        self.cpu += other.cpu
        self.database_cpu += other.database_cpu
        self.latencies += other.latencies
        self.count += other.count
        self.failures += other.failures
        self.done += other.done

    def summary(self) -> dict:
        lat = sorted(self.latencies)
        return {"requests": self.count, "cpu_ms": 1000 * self.cpu / max(self.count, 1),
                "database_cpu_ms": 1000 * self.database_cpu / max(self.count, 1),
                "p50_ms": 1000 * statistics.median(lat) if lat else None,
                "p95_ms": 1000 * lat[min(len(lat) - 1, int(0.95 * len(lat)))] if lat else None,
                "failures": len(self.failures)}


def portal_flows(app, user_ids) -> list[Flow]:
    """Sign-ins that passed the password step (PendingLogin rows), with the session cookie the portal itself
    would have set: made in bulk here so the measured request is the second-factor step alone."""
    from flask import session
    from flask_wtf.csrf import generate_csrf

    from portal.extensions import db
    from portal.models import PendingLogin
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    flows, rows = [], []
    serializer = app.session_interface.get_signing_serializer(app)
    for user_id in user_ids:
        pending_id = secrets.token_urlsafe(32)
        rows.append({"id": pending_id, "user_id": user_id, "area": "agent", "created_at": now,
                     "expires_at": now + timedelta(hours=2), "failures": 0, "next_url": None})
        with app.test_request_context():
            session["pending_login"] = pending_id
            token = generate_csrf()
            flows.append(Flow(user_id, serializer.dumps(dict(session)), token))
    with app.app_context():
        db.session.execute(PendingLogin.__table__.insert(), rows)
        db.session.commit()
    return flows


def floor_flows(floor_app, user_ids) -> list[Flow]:
    serializer = floor_app.session_interface.get_signing_serializer(floor_app)
    return [Flow(user_id, serializer.dumps({"pending": user_id})) for user_id in user_ids]


def _post(url: str, path: str, cookie: str, form: dict):
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        conn.request("POST", path, body=urllib.parse.urlencode(form),
                     headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"session={cookie}"})
        response = conn.getresponse()
        response.read()
        new = None
        for header in response.headers.get_all("Set-Cookie") or []:
            morsel = SimpleCookie(header).get("session")
            if morsel is not None:
                new = morsel.value
        return response.status, urllib.parse.urlsplit(response.getheader("Location") or "").path, new
    finally:
        conn.close()


def step_batch(target: Target, secret: str, count: int, concurrency: int) -> Batch:
    """`count` second-factor steps, each a fresh person's, `concurrency` at a time."""
    flows, target.flows = target.flows[:count], target.flows[count:]
    if len(flows) < count:
        raise RuntimeError(f"{target.name}: not enough fresh people left for {count} more flows")
    totp = pyotp.TOTP(secret)

    def one(flow: Flow):
        form = {"code": totp.now()}
        if flow.token:
            form["csrf_token"] = flow.token
        start = time.perf_counter()
        status, location, cookie = _post(target.server.url, target.path, flow.cookie, form)
        elapsed = time.perf_counter() - start
        flow.signed_in_cookie = cookie
        return flow, elapsed, (status == 302 and location == target.success)

    return _measure(target.server, flows, one, concurrency, target.database_cpu)


@dataclass
class SignInApp:
    """One app's whole sign-in as a browser makes it: open `start` (the sign-in page), post its form (email and
    password), open where that redirects (the challenge page), post its form with a code, open where that redirects
    (the landing page), which must be `landing` and answer 200 — only a signed-in person gets it. Every form is
    posted to its own `action` with its own hidden fields (CSRF token, authenticator), as a browser would."""
    name: str
    server: object  # tests.system.servers.Gunicorn
    start: str
    landing: str
    secret: str  # the base32 TOTP secret of this app's people
    cheap_server: object = None  # serves the cheapest-hash people, when the app would re-hash theirs (FST)

    @property
    def cheap(self):
        return self.cheap_server or self.server


PORTAL_SIGNIN = {"start": "/agent/login", "landing": "/agent/"}
FLOOR_SIGNIN = {"start": "/login", "landing": "/me"}
# FST's own @auth_required sends a person to /login?next=%2F. Opened as a bare /login, FST carries the sign-in page's
# own address as `next` through the challenge and answers the code with a redirect there and from there to / (one
# request more; bench/README.md).
FST_SIGNIN = {"start": "/login?next=%2F", "landing": "/"}

_FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
_INPUT = re.compile(r"<input\b([^>]*)>", re.I)
_ATTR = re.compile(r'([\w-]+)="([^"]*)"')


def form_with(body: str, field: str, page_url: str) -> tuple[str, dict]:
    """The action and hidden fields of the page's form that has an input named `field`."""
    for attrs, inner in _FORM.findall(body):
        inputs = [dict(_ATTR.findall(tag)) for tag in _INPUT.findall(inner)]
        if any(i.get("name") == field for i in inputs):
            action = html.unescape(dict(_ATTR.findall(attrs)).get("action") or page_url)
            return action, {html.unescape(i["name"]): html.unescape(i.get("value", ""))
                            for i in inputs if i.get("type") == "hidden" and "name" in i}
    raise AssertionError(f"no form with a {field!r} field on {page_url}")


def redirect_target(location: str | None) -> str | None:
    """Path and query of a Location header (absolute or not)."""
    if not location:
        return None
    parts = urllib.parse.urlsplit(location)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def sign_in(app: SignInApp, server, email: str, password: str) -> tuple[bool, str]:
    """One whole sign-in on `server`: True when it ended on the landing page signed in, with what it went through."""
    tab, code = Browser(server.url), pyotp.TOTP(app.secret)
    page = tab.get(app.start)
    try:
        action, hidden = form_with(page.body, "password", app.start)
    except AssertionError as e:
        return False, f"{e} ({page.status}: {page.text[:200]})"
    answer = tab.request("POST", action, {**hidden, "email": email, "password": password})
    challenge = redirect_target(answer.headers.get("location"))
    if answer.status not in (302, 303) or not challenge:
        return False, f"password step answered {answer.status}"
    page = tab.get(challenge)
    try:
        action, hidden = form_with(page.body, "code", challenge)
    except AssertionError as e:
        return False, f"{e} ({page.status}: {page.text[:200]})"
    answer = tab.request("POST", action, {**hidden, "code": code.now()})
    landing = redirect_target(answer.headers.get("location"))
    if answer.status not in (302, 303) or landing != app.landing:
        return False, f"code step answered {answer.status} to {landing}"
    page = tab.get(landing)
    return page.status == 200, f"landing page answered {page.status}"


def signin_batch(app: SignInApp, people, password: str, cheap: bool = False) -> Batch:
    """Whole sign-ins one at a time (on the app's cheap-hash server when `cheap`), each checked to have ended on
    the landing page signed in, which is part of what is measured."""
    server = app.cheap if cheap else app.server

    def one(email: str):
        start = time.perf_counter()
        ok, what = sign_in(app, server, email, password)
        return (email, what), time.perf_counter() - start, ok

    return _measure(server, people, one, 1)


def signin_pairs(app: SignInApp, full, cheap, password: str) -> tuple[Batch, Batch]:
    """Whole sign-ins one at a time, alternating a person whose stored hash has the production argon2id cost
    (`full`) with one whose hash has argon2id's cheapest (`cheap`): the same requests and code paths, so the cheap
    ones cost everything around the hash, measured side by side with the full ones."""
    totals = (Batch(), Batch())
    for pair in zip(full, cheap):
        for email, batch, is_cheap in zip(pair, totals, (False, True)):
            batch.add(signin_batch(app, [email], password, cheap=is_cheap))
    return totals


def postgres_cpu_seconds() -> float:
    """CPU time of every PostgreSQL server process on this machine (the postmaster, each connection's backend,
    autovacuum, the WAL writer, the checkpointer) so far; a process that exits between two readings takes its share
    with it."""
    total = 0.0
    for comm in glob.glob("/proc/[0-9]*/comm"):
        try:
            with open(comm) as fh:
                if fh.read().strip() != "postgres":
                    continue
        except OSError:
            continue
        total += thread_runtime_seconds(int(comm.split("/")[2]))  # a PostgreSQL process has one thread
    return total


def _measure(server, items, one, concurrency: int, database_cpu=None) -> Batch:
    db_before = database_cpu() if database_cpu else 0.0
    cpu_before = server.cpu_seconds()
    with ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(one, items))
    batch = Batch(cpu=server.cpu_seconds() - cpu_before, count=len(items))
    if database_cpu:
        batch.database_cpu = database_cpu() - db_before
    for item, elapsed, ok in results:
        batch.latencies.append(elapsed)
        if not ok:
            batch.failures.append(item)
    batch.done = [item for item, _, _ in results]
    return batch


def verify_signed_in(target: Target, flows: list[Flow]) -> int:
    """How many flows really ended signed in: their new cookie opens a page only a signed-in person gets."""
    ok = 0
    for flow in flows:
        if flow.signed_in_cookie and Browser(target.server.url, {"session": flow.signed_in_cookie}).get(
                target.check).status == 200:
            ok += 1
    return ok


def hash_cpu_ms(rounds: int = 20, stored: str | None = None, password: str = "correct horse battery staple") -> float:
    """CPU of one argon2id verify (portal.passwords, argon2-cffi) of `stored` (default: a production-cost hash),
    measured in this process."""
    from portal.passwords import hash_password, verify_password
    stored = stored or hash_password(password)
    verify_password(stored, password)
    start = time.process_time()
    for _ in range(rounds):
        verify_password(stored, password)
    return 1000 * (time.process_time() - start) / rounds
