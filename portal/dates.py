"""Dates and times as people read them: in words, in the portal's time zone (the `timezone` setting, an IANA
name; people have no zone of their own), never an ISO string. Times are stored as naive UTC (portal.clock)."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .settings import get_setting


def zone_name() -> str:
    name = get_setting("timezone") or "UTC"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return name


def local(at: datetime) -> datetime:
    """A naive-UTC time on the portal's clock face."""
    return at.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(zone_name()))


def time_in_words(at: datetime, seconds: bool = False) -> str:
    """ "09:15 (Europe/Berlin)" """
    return f"{local(at).strftime('%H:%M:%S' if seconds else '%H:%M')} ({zone_name()})"


def day_in_words(at: datetime) -> str:
    """ "Sunday 1 March 2026" """
    day = local(at)
    return f"{day.strftime('%A')} {day.day} {day.strftime('%B %Y')}"


def in_words(at: datetime) -> str:
    """ "09:15 on Sunday 1 March 2026 (Europe/Berlin)" """
    day = local(at)
    return f"{day.strftime('%H:%M')} on {day_in_words(at)} ({zone_name()})"


def init_app(app) -> None:
    """Templates show times on the portal's clock: `dt|local` and `zone_name()`."""
    app.add_template_filter(local, "local")
    app.add_template_global(zone_name, "zone_name")
