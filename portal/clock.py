"""The one place the portal reads the time, so tests can set it instead of sleeping.

`now()` returns naive UTC. Tests install a FrozenClock with `set_clock(app, FrozenClock(...))`.
"""
from datetime import datetime, timedelta, timezone

from flask import current_app, has_app_context


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc).replace(tzinfo=None)


class FrozenClock:
    def __init__(self, at: datetime):
        self.at = at.replace(tzinfo=None) if at.tzinfo is None else at.astimezone(timezone.utc).replace(tzinfo=None)

    def now(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


_system = SystemClock()


def set_clock(app, clock) -> None:
    app.extensions["portal_clock"] = clock


def now() -> datetime:
    if has_app_context():
        return current_app.extensions.get("portal_clock", _system).now()
    return _system.now()


def epoch(dt: datetime) -> float:
    return dt.replace(tzinfo=timezone.utc).timestamp()
