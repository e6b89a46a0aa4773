"""Registering in a real browser: the form, "Check your email", the link read from a real SMTP server, "Activate
my account", signed in (or on to the mandatory setup); a link used twice or too late says why; every one of these
screens passes axe-core."""
import re

from playwright.sync_api import expect

from portal.extensions import db
from portal.models import User
from tests.browser.a11y import assert_accessible, set_policy
from tests.conftest import smtp_sink_for

EMAIL = "eve@example.com"
PASSWORD = "correct horse battery"
LINK = re.compile(r"https?://\S+/register/activate/[A-Za-z0-9_-]+")


def fill_in(page, base, name="Eve Customer", email=EMAIL, password=PASSWORD):
    page.goto(f"{base}/register")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Create account").click()


def accounts(app) -> list[str]:
    with app.app_context():
        return db.session.scalars(db.select(User.email)).all()


def test_register_follow_the_link_and_be_signed_in(live, page):
    with smtp_sink_for(live.app) as sink:
        page.goto(f"{live.url}/")
        page.get_by_role("link", name="Create an account").click()
        expect(page.get_by_role("heading", name="Create your Help Center account")).to_be_visible()
        fill_in(page, live.url)
        expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
        expect(page.get_by_role("status")).to_have_text(f"We've sent an email to {EMAIL}.")
        assert_accessible(page, "check your email")
        live.shot(page, "register-check-your-email")
        assert accounts(live.app) == []  # nothing usable before the link is followed

        mail = sink.latest(EMAIL)
        assert mail["Subject"] == "[Helpdesk] Confirm your email address"
        link = LINK.search(sink.text(mail)).group(0)
        assert link.startswith(live.url)
        page.goto(link)
        expect(page.get_by_role("heading", name="Activate your account")).to_be_visible()
        assert_accessible(page, "activate your account")
        live.shot(page, "register-activate")
        page.get_by_role("button", name="Activate my account").click()

        expect(page.get_by_role("heading", name="How can we help?")).to_be_visible()
        expect(page.get_by_role("status")).to_have_text("Your email address is confirmed and your account is ready.")
        expect(page.get_by_text(f"You are signed in as {EMAIL}.")).to_be_visible()
        assert accounts(live.app) == [EMAIL]

        # The same link again (say, from another tab) says it was used, and how to go on.
        page.goto(link)
        expect(page.get_by_role("heading", name="This link can't be used")).to_be_visible()
        expect(page.get_by_role("alert")).to_contain_text("This link has already been used.")
        assert_accessible(page, "a used link")
        live.shot(page, "register-link-used")


def test_mandatory_2fa_setup_follows_the_link_when_required(live, page):
    set_policy(live.app, require_end_users_2fa=True, grace_until="2026-04-01T00:00:00")
    with smtp_sink_for(live.app) as sink:
        fill_in(page, live.url)
        expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
        page.goto(LINK.search(sink.text(sink.latest(EMAIL))).group(0))
        page.get_by_role("button", name="Activate my account").click()
        expect(page.get_by_role("dialog", name="Set up two-factor authentication")).to_be_visible()
        assert "/login/setup" in page.url


def test_a_link_too_late_and_a_name_on_two_lines(live, page):
    with smtp_sink_for(live.app) as sink:
        # A name with a control character in it: the message is on the name field, nothing typed is lost.
        fill_in(page, live.url, name="Eve\u0007Customer")
        name = page.get_by_label("Your name")
        expect(name).to_have_accessible_description(
            "Error: Names must be one line, without control characters.")
        assert page.get_by_label("Email").input_value() == EMAIL
        assert_accessible(page, "registration with an error")

        fill_in(page, live.url)
        link = LINK.search(sink.text(sink.latest(EMAIL))).group(0)
        live.clock.advance(24 * 3600)
        page.goto(link)
        expect(page.get_by_role("alert")).to_contain_text("This link has expired: links work for 24 hours.")
        assert_accessible(page, "an expired link")
        page.get_by_role("link", name="Register").last.click()
        expect(page.get_by_role("heading", name="Create your Help Center account")).to_be_visible()
        assert accounts(live.app) == []
