"""Untrusted values from URLs and forms: `next=` only ever goes to a local path on this site, and an id is
only ever a small positive integer."""
import re
from urllib.parse import unquote, urlsplit

_ID = re.compile(r"[0-9]{1,9}")


def local_path(target: str | None) -> str | None:
    """`target` if it is a path on this site ("/agent/"), else None: never another host ("//evil.com",
    "/\\evil.com", "https://evil.com"), never a script ("javascript:..."), encoded or not."""
    if not isinstance(target, str) or not target or len(target) > 500:
        return None
    for candidate in (target, unquote(target)):
        if any(ord(c) < 32 or ord(c) == 127 or c == "\\" for c in candidate):
            return None
        parts = urlsplit(candidate)
        if parts.scheme or parts.netloc or not candidate.startswith("/") or candidate.startswith("//"):
            return None
    return target


def row_id(value) -> int | None:
    """A database id from a URL or form (ASCII digits, at most 9), else None — so junk is a 404, not a 500."""
    text = str(value) if value is not None else ""
    return int(text) if _ID.fullmatch(text) else None
