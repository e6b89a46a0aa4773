"""An agent sets up an authenticator app in Preferences > Security in a real browser, the way a phone would."""
from playwright.sync_api import expect

from tests.browser.helpers import decode_qr, oathtool_code, secret_of, sign_in
from tests.conftest import Person


def test_agent_sets_up_app_then_signs_in_with_fresh_code(live, page):
    Person(live.app, None, live.clock).create(email="agent@example.com", password="correct horse battery")
    sign_in(page, live.url, "agent@example.com", "correct horse battery")
    page.get_by_role("link", name="Preferences > Security", exact=True).click()
    page.get_by_role("link", name="Set up Authenticator").click()
    uri = decode_qr(page.locator(".qr"), f"{live.shot(page, 'agent-setup')[:-4]}-qr.png")
    assert uri.startswith("otpauth://totp/") and "issuer=" in uri
    secret = secret_of(uri)
    assert page.locator("#setup-key").inner_text().replace(" ", "") == secret  # the key in groups of four
    page.get_by_label("Verification code").fill(oathtool_code(secret, live.clock))
    page.get_by_role("button", name="Verify and finish setup").click()
    expect(page.get_by_text("Setup complete")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()

    live.clock.advance(30)  # a fresh code: the next time step
    sign_in(page, live.url, "agent@example.com", "correct horse battery")
    expect(page.get_by_text("Enter the code from your authenticator app")).to_be_visible()
    live.shot(page, "agent-challenge")
    page.get_by_label("Code").fill(oathtool_code(secret, live.clock))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name="Welcome, Sam Agent")).to_be_visible()
    live.shot(page, "agent-dashboard")
