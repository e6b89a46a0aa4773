"""50 wrong codes at once, from 50 sign-ins of one account (someone holding the password), across 4 workers:
every attempt is recorded, no code is checked once the budget is spent, and the locks land exactly where
lockout.py's schedule puts them (5 free, doubling delays from 30 s, 15-minute lock at 10, admin lock at 20).

The server runs on the real clock, so "the wait is over" is said to it the way the clock would: the stored
next_attempt_at is moved into the past."""
from collections import Counter
from datetime import datetime, timezone

import pyotp
import pytest

from portal.twofactor.lockout import ADMIN_LOCK_AT, FREE_FAILURES, TEMP_LOCK_AT, delay_after

from .conftest import burst
from .web import Browser

pytestmark = pytest.mark.system

ATTACKERS = 50
WRONG_CODE = "That code isn't right"  # Outcome.WRONG's message (the attempt that starts a lock says it too)
WAIT = "Too many wrong codes"  # throttled: the budget is spent for now
TEMP_LOCKED = "Your account is locked after"  # the same refusal once the 15-minute lock has started, with until when
LOCKED = "This account is locked"


def wrong_code(secret: str) -> str:
    """Six digits no window around now accepts."""
    totp, now = pyotp.TOTP(secret), datetime.now(timezone.utc).timestamp()
    near = {totp.at(now + 30 * k) for k in range(-3, 4)}
    return next(c for c in (f"{n:06d}" for n in range(0, 1000000, 7919)) if c not in near)


class Attackers:
    """50 sessions, each a separate password sign-in of the same account, each at its challenge page."""

    def __init__(self, portal, person):
        self.portal, self.person = portal, person
        self.tabs = burst(ATTACKERS, lambda i: self._fresh())

    def _fresh(self):
        tab = Browser(self.portal.url)
        assert tab.sign_in(self.person.email, self.person.password).location == "/agent/login/verify"
        page = tab.get("/agent/login/verify")
        assert page.status == 200
        return tab, page.token()

    def submit(self, code_for, sessions: int = ATTACKERS) -> Counter:
        """The first `sessions` sessions submit at the same moment; returns what people saw, by kind."""
        pages = burst(sessions, lambda i: self.tabs[i][0].post(
            "/agent/login/verify", {"code": code_for()}, token=self.tabs[i][1]))
        seen, spent = Counter(), []
        for i, page in enumerate(pages):
            if page.status == 401 and WRONG_CODE in page.text:
                seen["wrong"] += 1
                spent.append(i)  # this sign-in has one failure less to spend: use a new one
            elif page.status == 429 and (WAIT in page.text or TEMP_LOCKED in page.text):
                seen["wait"] += 1
            elif page.status == 403 and LOCKED in page.text:
                seen["locked"] += 1
            else:
                seen[f"unexpected {page.status} {page.location} {page.text[:120]}"] += 1
        for i, tab in zip(spent, burst(len(spent), lambda i: self._fresh()) if spent else []):
            self.tabs[i] = tab
        return seen


def budget(portal, user_id):
    return portal.rows("SELECT failure_count, next_attempt_at, admin_locked FROM users WHERE id = :u", u=user_id)[0]


def test_fifty_wrong_codes_at_once_are_all_recorded_and_lock_exactly_on_schedule(portal, smtp):
    person = portal.person()
    attackers = Attackers(portal, person)
    bad = wrong_code(person.secret)
    total_events = 0

    failures = 0
    while failures < ADMIN_LOCK_AT:
        before = portal.events(person.id)
        # Only as many codes are checked as the budget has room for; the rest are refused unchecked.
        room = FREE_FAILURES + 1 if failures == 0 else 1
        # All 50 at the first burst and where a lock starts; between those, 10 at once show the same.
        sessions = ATTACKERS if failures == 0 or failures + room in (TEMP_LOCK_AT, ADMIN_LOCK_AT) else 10
        seen = attackers.submit(lambda: bad, sessions)
        refused = "locked" if failures + room == ADMIN_LOCK_AT else "wait"
        assert seen == Counter({"wrong": room, refused: sessions - room}), seen
        failures += room
        after = portal.events(person.id)
        assert after["2fa.challenge_failed"] - before["2fa.challenge_failed"] == room
        assert after["2fa.throttled"] - before["2fa.throttled"] == sessions - room
        total_events += sessions

        count, retry_at, admin_locked = budget(portal, person.id)
        assert count == failures
        if failures < ADMIN_LOCK_AT:
            last_failure = portal.scalar("SELECT max(created_at) FROM security_events WHERE user_id = :u "
                                         "AND type = '2fa.challenge_failed'", u=person.id)
            # The wait stored is the schedule's wait (the two timestamps come from one request).
            assert abs((retry_at - last_failure).total_seconds() - delay_after(failures)) < 5
            assert not admin_locked
            if failures in (FREE_FAILURES + 1, TEMP_LOCK_AT):
                # While the account waits, not even the right code is checked.
                seen = attackers.submit(person.code)
                assert seen == Counter(wait=ATTACKERS), seen
                assert portal.scalar("SELECT last_used_step FROM authenticators WHERE user_id = :u",
                                     u=person.id) is None
                assert budget(portal, person.id)[0] == failures
                total_events += ATTACKERS
            # The wait passes.
            portal.execute("UPDATE users SET next_attempt_at = '2000-01-01' WHERE id = :u", u=person.id)
        else:
            assert admin_locked

    locks = portal.event_details(person.id, "2fa.locked")
    assert [d["lock"] for d in locks] == ["temporary", "admin"]
    events = portal.events(person.id)
    assert events["2fa.challenge_failed"] == ADMIN_LOCK_AT
    assert events["2fa.challenge_failed"] + events["2fa.throttled"] == total_events
    assert events["login.success"] == 0
    mails = [m for m in smtp.to(person.email) if "locked" in m.split("\n", 1)[0]]
    assert len(mails) == 2, mails

    # Locked until an admin unlocks it: even the right code is refused, from every session, and recorded.
    before_last = events
    seen = attackers.submit(person.code)
    assert seen == Counter(locked=ATTACKERS), seen
    assert budget(portal, person.id)[0] == ADMIN_LOCK_AT
    events = portal.events(person.id)
    assert events["2fa.throttled"] - before_last["2fa.throttled"] == ATTACKERS
    assert events["login.success"] == 0
    assert portal.scalar("SELECT last_used_step FROM authenticators WHERE user_id = :u", u=person.id) is None
