"""`next=` only ever goes to a local path on this site."""
from urllib.parse import urlsplit


def local_path(target: str | None) -> str | None:
    if not target or len(target) > 500:
        return None
    if any(ord(c) < 32 or c == "\\" for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
