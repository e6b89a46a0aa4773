"""Page weight, as a browser sees it: Debian's Chromium (through Playwright) opens each page of a real sign-in
and of the admin with its cache off (a first visit), and every request the page makes is counted with its bytes
(Content-Length: what crosses the wire, i.e. the encoded body — gzip for the static CSS, JS and SVG when the
browser accepts it, as is for pages, which are never compressed); any request leaving the portal's origin is a
third-party request."""
import os
import urllib.parse

import pyotp

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ANONYMOUS = [("Agent sign-in", "/agent/login"), ("Help Center sign-in", "/login"), ("Help Center home", "/"),
             ("Not found (error page)", "/no-such-page")]
SIGNED_IN = [("Agent dashboard", "/agent/"), ("Preferences > Security", "/agent/preferences/security"),
             ("Authenticator setup (QR)", "/agent/preferences/security/setup/{totp}?new=1"),
             ("Admin", "/admin/"), ("Admin > Auth & SSO", "/admin/auth"), ("Admin > Agents", "/admin/agents"),
             ("Admin > End users", "/admin/end-users"), ("Admin > Plugins", "/admin/plugins"),
             ("Admin > Security log", "/admin/security-log")]
END_USER = [("Help Center home (signed in)", "/"), ("My Profile > Your 2FA", "/profile/2fa"),
            ("Your 2FA > set up app (QR)", "/profile/2fa/setup/{totp}?new=1"),
            ("Your 2FA > set up email", "/profile/2fa/setup/{email}?new=1"),
            ("Security activity", "/security/activity")]


def weigh(base_url: str, email: str, password: str, secret: str, totp_instance: int, email_instance: int = 2,
          end_user: str | None = None) -> list[dict]:
    """`email`: an admin agent with an authenticator app (`secret`); `end_user`: a help-center person without 2FA
    (their pages are weighed too when given)."""
    from playwright.sync_api import sync_playwright
    origin = "{0.scheme}://{0.netloc}".format(urllib.parse.urlsplit(base_url))
    results = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context()
        page = context.new_page()
        # Every page weighed as on a first visit: nothing from the cache.
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        seen = []  # (url, resource type, status, bytes or None) of every response, read from its headers
        page.on("response", lambda response: seen.append((
            response.url, response.request.resource_type, response.status,
            int(response.headers["content-length"]) if "content-length" in response.headers else None)))

        def visit(name, path):
            seen.clear()
            page.goto(base_url + path, wait_until="networkidle")
            results.append(_weigh(name, path, list(seen), origin, page.url))

        for name, path in ANONYMOUS:
            visit(name, path)
        page.goto(base_url + "/agent/login")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", password)
        page.press("input[name=password]", "Enter")
        page.wait_for_url("**/agent/login/verify")
        page.wait_for_load_state("networkidle")
        visit("Sign-in challenge (after password)", "/agent/login/verify")
        page.fill("input[name=code]", pyotp.TOTP(secret).now())
        page.press("input[name=code]", "Enter")
        page.wait_for_url("**/agent/")
        for name, path in SIGNED_IN:
            visit(name, path.format(totp=totp_instance))
        if end_user:
            context.clear_cookies()
            page.goto(base_url + "/login")
            page.fill("input[name=email]", end_user)
            page.fill("input[name=password]", password)
            page.press("input[name=password]", "Enter")
            page.wait_for_url(base_url + "/")
            for name, path in END_USER:
                visit(name, path.format(totp=totp_instance, email=email_instance))
        browser.close()
    return results


def _weigh(name, path, requests, origin, final_url) -> dict:
    row = {"page": name, "path": path, "requests": 0, "html_bytes": 0, "css_bytes": 0, "js_bytes": 0,
           "other_bytes": 0, "third_party": 0, "landed_on": urllib.parse.urlsplit(final_url).path}
    for url, resource_type, status, size in requests:
        if url.startswith("data:"):
            continue
        row["requests"] += 1
        if not url.startswith(origin):
            row["third_party"] += 1
        key = {"document": "html_bytes", "stylesheet": "css_bytes", "script": "js_bytes"}.get(
            resource_type, "other_bytes")
        if size is None and status not in (204, 304):
            # A body sent without its length (chunked) can't be weighed from the headers: fail, never count 0.
            raise RuntimeError(f"{name}: {url} came without a Content-Length, so its bytes can't be counted")
        row[key] += size or 0  # error pages weigh what they send, too; a 304 sends nothing
    row["total_bytes"] = row["html_bytes"] + row["css_bytes"] + row["js_bytes"] + row["other_bytes"]
    return row
