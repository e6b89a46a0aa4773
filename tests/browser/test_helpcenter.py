"""A person uses the help center in a real browser: registers, adds an authentication app (QR read by zbarimg,
code from oathtool) and an email authenticator (code read from a real SMTP server), renames one, signs out,
signs in choosing the other one, and removes one — Avatar > My Profile > Your 2FA, as seed 004 shows it."""
from playwright.sync_api import expect

from tests.browser.helpers import decode_qr, oathtool_code, register, secret_of
from tests.conftest import smtp_sink_for

EMAIL = "eve@example.com"
PASSWORD = "correct horse battery"


def test_end_user_manages_two_authenticators(live, page):
    with smtp_sink_for(live.app) as sink:
        register(page, live.url, sink, "Eve Customer", EMAIL, PASSWORD)  # and follow the link in the email
        expect(page.get_by_role("heading", name="How can we help?")).to_be_visible()

        # Avatar > My Profile > Your 2FA
        page.locator(".avatar-menu summary").click()
        page.locator(".avatar-menu").get_by_role("link", name="My Profile", exact=True).click()
        page.get_by_role("navigation", name="My Profile").get_by_role("link", name="Your 2FA").click()
        expect(page.get_by_role("heading", name="Your 2FA", exact=True)).to_be_visible()
        live.shot(page, "helpcenter-your-2fa-empty")

        # Set up authentication app: scan the QR code (or the Setup Key), name it, Submit Code and Create
        page.get_by_role("link", name="Set up authentication app").click()
        uri = decode_qr(page.locator(".qr"), f"{live.shot(page, 'helpcenter-setup-app')[:-4]}-qr.png")
        secret = secret_of(uri)
        assert uri.startswith(f"otpauth://totp/") and "eve%40example.com" in uri.replace("@", "%40")
        assert page.locator("#setup-key").inner_text().replace(" ", "") == secret
        page.get_by_label("Authenticator Name").fill("Phone")
        page.get_by_label("Verification code").fill(oathtool_code(secret, live.clock))
        page.get_by_role("button", name="Submit Code and Create").click()
        expect(page.get_by_text("Your 2FA is set up: “Phone” will be asked for when you sign in.")).to_be_visible()
        page.get_by_role("button", name="I've saved my codes").click()  # the first one comes with recovery codes

        # Set up email authentication: Send Verification Code, the code from the email, Submit Code and Create
        live.clock.advance(30)
        page.get_by_role("link", name="Set up email authentication").click()
        assert page.get_by_label("Email address").input_value() == EMAIL
        page.get_by_label("Authenticator Name").fill("My email")
        page.get_by_role("button", name="Send Verification Code").click()
        expect(page.get_by_text(f"We sent a verification code to {EMAIL}.")).to_be_visible()
        page.get_by_label("Verification code").fill(sink.latest_code(EMAIL))
        page.get_by_role("button", name="Submit Code and Create").click()
        expect(page.get_by_text("Your 2FA is set up: “My email” is added.")).to_be_visible()
        rows = page.locator("table.authenticators tbody tr")
        assert rows.count() == 2
        assert "Authentication App" in rows.nth(0).inner_text() and "Email Authentication" in rows.nth(1).inner_text()

        # Edit: rename
        page.get_by_role("link", name="Edit My email").click()
        page.get_by_label("Authenticator Name").fill("Inbox")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_text("Renamed to “Inbox”.")).to_be_visible()
        live.shot(page, "helpcenter-your-2fa")

        # Sign out, sign in choosing the other authenticator
        page.locator(".avatar-menu summary").click()
        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_text("You have signed out.")).to_be_visible()
        live.clock.advance(60)
        page.get_by_label("Email").fill(EMAIL)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_text("with Phone")).to_be_visible()
        page.get_by_text("Use another authenticator").click()
        page.get_by_role("link", name="Inbox").click()
        page.get_by_role("button", name="Email me a code").click()
        expect(page.get_by_text(f"We sent a code to {EMAIL}.")).to_be_visible()
        live.shot(page, "helpcenter-challenge-email")
        page.get_by_label("Code").fill(sink.latest_code(EMAIL))
        page.get_by_role("button", name="Verify").click()
        expect(page.get_by_role("heading", name="How can we help?")).to_be_visible()

        # Remove the app authenticator: Edit > Remove, confirm
        page.goto(f"{live.url}/profile/2fa")
        page.get_by_role("link", name="Edit Phone").click()
        page.get_by_role("link", name="Remove Phone").click()
        page.get_by_label("Yes, remove this authenticator").check()
        page.get_by_role("button", name="Remove", exact=True).click()
        expect(page.get_by_text("“Phone” was removed. It can no longer be used to sign in.")).to_be_visible()
        rows = page.locator("table.authenticators tbody tr")
        assert rows.count() == 1 and "Inbox" in rows.nth(0).inner_text()
        assert "Default" in rows.nth(0).inner_text()


def test_avatar_menu_works_without_javascript(live, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        with smtp_sink_for(live.app) as sink:
            register(page, live.url, sink, "Eve Customer", EMAIL, PASSWORD)  # and follow the link in the email
            menu = page.locator(".avatar-menu")
            expect(menu.get_by_role("link", name="Your 2FA")).not_to_be_visible()
            menu.locator("summary").click()
            menu.get_by_role("link", name="Your 2FA").click()
            expect(page.get_by_role("heading", name="Your 2FA", exact=True)).to_be_visible()
            page.get_by_role("link", name="Set up authentication app").click()
            expect(page.locator(".qr svg").is_visible() and page.get_by_text("Setup Key", exact=True)).to_be_visible()
    finally:
        context.close()
