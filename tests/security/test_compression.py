"""Compression: static CSS and JavaScript go out gzip-compressed (once per file, then from memory) to a browser
that accepts it; no page ever does, whatever the browser accepts, because pages carry CSRF tokens, TOTP secrets
and recovery codes next to what the visitor typed (BREACH)."""
import gzip
import os

import flask_compress.flask_compress
import pytest

from portal import ROOT
from tests.conftest import csrf_token, setup_secret
from tests.security.helpers import recovery_codes_on

EVERY_ENCODING = {"Accept-Encoding": "gzip, deflate, br, zstd, *"}
STATIC = ["portal.css", "portal.js", "security.css"]


def on_disk(name: str) -> bytes:
    with open(os.path.join(ROOT, "static", name), "rb") as fh:
        return fh.read()


def assert_not_compressed(response):
    assert "Content-Encoding" not in response.headers, response.request.path
    body = response.get_data()
    assert body.lstrip().lower().startswith((b"<!doctype html", b"<html")) or response.status_code in (301, 302, 303)
    assert response.headers.get("Content-Length") in (None, str(len(body)))


@pytest.mark.parametrize("name", STATIC)
def test_static_css_and_js_are_gzipped_and_decompress_to_the_file(client, name):
    r = client.get(f"/static/{name}", headers=EVERY_ENCODING)
    assert r.status_code == 200
    assert r.headers["Content-Encoding"] == "gzip"  # gzip even when brotli or zstd are offered
    assert "Accept-Encoding" in r.headers["Vary"]
    assert int(r.headers["Content-Length"]) == len(r.data) < len(on_disk(name))
    assert gzip.decompress(r.data) == on_disk(name)
    assert r.headers["ETag"].endswith(':gzip"')  # never the uncompressed file's validator


def test_static_files_are_sent_as_they_are_to_a_browser_that_accepts_no_compression(client):
    for headers in ({}, {"Accept-Encoding": "identity"}):
        r = client.get("/static/portal.css", headers=headers)
        assert r.status_code == 200 and "Content-Encoding" not in r.headers
        assert r.data == on_disk("portal.css") and int(r.headers["Content-Length"]) == len(r.data)
        assert "Accept-Encoding" in r.headers["Vary"]  # a shared cache must not hand this copy to a gzip browser


def test_each_file_is_compressed_once_then_served_from_memory(app, monkeypatch):
    calls = []
    real = flask_compress.flask_compress._compress_data

    def counting(app_, data, algorithm):
        calls.append(len(data))
        return real(app_, data, algorithm)

    monkeypatch.setattr(flask_compress.flask_compress, "_compress_data", counting)
    client = app.test_client()
    first = [client.get("/static/portal.css", headers=EVERY_ENCODING).data for _ in range(3)]
    assert calls == [len(on_disk("portal.css"))]
    assert first[0] == first[1] == first[2]


def test_a_range_request_and_a_revalidation_are_answered_correctly(client):
    part = client.get("/static/portal.css", headers={**EVERY_ENCODING, "Range": "bytes=0-9"})
    assert part.status_code == 206 and "Content-Encoding" not in part.headers
    assert part.data == on_disk("portal.css")[:10]
    etag = client.get("/static/portal.css", headers=EVERY_ENCODING).headers["ETag"]
    again = client.get("/static/portal.css", headers={**EVERY_ENCODING, "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    # The cache was not spoiled by the partial answer
    assert gzip.decompress(client.get("/static/portal.css", headers=EVERY_ENCODING).data) == on_disk("portal.css")


@pytest.mark.parametrize("url", ["/agent/login", "/login", "/", "/register", "/no-such-page",
                                 "/agent/login/verify", "/agent/"])
def test_pages_are_never_compressed(client, url):
    assert_not_compressed(client.get(url, headers=EVERY_ENCODING))


def test_pages_holding_a_secret_or_codes_are_never_compressed(person, client):
    person.create(role="admin")
    person.login()
    setup = client.get("/agent/preferences/security/setup/1?new=1", headers=EVERY_ENCODING)
    assert_not_compressed(setup)
    secret = setup_secret(setup)  # the TOTP secret, readable in the page as sent
    r = client.post("/agent/preferences/security/setup/1", headers=EVERY_ENCODING,
                    data={"csrf_token": csrf_token(setup), "name": "Phone", "code": person.code(secret)})
    assert_not_compressed(r)
    codes = client.get("/agent/security/recovery-codes", headers=EVERY_ENCODING)
    assert_not_compressed(codes)
    assert len(recovery_codes_on(codes)) == 10
    for url in ("/agent/preferences/security", "/admin/", "/admin/auth", "/admin/agents", "/admin/security-log",
                "/agent/security/recovery-codes/download"):
        r = client.get(url, headers=EVERY_ENCODING)
        assert r.status_code in (200, 302, 303), url
        assert "Content-Encoding" not in r.headers, url


def test_static_files_do_not_vary_by_visitor_but_pages_do(client, person):
    person.create()
    person.login()  # a signed-in browser: its session cookie goes with every request
    r = client.get("/static/portal.css", headers=EVERY_ENCODING)
    assert r.status_code == 200 and "Cookie" not in r.headers["Vary"] and "Set-Cookie" not in r.headers
    page = client.get("/agent/")
    assert page.status_code == 200 and "Cookie" in page.headers["Vary"]
