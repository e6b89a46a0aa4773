"""Sessions: cleared after the password and after the second factor, a pending sign-in that expires, one bump
that signs out every session; cookies HttpOnly, SameSite=Lax, Secure over HTTPS; security headers everywhere;
and no template that would need an inline-script exception in the CSP."""
import hashlib
import os
import re

import pytest

from portal import ROOT
from portal.extensions import db
from portal import sessions
from portal.models import PendingLogin, User, UserSession
from tests.conftest import csrf_token, page_text
from tests.security.helpers import EMAIL, enrolled_agent, in_console, signed_in_agent


def session_keys(client) -> set:
    with client.session_transaction() as session:
        return set(session.keys())


def test_session_is_cleared_after_the_password_and_after_the_second_factor(person, client):
    secret, _ = enrolled_agent(person)
    with client.session_transaction() as session:
        session["planted"] = "by an attacker before sign-in"
    person.login()
    assert session_keys(client) <= {"pending_login", "csrf_token"} and "pending_login" in session_keys(client)
    with client.session_transaction() as session:
        session["planted"] = "during the challenge"
    person.clock.advance(30)
    person.post("/agent/login/verify", {"code": person.code(secret)})
    keys = session_keys(client)
    assert "planted" not in keys and "pending_login" not in keys
    assert keys == {"sid"}  # only the session's token: who, where and when live in its row on the server
    with client.session_transaction() as session:
        token = session["sid"]
    with person.app.app_context():
        (row,) = db.session.scalars(db.select(UserSession)).all()
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in row.token_hash
        assert (row.area, row.how) == ("agent", "totp")


def test_pending_sign_in_expires_after_ten_minutes_as_its_email_codes_do(person, client, app):
    secret, _ = enrolled_agent(person)
    person.login()
    page = client.get("/agent/login/verify")
    person.clock.advance(10 * 60 - 1)
    assert client.get("/agent/login/verify").status_code == 200  # as long as a code it sends by email
    person.clock.advance(1)
    r = client.post("/agent/login/verify", data={"csrf_token": csrf_token(page), "code": person.code(secret)})
    assert r.headers["Location"] == "/agent/login"
    assert "Your sign-in has expired. Enter your email and password again." in page_text(client.get("/agent/login"))
    assert not in_console(client)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(PendingLogin)) == 0


def test_ending_every_session_signs_out_every_copy_of_the_cookie(person, client, app):
    secret, _ = enrolled_agent(person)
    signed_in_agent(person, secret)
    laptop = client
    phone = app.test_client()
    phone.set_cookie("session", laptop.get_cookie("session").value)
    assert in_console(laptop) and in_console(phone)
    with app.test_request_context():
        sessions.end_all(db.session.scalar(db.select(User).where(User.email == EMAIL)))
        db.session.commit()
    for c in (laptop, phone):
        r = c.get("/agent/")
        assert r.status_code == 302 and r.headers["Location"].startswith("/agent/login")


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_cookies_are_httponly_lax_and_secure_over_https(app, person, scheme):
    person.create()
    client = app.test_client()
    base = f"{scheme}://localhost"
    page = client.get("/agent/login", base_url=base)
    r = client.post("/agent/login", base_url=base, data={"csrf_token": csrf_token(page), "email": EMAIL,
                                                         "password": "correct horse battery"},
                    headers={"Referer": f"{base}/agent/login"})  # over HTTPS, Flask-WTF checks where a form came from
    assert r.status_code == 302 and r.headers["Location"] == "/agent/"  # signed in: a new session cookie
    cookie = next(h for h in r.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert ("Secure" in cookie) == (scheme == "https")
    assert ("Strict-Transport-Security" in r.headers) == (scheme == "https")


PAGES = ["/agent/login", "/login", "/agent/login/verify", "/agent/", "/no-such-page", "/static/portal.css"]


@pytest.mark.parametrize("url", PAGES)
def test_security_headers_on_every_response(client, url):
    r = client.get(url)
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "no-referrer"
    assert (r.headers.get("Cache-Control") == "no-store") == (not url.startswith("/static/"))



@pytest.mark.parametrize("url", PAGES)
def test_each_security_header_is_sent_once(client, url):
    headers = [name.lower() for name, _ in client.get(url).headers]
    for name in ("content-security-policy", "x-frame-options", "x-content-type-options", "referrer-policy",
                 "cross-origin-opener-policy", "permissions-policy", "cache-control"):
        assert headers.count(name) == 1, name  # a static file says how it may be cached; a page: no-store


@pytest.mark.parametrize("proto", ["http", "https"])
def test_behind_a_proxy_hsts_and_secure_cookies_follow_the_forwarded_scheme(tmp_path, pg_schema, proto):
    from tests.conftest import make_app
    app = make_app(tmp_path, pg_schema, PROXY_FIX_HOPS=1)
    client = app.test_client()
    forwarded = {"X-Forwarded-Proto": proto, "X-Forwarded-For": "203.0.113.9"}
    page = client.get("/agent/login", headers=forwarded)
    assert ("Strict-Transport-Security" in page.headers) == (proto == "https")
    cookie = next(h for h in page.headers.getlist("Set-Cookie") if h.startswith("session="))  # the CSRF token's
    assert ("Secure" in cookie) == (proto == "https")
    r = client.post("/agent/login", headers=forwarded, data={"csrf_token": csrf_token(page), "email": EMAIL,
                                                             "password": "wrong"})
    assert r.headers["Cache-Control"] == "no-store"


def test_a_page_that_sets_its_own_caching_is_still_never_stored(app):
    @app.get("/cached-page")
    def cached_page():
        return "secret", 200, {"Cache-Control": "public, max-age=600", "Pragma": "x"}
    r = app.test_client().get("/cached-page")
    assert r.headers.getlist("Cache-Control") == ["no-store"] and r.headers.getlist("Pragma") == ["no-cache"]


def test_setup_and_recovery_pages_are_never_stored(person, client):
    person.create()
    person.login()
    for url in ("/agent/preferences/security/setup/1", "/agent/security/recovery-codes",
                "/agent/preferences/security", "/agent/security/confirm"):
        r = client.get(url)
        assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store", url


def test_templates_need_no_inline_script_or_style():
    """The CSP allows scripts and styles from our own files only; a template with inline code would break."""
    offenders = []
    for folder, _, files in os.walk(os.path.join(ROOT, "templates")):
        if os.path.basename(folder) == "email":  # mail is not served under our CSP
            continue
        for name in files:
            path = os.path.join(folder, name)
            with open(path, encoding="utf-8") as fh:
                source = fh.read()
            if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", source) or re.search(r"\sstyle=", source) \
                    or re.search(r"<style[\s>]", source) or re.search(r"\son[a-z]+=", source):
                offenders.append(os.path.relpath(path, ROOT))
    assert offenders == []
