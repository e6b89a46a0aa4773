"""Driving the portal with the keyboard alone: Tab, Shift+Tab, Enter, Space and typing; never the mouse.

Where focus is, and what it is called, is read from the browser's accessibility tree (what a screen reader
announces): `focused(page)` gives e.g. 'link "Preferences > Security"' or 'textbox "Verification code"'.
"""
import re

MAX_STOPS = 60


def focused(page) -> str:
    """Role and accessible name of the element that has focus ('' when nothing on the page has it)."""
    if page.evaluate("!document.activeElement || document.activeElement === document.body"):
        return ""
    if page.evaluate("document.activeElement.tagName") == "SUMMARY":  # a disclosure (the avatar menu)
        name = page.evaluate("""() => { const c = document.activeElement.cloneNode(true);
            c.querySelectorAll('[aria-hidden=true]').forEach(e => e.remove());
            return c.textContent.replace(/\\s+/g, ' ').trim(); }""")
        return f'disclosure "{name}"'
    first = page.locator(":focus").aria_snapshot().splitlines()[0]
    # A filled textbox reads 'textbox "Name": what it holds': the stop is the field, whatever it holds.
    return re.sub(r'^(\w+ "[^"]*"):.*$|:$', r"\1", first.removeprefix("- "))


def expect_focus(page, wanted: str) -> None:
    """Wait (briefly, as Playwright's expect does) until `wanted` has focus: autofocus and portal.js act just
    after the page loads. `wanted` is 'role "name"', or '' for nothing focused."""
    from playwright.sync_api import expect
    if not wanted:
        assert focused(page) == "", f"{focused(page)} has focus"
        return
    role, name = re.fullmatch(r'(\w+) "(.*)"', wanted).groups()
    expect(page.get_by_role(role, name=name, exact=True)).to_be_focused()


def tab_to(page, wanted: str, backwards: bool = False) -> list[str]:
    """Press Tab (or Shift+Tab) until the focused element is `wanted` (role and name, e.g. 'button "Verify"');
    return every stop on the way, so a test can check the order."""
    stops = []
    for _ in range(MAX_STOPS):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        stops.append(focused(page))
        if stops[-1] == wanted:
            return stops
    raise AssertionError(f"{wanted} never got focus; Tab went through {stops}")


def type_into(page, wanted: str, text: str) -> None:
    """Reach the field by Tab unless it already has focus, then type as a person would."""
    if focused(page) != wanted:
        tab_to(page, wanted)
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(text)


def press(page, wanted: str, key: str = "Enter") -> None:
    """Tab to a link or button and activate it."""
    if focused(page) != wanted:
        tab_to(page, wanted)
    with page.expect_navigation():
        page.keyboard.press(key)


def sign_in_by_keyboard(page, base: str, area: str, email: str, password: str) -> None:
    page.goto(f"{base}{area}/login")  # typed into the address bar
    expect_focus(page, 'textbox "Email"')  # the sign-in page starts in the email field
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    assert focused(page) == 'textbox "Password"'
    page.keyboard.type(password)
    with page.expect_navigation():
        page.keyboard.press("Enter")


# --- The flows, run with JavaScript on (test_keyboard.py) and off (test_no_javascript.py) ---------------------

def agent_sets_up_app_in_preferences(page, live, who, js: bool) -> str:
    """Preferences > Security > Set up Authenticator app, by keyboard; returns the secret the phone read."""
    from playwright.sync_api import expect

    from tests.browser.a11y import PASSWORD
    from tests.browser.helpers import decode_qr, secret_of

    sign_in_by_keyboard(page, live.url, "/agent", who.email, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {who.name}")
    stops = tab_to(page, 'link "Preferences > Security"')
    assert stops[:2] == ['link "Skip to main content"', 'link "Helpdesk Agent console"'], stops
    press(page, 'link "Preferences > Security"')
    press(page, 'link "Set up Authenticator app"')
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up Authenticator app")
    secret = secret_of(decode_qr(page.locator(".qr"), f"{live.shot(page, f'keyboard-agent-setup-js-{js}')[:-4]}-qr.png"))
    if js:
        expect_focus(page, 'textbox "Verification code"')  # portal.js puts the cursor in the code field
        tab_to(page, 'button "Copy key"', backwards=True)
        page.keyboard.press("Enter")
        expect(page.locator(".copy-status")).to_have_text("Key copied. Paste it into your authenticator app.")
        assert page.evaluate("navigator.clipboard.readText()") == secret
    else:
        assert focused(page) == "", "without JavaScript nothing moves the focus"
        assert page.get_by_role("button", name="Copy key").count() == 0
    type_into(page, 'textbox "Verification code"', code_now(live, secret))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    leave_recovery_codes(page, js)
    expect(page.get_by_role("heading", level=1)).to_have_text("Security")
    expect(page.locator(".authenticator")).to_contain_text("Authenticator app Default 2FA method")
    return secret


def leave_recovery_codes(page, js: bool) -> None:
    """After the first authenticator the recovery codes are shown once; the person saves them and goes on."""
    from tests.browser.a11y import assert_accessible
    if "recovery-codes" in page.url:
        if js:  # the only time this page shows the codes: check it here
            assert_accessible(page, "the new recovery codes")
        press(page, 'button "I\'ve saved my codes"')


def code_now(live, secret: str) -> str:
    """What the phone shows at the portal's (test-controlled) time; oathtool is the independent implementation."""
    from tests.browser.helpers import oathtool_code
    return oathtool_code(secret, live.clock)


def agent_mandatory_setup(page, live, who, js: bool) -> str:
    """The set-up step right after the password (seed 003's pop-up with a large QR code), by keyboard."""
    from playwright.sync_api import expect

    from tests.browser.a11y import PASSWORD
    from tests.browser.helpers import decode_qr, secret_of

    sign_in_by_keyboard(page, live.url, "/agent", who.email, PASSWORD)
    expect(page.get_by_role("dialog", name="Set up two-factor authentication")).to_be_visible()
    secret = secret_of(decode_qr(page.locator(".qr"), f"{live.shot(page, f'keyboard-mandatory-js-{js}')[:-4]}-qr.png"))
    expect_focus(page, 'textbox "Verification code"' if js else "")
    type_into(page, 'textbox "Verification code"', code_now(live, secret))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    leave_recovery_codes(page, js)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {who.name}")
    return secret


def helpcenter_sets_up_app(page, live, who, js: bool) -> str:
    """Avatar > My Profile > Your 2FA > Set up authentication app (seed 004), by keyboard."""
    from playwright.sync_api import expect

    from tests.browser.a11y import PASSWORD
    from tests.browser.helpers import decode_qr, secret_of

    sign_in_by_keyboard(page, live.url, "", who.email, PASSWORD)
    avatar = f'disclosure "{who.name} — account menu"'
    stops = tab_to(page, avatar)
    assert stops[:2] == ['link "Skip to main content"', 'link "Help Center"'], stops
    page.keyboard.press("Enter")  # opens the menu
    press(page, 'link "My Profile"')
    expect(page.get_by_role("heading", level=1)).to_have_text("My Profile")
    press(page, 'link "Your 2FA"')
    expect(page.get_by_role("heading", level=1)).to_have_text("Your 2FA")
    press(page, 'link "Set up authentication app"')
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up authentication app")
    secret = secret_of(decode_qr(page.locator(".qr"), f"{live.shot(page, f'keyboard-helpcenter-setup-js-{js}')[:-4]}-qr.png"))
    if not js:
        assert page.get_by_role("button", name="Copy key").count() == 0
    type_into(page, 'textbox "Authenticator Name"', "My phone")
    type_into(page, 'textbox "Verification code"', code_now(live, secret))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    leave_recovery_codes(page, js)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your 2FA")
    expect(page.get_by_role("row", name=re.compile("My phone"))).to_be_visible()
    return secret


def sign_out_and_in_again(page, live, who, area: str, secret: str, avatar: bool = False) -> None:
    """Sign out, then sign in with a fresh code from the app: the new authenticator is what is asked for."""
    from playwright.sync_api import expect

    from tests.browser.a11y import PASSWORD

    if avatar:
        tab_to(page, f'disclosure "{who.name} — account menu"')
        page.keyboard.press("Enter")
    press(page, 'button "Sign out"')
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    live.clock.advance(30)  # the next code: a code is never accepted twice
    sign_in_by_keyboard(page, live.url, area, who.email, PASSWORD)
    expect_focus(page, 'textbox "Code"')  # the code field has the cursor, with or without JavaScript
    page.keyboard.type(code_now(live, secret))
    with page.expect_navigation():
        page.keyboard.press("Enter")
