"""The grace date as the admin sees it: entered in a timezone they pick, stored as naive UTC, and described back
exactly. The server's own timezone never enters into it."""
from datetime import datetime, timezone
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from ..twofactor.setup import FlowError

REGIONS = ("Africa/", "America/", "Antarctica/", "Arctic/", "Asia/", "Atlantic/", "Australia/", "Europe/",
           "Indian/", "Pacific/")


@cache
def timezone_names() -> tuple[str, ...]:
    return ("UTC",) + tuple(sorted(n for n in available_timezones() if n.startswith(REGIONS)))


def zone(name: str) -> ZoneInfo:
    if name not in timezone_names():
        raise FlowError("Choose a timezone from the list.")
    return ZoneInfo(name)


def to_utc(local: datetime, tz_name: str) -> datetime:
    """A wall-clock time in `tz_name` as naive UTC. A time the clocks skip (spring forward) is refused; in the
    hour that repeats (fall back) the first occurrence is meant, and the page says which UTC time that is."""
    tz = zone(tz_name)
    aware = local.replace(tzinfo=tz, fold=0)
    utc = aware.astimezone(timezone.utc)
    if utc.astimezone(tz).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise FlowError(f"{local:%H:%M} doesn't exist on {_date(local)} in {tz_name}: the clocks go forward then. "
                        "Choose another time.")
    return utc.replace(tzinfo=None)


def to_local(deadline: datetime, tz_name: str) -> datetime:
    """Naive UTC as naive wall-clock time in `tz_name` (for the form field)."""
    return deadline.replace(tzinfo=timezone.utc).astimezone(zone(tz_name)).replace(tzinfo=None)


def _date(dt: datetime) -> str:
    return f"{dt:%A} {dt.day} {dt:%B %Y}"


def describe(deadline: datetime, tz_name: str) -> str:
    """“Tuesday 10 March 2026 at 12:00 (America/New_York), which is 16:00 UTC on Tuesday 10 March 2026”."""
    utc_text = f"{deadline:%H:%M:%S}".removesuffix(":00") + f" UTC on {_date(deadline)}"
    if tz_name == "UTC" or tz_name not in timezone_names():
        return utc_text
    local = to_local(deadline, tz_name)
    return f"{_date(local)} at {local:%H:%M:%S}".removesuffix(":00") + f" ({tz_name}), which is {utc_text}"
