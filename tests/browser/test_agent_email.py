"""An agent sets up email authentication and completes the email challenge in a real browser, with the code
read from a real SMTP server (aiosmtpd)."""
from playwright.sync_api import expect

from tests.browser.helpers import sign_in
from tests.conftest import Person, smtp_sink_for

EMAIL, PASSWORD = "agent@example.com", "correct horse battery"


def test_agent_sets_up_email_then_signs_in_with_an_emailed_code(live, page):
    with smtp_sink_for(live.app) as sink:
        Person(live.app, None, live.clock).create(email=EMAIL, password=PASSWORD)
        sign_in(page, live.url, EMAIL, PASSWORD)
        page.get_by_role("link", name="Preferences > Security", exact=True).click()
        page.get_by_role("link", name="Set up Email").click()
        address = page.get_by_label("Email address")
        assert address.input_value() == EMAIL and not address.is_editable()
        page.get_by_label("Authenticator name").fill("Work email")
        page.get_by_role("button", name="Send Verification Code").click()
        expect(page.get_by_text("We sent a verification code to agent@example.com.")).to_be_visible()
        assert page.get_by_label("Authenticator name").input_value() == "Work email"
        live.shot(page, "agent-email-setup")
        page.get_by_label("Verification code").fill(sink.latest_code(EMAIL))
        page.get_by_label("Verification code").press("Enter")  # Enter creates; it does not send another code
        page.wait_for_url(lambda url: "/setup/" not in url)
        assert len(sink.to(EMAIL)) == 2 and sink.latest(EMAIL)["Subject"].endswith("was added to your account")
        page.goto(f"{live.url}/agent/preferences/security")
        expect(page.get_by_text("Work email").first).to_be_visible()
        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_text("You have signed out.")).to_be_visible()

        live.clock.advance(61)
        sign_in(page, live.url, EMAIL, PASSWORD)
        page.get_by_role("button", name="Email me a code").click()
        expect(page.get_by_text("We sent a code to agent@example.com. It is valid for 10 minutes.")).to_be_visible()
        live.shot(page, "agent-email-challenge")
        page.get_by_label("Code", exact=True).fill(sink.latest_code(EMAIL))
        page.get_by_role("button", name="Verify").click()
        expect(page.get_by_role("heading", name="Welcome, Sam Agent")).to_be_visible()
