"""Admin > Agents with many agents: server time and SQL statements per page, measured inside the app (the same
code gunicorn runs) with a statement counter on the engine. The admin's session is the one Flask-Login keeps
after a completed sign-in."""
import re
import statistics
import time
from datetime import datetime, timezone

from sqlalchemy import event

from portal.extensions import db

NEXT = re.compile(r'href="[^"]*[?&]after=([^"&]+)')
REPEAT = 5


def measure(app, agents: int, admin_id: int = 1) -> list[dict]:
    """First page, the next one (followed from the page's own link), one deep in the list and a search."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = f"{admin_id}:1"
        session["_fresh"] = True
        session["area"] = "agent"
        session["fresh_at"] = datetime.now(timezone.utc).timestamp()
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
