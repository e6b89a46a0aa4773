"""Admin > Agents with many agents: server time and SQL statements per page, measured inside the app (the same
code gunicorn runs) with a statement counter on the engine. The admin signs in as a person does (password, then a
code), so the session is whatever the portal makes of a completed sign-in."""
import re
import statistics
import time

import pyotp
from sqlalchemy import event

from bench import load
from portal.extensions import db

NEXT = re.compile(r'href="[^"]*[?&]after=([^"&]+)')
REPEAT = 5


def sign_in(app, email: str, password: str, secret: str) -> str:
    """The session cookie of a whole sign-in (the portal's own forms, behind Werkzeug's test client). Each code
    claims its time step: sign an admin in once, minutes before the page-weight run signs the same one in."""
    client = app.test_client()
    page = client.get(load.PORTAL_SIGNIN["start"])
    action, hidden = load.form_with(page.text, "password", load.PORTAL_SIGNIN["start"])
    answer = client.post(action, data={**hidden, "email": email, "password": password})
    challenge = load.redirect_target(answer.headers.get("Location"))
    page = client.get(challenge)
    action, hidden = load.form_with(page.text, "code", challenge)
    answer = client.post(action, data={**hidden, "code": pyotp.TOTP(secret).now()})
    if load.redirect_target(answer.headers.get("Location")) != load.PORTAL_SIGNIN["landing"]:
        raise RuntimeError(f"{email} did not sign in: {answer.status_code} to {answer.headers.get('Location')}")
    return client.get_cookie("session").value


def measure(app, agents: int, cookie: str) -> list[dict]:
    """First page, the next one (followed from the page's own link), one deep in the list and a search, by the
    admin whose session cookie this is."""
    client = app.test_client()
    client.set_cookie("session", cookie)
    statements = []
    with app.app_context():
        engine = db.engine

    def count(*_args, **_kwargs):
        statements.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        first = client.get("/admin/agents")
        if first.status_code != 200:
            raise RuntimeError(f"/admin/agents answered {first.status_code}")
        found = NEXT.search(first.get_data(as_text=True))
        pages = [("first page", "/admin/agents"),
                 ("next page", f"/admin/agents?after={found.group(1)}" if found else None),
                 ("deep page", f"/admin/agents?after=u{max(agents - 60, 1):07d}%40example.com"),
                 ("search", "/admin/agents?q=u00001")]
        results = []
        for label, url in pages:
            if url is None:
                continue
            times, counts, rows = [], set(), 0
            for _ in range(REPEAT):
                statements.clear()
                start = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - start)
                counts.add(len(statements))
                body = response.get_data(as_text=True)
                rows = body.count("/admin/agents/") - body.count("/admin/agents/?")
                if response.status_code != 200:
                    raise RuntimeError(f"{url} answered {response.status_code}")
            results.append({"agents": agents, "page": label, "server_ms": 1000 * statistics.median(times),
                            "queries": max(counts), "links_to_agents": rows})
        return results
    finally:
        event.remove(engine, "before_cursor_execute", count)
