""""Forgot your password?" in a real browser, with the link read from a real SMTP server (aiosmtpd): the agent asks
for a link, follows it, chooses a new password and still gives the code from their app before they are in. Each
page passes axe-core."""
import re

from playwright.sync_api import expect

from tests.browser.a11y import PASSWORD, add_person, assert_accessible
from tests.browser.helpers import oathtool_code
from tests.conftest import smtp_sink_for

NEW_PASSWORD = "violet kettle harbour"
LINK = re.compile(r"https?://\S+/reset-password/[A-Za-z0-9_-]+")


def test_agent_resets_a_forgotten_password_and_still_gives_the_code(live, page):
    with smtp_sink_for(live.app) as sink:
        who = add_person(live.app, "agent", "sam@example.com", "Sam Agent")
        page.goto(f"{live.url}/agent/login")
        page.get_by_role("link", name="Forgot your password?").click()
        expect(page.get_by_role("heading", name="Forgot your password?")).to_be_visible()
        assert_accessible(page, "forgot password")
        page.get_by_label("Email").fill("nobody@example.com")  # an address without an account first
        page.get_by_role("button", name="Email me a link").click()
        answer = page.get_by_role("status")
        expect(answer).to_contain_text("If an account uses that address, we sent a link to it.")
        unknown_answer = answer.inner_text()
        assert sink.messages == []

        page.goto(f"{live.url}/agent/forgot-password")
        page.get_by_label("Email").fill(who.email)
        page.get_by_role("button", name="Email me a link").click()
        expect(page.get_by_role("status")).to_have_text(unknown_answer)  # the very same answer
        assert_accessible(page, "forgot password, sent")
        live.shot(page, "forgot-password-sent")

        mail = sink.latest(who.email)
        assert mail["Subject"].endswith("Reset your password")
        link = LINK.search(sink.text(mail)).group(0)
        assert link in sink.html(mail) and "/agent/reset-password/" in link

        page.goto(link)
        expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
        assert_accessible(page, "choose a new password")
        page.get_by_label("New password", exact=True).fill("password1234")
        page.get_by_label("Type the new password again").fill("password1234")
        page.get_by_role("button", name="Set new password").click()
        field = page.get_by_label("New password", exact=True)
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(page.get_by_role("alert")).to_contain_text("This is a very common password.")
        assert_accessible(page, "choose a new password, with an error")
        live.shot(page, "reset-password-weak")

        page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
        page.get_by_label("Type the new password again").fill(NEW_PASSWORD)
        page.get_by_role("button", name="Set new password").click()
        expect(page.get_by_role("heading", name="Two-factor authentication")).to_be_visible()  # never skipped
        expect(page.get_by_text("Your new password is set")).to_be_visible()
        page.get_by_label("Code", exact=True).fill(oathtool_code(who.secret, live.clock))
        page.get_by_role("button", name="Verify").click()
        expect(page.get_by_role("heading", name="Welcome, Sam Agent")).to_be_visible()
        assert any(m["Subject"].endswith("Your password was reset") for m in sink.to(who.email))

        page.goto(link)  # used once: spent
        expect(page.get_by_role("heading", name="This link can't be used")).to_be_visible()
        expect(page.get_by_text("This link has already been used")).to_be_visible()
        assert_accessible(page, "a spent reset link")


def test_agent_changes_password_in_preferences_security(live, page):
    with smtp_sink_for(live.app) as sink:
        who = add_person(live.app, "agent", "sam@example.com", "Sam Agent")
        page.goto(f"{live.url}/agent/login")
        page.get_by_label("Email").fill(who.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_label("Code", exact=True).fill(oathtool_code(who.secret, live.clock))
        page.get_by_role("button", name="Verify").click()
        live.clock.advance(30)
        page.goto(f"{live.url}/agent/preferences/security")
        page.get_by_role("link", name="Change password").click()
        assert_accessible(page, "change password")
        page.get_by_label("Current password").fill(PASSWORD)
        page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
        page.get_by_label("Type the new password again").fill(NEW_PASSWORD)
        page.get_by_label("Code from Work phone").fill(oathtool_code(who.secret, live.clock))
        page.get_by_role("button", name="Change password").click()
        expect(page.get_by_text("Your password is changed.")).to_be_visible()
        expect(page.get_by_role("heading", name="Security", exact=True)).to_be_visible()
        assert sink.latest(who.email)["Subject"].endswith("Your password was changed")
