"""The Grace Period: entered by the admin in their timezone, stored as naive UTC, stated back exactly, and the
boundary `now >= deadline` (it has passed) tested one second either side, under several server timezones."""
import os
import re
import time
from datetime import datetime, timedelta

import pytest

from portal.admin import grace
from portal.admin.grace import timezone_names
from portal.extensions import db
from portal.models import Setting
from portal.settings import set_setting
from tests.admin.conftest import PASSWORD, events, flashes, words
from tests.conftest import page_text

DEADLINE_UTC = datetime(2026, 3, 10, 16, 0, 0)  # 12:00 in New York (EDT, UTC-4, since 8 March 2026)


@pytest.fixture(params=["Asia/Kolkata", "America/Los_Angeles"])
def server_tz(request):
    """Run the test with the server process in another timezone; the portal must not care."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    yield request.param
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


def set_grace(admin, local, tz_name, **extra):
    return admin.submit("/admin/auth", {"totp": "y", "email": "y", "require_agents": "y", "grace_until": local,
                                        "grace_timezone": tz_name, **extra})


def timezone_select(text) -> str:
    match = re.search(r'<select [^>]*name="grace_timezone"[^>]*>(.*?)</select>', text, re.S)
    assert match, "no timezone picker on the page"
    return match.group(1)


def selected_timezones(text) -> list[str]:
    """The option(s) the picker shows chosen; an option's text is its value (no value attribute)."""
    return re.findall(r"<option selected>([^<\n]+)", timezone_select(text))


def stored(app, key):
    with app.app_context():
        row = db.session.get(Setting, key)
        return row.value if row else None


def test_the_admin_enters_it_in_their_timezone_and_it_is_stored_in_utc(app, admin, server_tz):
    r = set_grace(admin, "2026-03-10T12:00", "America/New_York")
    assert r.status_code == 303
    assert stored(app, "grace_until") == '"2026-03-10T16:00:00"'
    assert stored(app, "grace_timezone") == '"America/New_York"'
    page = admin.get("/admin/auth")
    assert flashes(page) == ["Saved: Require agents to set up 2FA on; Grace Period until Tuesday, 10 March 2026 at "
                             "12:00 (America/New_York), which is 16:00 UTC on Tuesday, 10 March 2026."]  # issue 22
    assert ("The grace period ends on Tuesday, 10 March 2026 at 12:00 (America/New_York), which is 16:00 UTC on "
            "Tuesday, 10 March 2026. From that moment on, agents must set up 2FA to sign in.") in words(page)
    text = page_text(page)
    assert 'value="2026-03-10T12:00"' in text  # shown back as the admin entered it
    assert selected_timezones(text) == ["America/New_York"]


@pytest.mark.parametrize("local,tz_name,message", [
    ("2026-03-08T02:30", "America/New_York",
     "02:30 doesn't exist on Sunday, 8 March 2026 in America/New_York: the clocks go forward then. Choose another "
     "time."),
    ("next tuesday", "UTC", "Enter the date and time like 2026-03-31 17:00."),
    ("2026-03-10T12:00", "Mars/Olympus_Mons", "Not a valid choice."),
    ("2026-03-10T12:00", "", "Not a valid choice."),
    ("2026-03-10T12:00", "America/New York", "Not a valid choice."),  # the name has an underscore
])
def test_a_date_that_cant_be_understood_is_refused_and_nothing_changes(app, admin, local, tz_name, message):
    r = set_grace(admin, local, tz_name)
    assert r.status_code == 400
    assert message in page_text(r)
    assert stored(app, "grace_until") is None and stored(app, "require_agents_2fa") is None
    assert f'value="{local}"' in page_text(r)  # what was typed is still there


def test_the_picker_lists_every_region_city_zone_by_its_iana_name(admin):
    text = page_text(admin.get("/admin/auth"))
    assert '<label class="label" for="grace_timezone">Timezone of the Grace Period</label>' in text
    select = timezone_select(text)
    assert "value=" not in select  # an option's value is its text
    listed = re.findall(r"<option(?: selected)?>([^<\n]+)", select)
    assert listed[0] == "UTC" and listed[1:] == sorted(listed[1:]) and len(set(listed)) == len(listed)
    assert set(listed) <= set(timezone_names())
    for name in ("America/New_York", "Europe/Kyiv", "Asia/Kolkata", "Australia/Sydney", "Pacific/Auckland",
                 "America/Argentina/Buenos_Aires", "Africa/Lagos", "America/Indiana/Indianapolis"):
        assert name in listed
    for link in ("Asia/Calcutta", "Europe/Kiev", "Australia/ACT"):  # old names of zones listed under their own
        assert link not in listed
    assert len(listed) >= 400
    assert selected_timezones(text) == ["UTC"]


def test_without_iana_zone_tab_the_picker_lists_every_zone(monkeypatch):
    monkeypatch.setattr(grace, "_zone_tab", lambda: [])
    grace.listed_timezones.cache_clear()
    try:
        assert grace.listed_timezones() == grace.timezone_names()
    finally:
        grace.listed_timezones.cache_clear()


def test_an_old_zone_name_is_still_accepted_and_shown_back(app, admin):
    """A zone saved under an old name (before the picker listed current names only) is kept, shown chosen, and
    saves again unchanged."""
    r = set_grace(admin, "2026-03-10T12:00", "Asia/Calcutta")
    assert r.status_code == 303
    assert stored(app, "grace_timezone") == '"Asia/Calcutta"' and stored(app, "grace_until") == '"2026-03-10T06:30:00"'
    text = page_text(admin.get("/admin/auth"))
    assert selected_timezones(text) == ["Asia/Calcutta"]
    assert "Tuesday, 10 March 2026 at 12:00 (Asia/Calcutta), which is 06:30 UTC" in words(admin.get("/admin/auth"))
    assert set_grace(admin, "2026-03-10T12:00", "Asia/Calcutta").status_code == 303
    assert stored(app, "grace_timezone") == '"Asia/Calcutta"'


def test_the_deadline_boundary_one_second_either_side(app, admin, actor, clock, server_tz):
    with app.app_context():  # the clock jumps to the deadline: the admin's session must last that long
        set_setting("session_idle_minutes_staff", 5 * 365 * 24 * 60)
        set_setting("session_max_hours_staff", 5 * 365 * 24)
        db.session.commit()
    assert set_grace(admin, "2026-03-10T12:00", "America/New_York").status_code == 303
    nat = actor("nat@example.com", name="Nat New")

    clock.at = DEADLINE_UTC - timedelta(seconds=1)
    r = nat.login(nat.email, PASSWORD)
    assert r.headers["Location"] == "/agent/login/setup"
    page = page_text(nat.get("/agent/login/setup"))
    assert "You can skip this until" in page and "10 Mar 2026, 16:00 UTC" in page and "Skip for now" in page
    r = nat.submit("/agent/login/skip", {}, page="/agent/login/setup")
    assert r.status_code == 302 and r.headers["Location"] == "/agent/"
    assert nat.get("/agent/").status_code == 200
    (skipped,) = events(app, "2fa.setup_skipped")
    assert skipped.user_id == nat.id and "2026-03-10T16:00:00" in skipped.detail

    clock.at = DEADLINE_UTC  # exactly the deadline: it has passed, even for a session that skipped before
    r = nat.get("/agent/")
    assert r.status_code == 302 and r.headers["Location"] == "/agent/login?next=/agent/?"  # signed out
    r = nat.login(nat.email, PASSWORD)
    assert r.headers["Location"] == "/agent/login/setup"
    page = page_text(nat.get("/agent/login/setup"))
    assert "Skip for now" not in page and "You can skip this" not in page
    r = nat.submit("/agent/login/skip", {}, page="/agent/login/setup")
    assert r.status_code == 303 and r.headers["Location"] == "/agent/login/setup"
    assert "Setting up two-factor authentication can no longer be skipped." in page_text(nat.get("/agent/login/setup"))
    assert nat.get("/agent/").status_code == 302

    clock.at = DEADLINE_UTC + timedelta(seconds=1)
    r = nat.login(nat.email, PASSWORD)
    assert r.headers["Location"] == "/agent/login/setup"
    assert "Skip for now" not in page_text(nat.get("/agent/login/setup"))
    r = nat.submit("/agent/login/skip", {}, page="/agent/login/setup")
    assert r.status_code == 303 and nat.get("/agent/").status_code == 302
    assert len(events(app, "2fa.setup_skipped")) == 1

    text = words(admin.get("/admin/auth"))
    assert "The grace period ended on Tuesday, 10 March 2026 at 12:00 (America/New_York)" in text
