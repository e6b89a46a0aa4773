"""An admin switches on "Require agents to set up 2FA" in a real browser; an agent then signs in and completes the
forced setup in the pop-up over the console (seed 003), reading the QR code with zbarimg and typing a code from
oathtool."""
from playwright.sync_api import expect

from tests.admin.conftest import PASSWORD, add_account, give_app
from tests.browser.helpers import decode_qr, oathtool_code, secret_of, sign_in


def test_admin_requires_2fa_and_an_agent_completes_the_forced_setup_in_the_pop_up(live, browser):
    ada_id = add_account(live.app, "ada@example.com", "admin", "Ada Admin")
    ada_secret = give_app(live.app, ada_id)
    add_account(live.app, "nat@example.com", "agent", "Nat Newcomer")

    admin_context = browser.new_context()
    admin = admin_context.new_page()
    sign_in(admin, live.url, "ada@example.com", PASSWORD)
    admin.get_by_label("Code", exact=True).fill(oathtool_code(ada_secret, live.clock))
    admin.get_by_role("button", name="Verify").click()
    admin.get_by_role("link", name="Admin", exact=True).click()
    admin.get_by_role("link", name="Auth & SSO").first.click()
    expect(admin.get_by_role("heading", name="Two-Factor Authentication › Manage")).to_be_visible()
    admin.get_by_label("Require agents to set up 2FA").check()
    admin.get_by_role("button", name="Save changes").click()
    expect(admin.get_by_text("Saved: Require agents to set up 2FA on.")).to_be_visible()
    expect(admin.get_by_label("Require agents to set up 2FA")).to_be_checked()
    live.shot(admin, "admin-auth-sso")
    admin_context.close()

    context = browser.new_context()
    page = context.new_page()
    sign_in(page, live.url, "nat@example.com", PASSWORD)
    popup = page.get_by_role("dialog", name="Set up two-factor authentication")
    expect(popup).to_be_visible()
    # A real modal dialog over the console, once the page's script has turned the step into one (the step is a
    # plain role=dialog section until then, so wait for it rather than look at once).
    expect(page.locator("dialog[open]")).to_have_count(1)
    behind = page.get_by_text("Agent console — it opens as soon as two-factor authentication is set up.")
    expect(behind).to_be_attached()
    expect(popup.get_by_role("button", name="Skip for now")).to_have_count(0)  # no grace period
    page.keyboard.press("Escape")
    expect(popup).to_be_visible()  # a mandatory step can't be dismissed
    live.shot(page, "agent-forced-setup-pop-up")

    secret = secret_of(decode_qr(popup.locator(".qr"), f"{live.shot(page, 'agent-forced-setup')[:-4]}-qr.png"))
    assert popup.locator("#setup-key").inner_text().replace(" ", "") == secret
    popup.get_by_label("Verification code").fill(oathtool_code(secret, live.clock))
    popup.get_by_role("button", name="Verify and finish setup").click()
    expect(page.locator("dialog[open]")).to_have_count(0)
    page.goto(f"{live.url}/agent/")
    expect(page.get_by_role("heading", name="Welcome, Nat Newcomer")).to_be_visible()
    expect(page.get_by_text("On — 1 method")).to_be_visible()
    context.close()
