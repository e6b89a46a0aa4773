"""Dates and times as people read them: in their language (Babel's formats) and their own time zone (the
profile's, else the portal's `timezone` setting, an IANA name), never an ISO string. Times are stored as naive UTC
(portal.clock); portal.i18n picks the language and zone of what is being rendered.

In templates: `dt|time_tag` is a <time> element with the date, time and zone ("3 Dec 2026, 16:05 Europe/Berlin"),
`dt|time_tag("date")` the date alone; `dt|when` and `dt|day` are the same as plain text (mails, labels)."""
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import format_date, format_time, get_timezone, gettext
from markupsafe import Markup, escape

from .settings import get_setting


def valid_zone(name: str | None) -> bool:
    try:
        return bool(name) and ZoneInfo(name) is not None
    except (ZoneInfoNotFoundError, ValueError):
        return False


def portal_zone() -> str:
    """The portal's own time zone (Admin › Settings), for everyone who chose none."""
    name = get_setting("timezone") or "UTC"
    return name if valid_zone(name) else "UTC"


def zone_name() -> str:
    """The zone times are being shown in: the reader's own, else the portal's."""
    return str(get_timezone())


def time_in_words(at: datetime, seconds: bool = False) -> str:
    """ "09:15 (Europe/Berlin)" """
    return gettext("%(time)s (%(zone)s)", time=format_time(at, "HH:mm:ss" if seconds else "short"),
                   zone=zone_name())


def day_in_words(at: datetime) -> str:
    """ "Sunday, 1 March 2026" """
    return format_date(at, "full")


def in_words(at: datetime) -> str:
    """ "09:15 on Sunday, 1 March 2026 (Europe/Berlin)" """
    return gettext("%(time)s on %(day)s (%(zone)s)", time=format_time(at, "short"), day=day_in_words(at),
                   zone=zone_name())


def when(at: datetime | None) -> str:
    """ "3 Dec 2026, 16:05 Europe/Berlin" """
    if at is None:
        return "—"
    return gettext("%(date)s, %(time)s %(zone)s", date=format_date(at, "medium"),
                   time=format_time(at, "short"), zone=zone_name())


def day(at: datetime | None) -> str:
    """ "3 Dec 2026" """
    return format_date(at, "medium") if at is not None else "—"


def time_tag(at: datetime | None, part: str = "datetime") -> Markup:
    """A <time> element (machine-readable UTC) showing `when` or, with part="date", `day`."""
    if at is None:
        return Markup("—")
    shown = day(at) if part == "date" else when(at)
    return Markup('<time datetime="{}Z">{}</time>').format(at.isoformat(), escape(shown))


def init_app(app) -> None:
    """Templates show times on the reader's clock: `dt|time_tag`, `dt|when`, `dt|day`, `zone_name()`."""
    app.add_template_filter(when, "when")
    app.add_template_filter(day, "day")
    app.add_template_filter(time_tag, "time_tag")
    app.add_template_global(zone_name, "zone_name")
