"""The accessibility crawl once more in German: the signed-out pages with a German browser, and an end user, an
agent and an admin who chose German in their profile. Every page is axe-clean, says lang="de", answers without an
error and loads nothing from elsewhere (test_accessibility.py crawls every page in English and checks coverage)."""
from tests.browser.a11y import add_extras, add_person, sign_in
from tests.browser.test_accessibility import Journeys


class GermanJourneys(Journeys):
    def __init__(self, live, browser):
        super().__init__(live, browser)
        self.languages = {}

    def open(self, who: str, locale: str | None = None):
        if locale is None:
            return super().open(who)
        context = self.browser.new_context(locale=locale)
        context.set_default_timeout(5000)
        context.on("request", lambda r: r.url.startswith((self.live.url, "data:")) or self.outside.append(r.url))
        self.contexts[who] = context
        return context.new_page()

    def visit(self, who, page, url, only_new=False):
        links = super().visit(who, page, url, only_new)
        self.languages[f"{who} {page.url}"] = page.evaluate("document.documentElement.lang")
        return links


def test_every_page_in_german(live, browser):
    from portal.extensions import db
    from portal.models import User
    people = {
        "end-user": add_person(live.app, "end-user", "eve@example.com", "Eve Kundin"),
        "agent": add_person(live.app, "agent", "sam@example.com", "Sam Agent"),
        "admin": add_person(live.app, "admin", "ada@example.com", "Ada Admin"),
    }
    with live.app.app_context():
        for who in people.values():
            add_extras(live.app, who)
            db.session.scalar(db.select(User).where(User.email == who.email)).language = "de"
        db.session.commit()
    journeys = GermanJourneys(live, browser)
    try:
        journeys.crawl("anonymous", journeys.open("anonymous", locale="de-DE"), ["/", "/login", "/agent/login",
                                                                                 "/register"])
        for role, start in [("end-user", ["/"]), ("agent", ["/agent/"]), ("admin", ["/agent/", "/admin/"])]:
            page = journeys.open(role)  # an English browser: the profile's German wins once signed in
            sign_in(page, live, people[role])
            journeys.crawl(role, page, start)
    finally:
        journeys.close()

    assert len(journeys.languages) > 40, "the crawl found too few pages"
    problems = [f"axe-core, {where}: {found}" for where, found in journeys.violations.items()]
    problems += [f"a link leads to an error: {where} -> {status}" for where, status in journeys.bad_status.items()]
    problems += [f"a request left the portal: {url}" for url in journeys.outside]
    problems += [f"not in German: {where} (lang={lang!r})" for where, lang in journeys.languages.items()
                 if lang != "de"]
    assert problems == [], "\n".join(problems)
