"""Every page, as every kind of person, passes axe-core with zero violations and loads nothing from elsewhere.

Pages are found the way a person finds them: each person starts where they land and follows every link on every
page (one page per route and set of query parameters). The journeys cover each kind of person signed in, the
steps of signing in (after the password: the code challenge, the mandatory setup) and a sign-in grown stale
(the "confirm it's you" pages). The check at the end keeps this true for pages added later: a page no journey
reaches fails the run, naming it. The other tests drive the states links can't reach (forms with errors).
"""
import re
from urllib.parse import parse_qs, urldefrag, urlsplit

import pytest
from playwright.sync_api import expect
from werkzeug.exceptions import HTTPException

from tests.browser.a11y import PASSWORD, PHONE, add_extras, add_person, assert_accessible, axe_violations, \
    enter_password, set_policy, sign_in
from tests.browser.request_steps import add_recovery, add_request_with_ask
from tests.conftest import smtp_sink_for

# Files, not pages (a download link found on a page is still fetched and must answer 200).
NOT_PAGES = {"static", "health.healthz", "health.readyz", "agent.recovery_codes_download", "helpcenter.recovery_codes_download"}
# Single sign-on (portal.sso): the way to the identity provider and its redirect back are not pages of the portal;
# tests/browser/test_sso.py drives them and checks the refusal page.
NOT_PAGES |= {"agent.sso_start", "helpcenter.sso_start", "agent.sso_callback", "helpcenter.sso_callback"}
# The footer's language switcher sets a cookie and goes back (tests/i18n drive it); crawling it would change the
# language of every page after it.
NOT_PAGES |= {"i18n.choose"}


@pytest.fixture(autouse=True)
def _fail_fast(context):
    context.set_default_timeout(5000)


class Journeys:
    """Browses as several people, one browser context each, collecting what axe-core and the server say."""

    def __init__(self, live, browser):
        self.live, self.browser = live, browser
        self.adapter = live.app.url_map.bind("127.0.0.1")
        self.contexts, self.urls = {}, {}
        self.visited, self.violations, self.bad_status, self.outside = set(), {}, {}, []

    def endpoint(self, url: str) -> str | None:
        try:
            return self.adapter.match(urlsplit(url).path, method="GET")[0]
        except HTTPException:
            return None

    def key(self, url: str):
        return self.endpoint(url), frozenset(parse_qs(urlsplit(url).query))

    def open(self, who: str):
        context = self.browser.new_context()
        context.set_default_timeout(5000)
        context.on("request", lambda r: r.url.startswith((self.live.url, "data:")) or self.outside.append(r.url))
        self.contexts[who] = context
        return context.new_page()

    def crawl(self, who: str, page, start: list[str], only_new: bool = False) -> None:
        queue, seen, urls = [self.live.url + s if s.startswith("/") else s for s in start], set(), []
        while queue:
            url = queue.pop(0)
            if self.endpoint(url) in (None, *NOT_PAGES) or self.key(url) in seen:
                continue
            seen.add(self.key(url))
            urls.append(url)
            for href in self.visit(who, page, url, only_new):
                if href.startswith(self.live.url) and href not in queue:
                    queue.append(href)
        self.urls[who] = urls

    def visit(self, who: str, page, url: str, only_new: bool = False) -> list[str]:
        """Open `url`; check the landing page with axe-core (unless seen before and only_new); return its links."""
        response = page.goto(url)
        landed = self.endpoint(page.url)
        if response.status >= 400:
            self.bad_status[f"{who} {url}"] = response.status
        if not (only_new and landed in self.visited):
            self.visited.update({self.endpoint(url), landed} - {None})
            self.live.shot(page, f"{who}-{landed}".replace(" ", "-").replace(".", "-"))
            found = axe_violations(page)
            if found:
                self.violations[f"{who} {page.url}"] = found
        for href in page.eval_on_selector_all("a[download][href]", "links => links.map(a => a.href)"):
            file = page.request.get(href)  # a file to save, not a page: it must download
            self.visited.add(self.endpoint(href))
            if file.status != 200:
                self.bad_status[f"{who} {href}"] = file.status
        return [urldefrag(h)[0] for h in page.eval_on_selector_all(
            "a[href]:not([download])", "links => links.map(a => a.href)")]

    def revisit(self, who: str) -> None:
        """Go through the same links again (a sign-in grown stale lands on other pages): check what is new."""
        page = self.contexts[who].new_page()
        for url in self.urls[who]:
            self.visit(who, page, url, only_new=True)

    def close(self):
        for context in self.contexts.values():
            context.close()


def test_every_page_as_every_kind_of_person(live, browser):
    people = {
        "end-user": add_person(live.app, "end-user", "eve@example.com", "Eve Customer"),
        "agent": add_person(live.app, "agent", "sam@example.com", "Sam Agent"),
        "admin": add_person(live.app, "admin", "ada@example.com", "Ada Admin"),
    }
    for who in people.values():
        add_extras(live.app, who)
    add_request_with_ask(live.app, people["end-user"], people["agent"])  # the requests pages, with an open ask
    cancel_path = add_recovery(live.app, people["end-user"])  # Admin › Account recovery lists it; its mail's link
    newcomers = {"agent": add_person(live.app, "agent", "nat@example.com", "Nat Newcomer", with_app=False),
                 "end-user": add_person(live.app, "end-user", "noa@example.com", "Noa Newcomer", with_app=False)}
    from portal.extensions import db
    from portal.twofactor import registry
    with live.app.test_request_context():  # a third-party plugin, so an Uninstall page is linked (built-ins have none)
        registry.install("pin")
        registry.set_active("webauthn", True)  # security keys and passkeys: their setup and sign-in parts too
        db.session.commit()
    journeys = Journeys(live, browser)
    try:
        journeys.crawl("anonymous", journeys.open("anonymous"), ["/", "/login", "/agent/login", "/register"])
        journeys.crawl("recovering", journeys.open("recovering"), [cancel_path], only_new=True)  # the cancel link
        for role, start in [("end-user", ["/"]), ("agent", ["/agent/"]), ("admin", ["/agent/", "/admin/"])]:
            page = journeys.open(role)
            sign_in(page, live, people[role])
            journeys.crawl(role, page, start)
        for role, who in people.items():  # password given, second factor not yet
            page = journeys.open(f"{role} signing in")
            enter_password(page, live.url, who)
            journeys.crawl(f"{role} signing in", page, [page.url], only_new=True)
        live.clock.advance(live.app.config["FRESH_PROOF_SECONDS"] + 60)  # "confirm it's you" before changes
        for role in people:
            journeys.revisit(role)
        set_policy(live.app, require_agents_2fa=True, require_end_users_2fa=True, grace_until="2026-04-01T00:00:00")
        for role, who in newcomers.items():  # the mandatory setup
            page = journeys.open(f"new {role}")
            enter_password(page, live.url, who)
            journeys.crawl(f"new {role}", page, [page.url], only_new=True)
        page = journeys.open("registering")  # "Check your email", then the page the emailed link opens
        with smtp_sink_for(live.app) as sink:
            page.goto(f"{live.url}/register")
            page.get_by_label("Your name").fill("Reg Newcomer")
            page.get_by_label("Email").fill("reg@example.com")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Create account").click()
            expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
            if found := axe_violations(page):
                journeys.violations[f"registering {page.url} (check your email)"] = found
            link = re.search(r"https?://\S+/register/activate/\S+", sink.text(sink.latest("reg@example.com")))
        journeys.crawl("registering", page, [link.group(0)], only_new=True)
        for role in ("agent", "end-user"):  # "Forgot your password?", then the page its emailed link opens
            who, page = people[role], journeys.open(f"resetting {role}")
            with smtp_sink_for(live.app) as sink:
                page.goto(f"{live.url}{who.area}/forgot-password")
                page.get_by_label("Email").fill(who.email)
                page.get_by_role("button", name="Email me a link").click()
                expect(page.get_by_role("status")).to_contain_text("If an account uses that address")
                link = re.search(r"https?://\S+/reset-password/\S+", sink.text(sink.latest(who.email)))
            journeys.crawl(f"resetting {role}", page, [link.group(0)], only_new=True)
        # An admin with only codes, once admins must have a security key (issue 21): led to register one first.
        keyless = add_person(live.app, "admin", "kim@example.com", "Kim Keyless")
        set_policy(live.app, require_admin_security_key=True)
        page = journeys.open("keyless admin")
        sign_in(page, live, keyless)
        journeys.crawl("keyless admin", page, ["/admin/"], only_new=True)
    finally:
        journeys.close()

    pages = {r.endpoint for r in live.app.url_map.iter_rules() if "GET" in r.methods} - NOT_PAGES
    problems = [f"axe-core, {where}: {found}" for where, found in journeys.violations.items()]
    problems += [f"a link leads to an error: {where} -> {status}" for where, status in journeys.bad_status.items()]
    problems += [f"a request left the portal: {url}" for url in journeys.outside]
    problems += [f"no journey reaches {endpoint}: link it from a page, or add the journey that reaches it to "
                 f"{__name__}" for endpoint in sorted(pages - journeys.visited)]
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("area", ["/agent", ""])
def test_sign_in_errors_are_tied_to_fields_and_announced(live, page, area):
    page.goto(f"{live.url}{area}/login")
    assert_accessible(page, "sign-in page")
    expect(page.get_by_label("Email")).to_be_focused()
    page.get_by_label("Email").fill("nobody@example.com")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()

    summary = page.get_by_role("alert")
    assert summary.inner_text().splitlines()[0] == "There is a problem"
    expect(summary).to_be_focused()  # read out first
    password = page.get_by_label("Password")
    assert password.get_attribute("aria-invalid") == "true"
    expect(password).to_have_accessible_description("Error: Email or password is incorrect.")
    assert page.get_by_label("Email").input_value() == "nobody@example.com"  # nothing typed is lost
    page.get_by_role("link", name="Email or password is incorrect.").press("Enter")
    expect(page.get_by_label("Password")).to_be_focused()  # the summary leads to the field
    assert_accessible(page, "sign-in page with an error")
    live.shot(page, f"sign-in-error{area.replace('/', '-') or '-helpcenter'}")


@pytest.mark.parametrize("role,area", [("agent", "/agent"), ("end-user", "")])
def test_challenge_and_its_errors(live, page, role, area):
    who = add_person(live.app, role, "two@example.com", "Tess Two")
    enter_password(page, live.url, who)
    expect(page.get_by_role("heading", name="Two-factor authentication")).to_be_visible()
    expect(page.get_by_label("Code", exact=True)).to_be_focused()
    assert_accessible(page, "code challenge")
    page.get_by_label("Code", exact=True).fill("000000" if who.code(live.clock) != "000000" else "111111")
    page.get_by_role("button", name="Verify").click()
    code = page.get_by_label("Code", exact=True)
    assert code.get_attribute("aria-invalid") == "true"
    expect(code).to_have_accessible_description(
        "Enter the code from your authenticator app. Error: That code isn't right. Check the code in your app "
        "and try again.")
    assert_accessible(page, "code challenge with an error")
    live.shot(page, f"challenge-error-{role}")


@pytest.mark.parametrize("role,area,setting", [("agent", "/agent", "require_agents_2fa"),
                                               ("end-user", "", "require_end_users_2fa")])
def test_mandatory_setup_and_its_errors(live, page, role, area, setting):
    who = add_person(live.app, role, "new@example.com", "Nat Newcomer", with_app=False)
    set_policy(live.app, **{setting: True, "grace_until": "2026-04-01T00:00:00"})
    enter_password(page, live.url, who)
    expect(page.get_by_role("dialog", name="Set up two-factor authentication")).to_be_visible()
    assert_accessible(page, "mandatory setup")
    live.shot(page, f"mandatory-setup-{role}")
    page.get_by_label("Verification code").fill("12345")
    page.get_by_role("button", name="Verify and finish setup").click()
    expect(page.get_by_label("Verification code")).to_have_accessible_description(re.compile(
        r"Error: That code isn't right\. Check that your phone's clock is set automatically, then try the newest "
        r"code\.$"))
    assert_accessible(page, "mandatory setup with an error")


def test_error_pages(live, browser, page):
    response = page.goto(f"{live.url}/no-such-page")
    assert response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Page not found"
    assert_accessible(page, "404 page")
    live.shot(page, "error-404")

    who = add_person(live.app, "end-user", "eve@example.com", "Eve Customer")
    sign_in(page, live, who)
    response = page.goto(f"{live.url}/agent/")
    assert response.status == 403
    assert page.get_by_role("heading", level=1).inner_text() == "No access"
    expect(page.get_by_text("You don't have access to this page.")).to_be_visible()
    assert_accessible(page, "403 page")

    page.goto(f"{live.url}/login")  # signed in already: the help center sends them home
    page.goto(f"{live.url}/agent/login")
    page.locator("input[name=csrf_token]").evaluate("el => el.value = 'forged'")
    page.get_by_label("Email").fill("someone@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("heading", level=1).inner_text() == "That didn't work"
    expect(page.get_by_text("This form has expired or did not come from this site.")).to_be_visible()
    assert_accessible(page, "400 page")


PHONE_SCREENS = {
    "admin": ["/agent/login", "/agent/", "/agent/preferences/security", "/agent/preferences/security/setup/1?new=1",
              "/admin/", "/admin/auth", "/admin/agents", "/admin/plugins", "/admin/security-log"],
    "end-user": ["/login", "/", "/profile", "/profile/2fa", "/profile/2fa/setup/1?new=1"],
}


@pytest.mark.parametrize("role", list(PHONE_SCREENS))
def test_main_screens_fit_a_phone(live, browser, role):
    """Readable on a phone: nothing scrolls sideways, the QR code stays large enough to scan, axe-core passes."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(5000)
    page = context.new_page()
    who = add_person(live.app, role, f"{role}@example.com", "Ada Admin" if role == "admin" else "Eve Customer")
    add_extras(live.app, who)
    sideways = []
    for path in PHONE_SCREENS[role]:
        if path.endswith("login"):
            page.goto(live.url + path)
            live.shot(page, f"phone-{role}{path.replace('/', '-')}")
            sign_in(page, live, who)
            continue
        page.goto(live.url + path)
        name = f"phone-{role}{path.split('?')[0].replace('/', '-')}".rstrip("-")
        live.shot(page, name)
        if page.evaluate("document.documentElement.scrollWidth") > PHONE["width"]:
            sideways.append(path)
        if "setup" in path:
            assert page.locator(".qr").bounding_box()["width"] >= 240, "the QR code is too small to scan"
        assert_accessible(page, f"{path} on a phone")
    context.close()
    assert sideways == [], f"pages that scroll sideways on a phone: {sideways}"
