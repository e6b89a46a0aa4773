"""The grace date as the admin sees it: entered in a timezone they pick, stored as naive UTC, and described back
exactly. The server's own timezone never enters into it."""
import os
from datetime import datetime, timezone
from functools import cache
from importlib import resources
from zoneinfo import TZPATH, ZoneInfo, available_timezones

from babel.dates import format_date, format_time
from flask_babel import get_locale, gettext as _

from ..twofactor.base import FlowError

REGIONS = ("Africa/", "America/", "Antarctica/", "Arctic/", "Asia/", "Atlantic/", "Australia/", "Europe/",
           "Indian/", "Pacific/")


@cache
def timezone_names() -> tuple[str, ...]:
    """Every zone the Grace Period may be entered in: UTC and each Region/City zone, old names included."""
    return ("UTC",) + tuple(sorted(n for n in available_timezones() if n.startswith(REGIONS)))


@cache
def listed_timezones() -> tuple[str, ...]:
    """The zones the picker lists: UTC and IANA's own list of one zone per region of each country (zone.tab),
    without the ~70 old names that are only links to one of them (Asia/Calcutta is Asia/Kolkata). Where the
    timezone database has no zone.tab, every zone of timezone_names()."""
    known = set(timezone_names())
    listed = {name for name in _zone_tab() if name in known}
    return ("UTC",) + tuple(sorted(listed)) if listed else timezone_names()


def _zone_tab() -> list[str]:
    """The third column of zone.tab, read from where zoneinfo reads the zones (TZPATH, else the tzdata package)."""
    for root in TZPATH:
        path = os.path.join(root, "zone.tab")
        if os.path.isfile(path):
            with open(path, encoding="utf-8") as fh:
                return _zones_in(fh.read())
    try:
        return _zones_in(resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text("utf-8"))
    except (ImportError, OSError):
        return []


def _zones_in(text: str) -> list[str]:
    return [line.split("\t")[2].strip() for line in text.splitlines()
            if line and not line.startswith("#") and line.count("\t") >= 2]


def zone(name: str) -> ZoneInfo:
    if name not in timezone_names():
        raise FlowError(_("Choose a timezone from the list."))
    return ZoneInfo(name)


def to_utc(local: datetime, tz_name: str) -> datetime:
    """A wall-clock time in `tz_name` as naive UTC. A time the clocks skip (spring forward) is refused; in the
    hour that repeats (fall back) the first occurrence is meant, and the page says which UTC time that is."""
    tz = zone(tz_name)
    aware = local.replace(tzinfo=tz, fold=0)
    utc = aware.astimezone(timezone.utc)
    if utc.astimezone(tz).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise FlowError(_("%(time)s doesn't exist on %(day)s in %(zone)s: the clocks go forward then. "
                          "Choose another time.", time=_time(local, False), day=_date(local), zone=tz_name))
    return utc.replace(tzinfo=None)


def to_local(deadline: datetime, tz_name: str) -> datetime:
    """Naive UTC as naive wall-clock time in `tz_name` (for the form field)."""
    return deadline.replace(tzinfo=timezone.utc).astimezone(zone(tz_name)).replace(tzinfo=None)


def _locale():
    return get_locale() or "en_GB"


def _date(dt: datetime) -> str:
    """ "Tuesday, 10 March 2026", in the reader's language (the wall-clock date itself, no zone conversion)."""
    return format_date(dt.date(), "full", locale=_locale())


def _time(dt: datetime, seconds: bool = True) -> str:
    """ "12:00", or "12:00:30" when there are seconds (the wall-clock time itself, no zone conversion)."""
    return format_time(dt.time(), "HH:mm:ss" if seconds and dt.second else "HH:mm", locale=_locale())


def describe(deadline: datetime, tz_name: str) -> str:
    """“Tuesday, 10 March 2026 at 12:00 (America/New_York), which is 16:00 UTC on Tuesday, 10 March 2026”."""
    utc_text = _("%(time)s UTC on %(day)s", time=_time(deadline), day=_date(deadline))
    if tz_name == "UTC" or tz_name not in timezone_names():
        return utc_text
    local = to_local(deadline, tz_name)
    return _("%(day)s at %(time)s (%(zone)s), which is %(utc)s", day=_date(local), time=_time(local),
             zone=tz_name, utc=utc_text)
