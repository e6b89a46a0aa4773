"""Per-IP limits on the sign-in and code endpoints (PORTAL_AUTH_RATE_LIMIT, e.g. "30 per minute"), counted per
address and per endpoint with the `limits` library in the storage RATELIMIT_STORAGE_URI names: memory:// counts
in one process, redis://... once for every worker on every host.

One fixed-window counter per (address, endpoint), incremented by the attempt itself: one storage round trip per
POST and nothing at all for other requests. A refused attempt is
told when its window ends (Retry-After). If the storage cannot be reached the attempt is refused with a 503
rather than let through uncounted.
"""
import logging
import time
from functools import lru_cache, wraps

from flask import current_app, request
from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter
from werkzeug.exceptions import ServiceUnavailable, TooManyRequests

log = logging.getLogger(__name__)
EXTENSION = "portal_rate_limits"


class Counters:
    """The app's counters: where they are kept and under which prefix (several portals may share one Redis)."""

    def __init__(self, app):
        self.enabled = app.config.get("RATELIMIT_ENABLED", True)
        self.prefix = app.config["RATELIMIT_KEY_PREFIX"]
        self.windows = FixedWindowRateLimiter(storage_from_string(app.config["RATELIMIT_STORAGE_URI"]))

    def spend(self, limit: RateLimitItem, address: str, endpoint: str) -> int | None:
        """Count one attempt; None if it is allowed, else the seconds until its window lets the next one in."""
        keys = (self.prefix, address, endpoint)
        if self.windows.hit(limit, *keys):
            return None
        reset_at = self.windows.get_window_stats(limit, *keys).reset_time
        return max(1, int(reset_at - time.time()) + 1)


def init_app(app) -> None:
    app.extensions[EXTENSION] = Counters(app)


@lru_cache(maxsize=16)
def _parsed(limit: str) -> RateLimitItem:
    return parse(limit)


def auth_limit(view):
    """Decorate a sign-in or code view: every POST spends one attempt of its address's budget for this endpoint."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        counters = current_app.extensions[EXTENSION]
        if request.method == "POST" and counters.enabled:
            try:
                wait = counters.spend(_parsed(current_app.config["PORTAL_AUTH_RATE_LIMIT"]),
                                      request.remote_addr or "", request.endpoint or "")
            except Exception as exc:  # the shared counters are unreachable: refuse rather than count nothing
                log.error("rate-limit storage unreachable: %s", type(exc).__name__)
                raise ServiceUnavailable() from None
            if wait is not None:
                raise TooManyRequests(retry_after=wait)  # portal.errors renders the page with Retry-After
        return view(*args, **kwargs)
    return wrapped
