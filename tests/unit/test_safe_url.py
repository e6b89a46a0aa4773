"""portal.safe_url.local_path: `next=` only ever leads to a path on this site."""
import pytest

from portal.safe_url import local_path


@pytest.mark.parametrize("target", [
    "/", "/agent/", "/profile/2fa", "/profile/2fa?tab=devices#recovery", "/login?next=%2Fagent%2F",
    "/admin/agents?q=sam%40example.com", "/a/b/../c", "/javascript:alert(1)", "/" + "a" * 499,
])
def test_local_paths_are_kept_as_given(target):
    assert local_path(target) == target


@pytest.mark.parametrize("target", [
    # another host
    "//evil.com", "//evil.com/agent/", "///evil.com", "https://evil.com", "http://evil.com/agent/",
    "HTTPS://evil.com", "http://127.0.0.1/agent/", "https:evil.com", "https:/evil.com", "ftp://evil.com",
    "/%2Fevil.com", "/%2f%2fevil.com", "%2F%2Fevil.com",
    # backslashes, which browsers read as slashes
    "/\\evil.com", "\\\\evil.com", "\\/evil.com", "/%5Cevil.com", "/%5cevil.com",
    # scripts and data
    "javascript:alert(1)", "JavaScript:alert(1)", "javascript%3Aalert(1)", "data:text/html,<script>", "vbscript:x",
    # not a path from the root
    "agent/", "evil.com", " /agent/", "?next=/", "#top", ".", "../admin",
    # control characters, raw or encoded (header splitting, browsers dropping tabs and newlines)
    "/agent/\r\nSet-Cookie: x=1", "/agent/%0d%0aSet-Cookie:%20x=1", "/\t/evil.com", "/%09/evil.com",
    "/\n/evil.com", "/%00", "/agent\x00", "/agent\x7f", "/agent%7F", "/\x1f",
])
def test_anything_else_is_refused(target):
    assert local_path(target) is None


@pytest.mark.parametrize("target", [None, "", 123, b"/agent/", ["/agent/"], "/" + "a" * 500])
def test_missing_junk_or_overlong_values_are_refused(target):
    assert local_path(target) is None
