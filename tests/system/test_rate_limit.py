"""The per-IP limit on sign-in (PORTAL_AUTH_RATE_LIMIT) is one count shared by all 4 workers through Redis.
With per-process memory storage instead, each worker would count on its own and let more through."""
from collections import Counter

import pytest

from .conftest import burst
from .stack import Stack
from .web import Browser

pytestmark = pytest.mark.system

LIMIT = 20
TRIES = 40


def guess_passwords(stack, people) -> tuple[Counter, list]:
    """40 wrong-password sign-ins from one address (127.0.0.1), all at once, each from its own sign-in page, each
    for one of `people` in turn (so the per-account password budget, 5 free, does not come into it)."""
    tabs = [Browser(stack.url) for _ in range(TRIES)]
    tokens = [tab.get("/agent/login").token() for tab in tabs]
    pages = burst(TRIES, lambda i: tabs[i].post(
        "/agent/login", {"email": people[i % len(people)].email, "password": f"wrong guess {i}"}, token=tokens[i]))
    seen = Counter()
    for page in pages:
        if page.status == 401 and "Email or password is incorrect." in page.text:
            seen["checked"] += 1
        elif page.status == 429 and "Too many attempts" in page.text:
            seen["limited"] += 1
        else:
            seen[f"unexpected {page.status} {page.text[:120]}"] += 1
    return seen, pages


def test_the_limit_is_one_count_across_all_workers(system_database, smtp):
    stack = Stack(system_database, smtp.port, rate_limit=f"{LIMIT} per minute").start()
    try:
        people = [stack.person() for _ in range(TRIES // 4)]
        person = people[0]
        seen, pages = guess_passwords(stack, people)
        assert seen == Counter(checked=LIMIT, limited=TRIES - LIMIT), seen
        # Exactly the requests let through reached the password check and were recorded.
        assert sum(stack.events(p.id)["login.password_failed"] for p in people) == LIMIT
        assert all(p.headers.get("retry-after") for p in pages if p.status == 429)
        # The right password from the same address is refused too until the window passes: the limit is per
        # address, not per account or per worker.
        tab = Browser(stack.url)
        refused = tab.post("/agent/login", {"email": person.email, "password": person.password},
                           token=tab.get("/agent/login").token())
        assert refused.status == 429
        assert stack.events(person.id)["login.password_ok"] == 0
    finally:
        stack.stop()


def test_per_worker_memory_storage_would_not_hold_the_limit(system_database, smtp):
    """The control: the same burst against per-process counters gets more than the limit through, which is
    why production needs RATELIMIT_STORAGE_URI=redis://... (README, Production deployment)."""
    stack = Stack(system_database, smtp.port, rate_limit=f"{LIMIT} per minute",
                  rate_limit_storage="memory://").start()
    try:
        people = [stack.person() for _ in range(TRIES // 4)]
        seen, _ = guess_passwords(stack, people)
        assert seen["checked"] > LIMIT, seen
        assert sum(stack.events(p.id)["login.password_failed"] for p in people) == seen["checked"]
    finally:
        stack.stop()
