"""Issue 22 in a real browser: the mandatory setup pop-up fits a 1280×800 screen with "Skip for now" and "Sign out"
in view, the challenge offers "Use a different account", and the pages follow the system's dark mode, axe-clean."""
from datetime import timedelta

from playwright.sync_api import expect

from tests.browser.a11y import add_extras, add_person, assert_accessible, enter_password, set_policy, sign_in
from tests.browser.helpers import decode_qr, secret_of

DESKTOP = {"width": 1280, "height": 800}


def require_agents_with_grace(live):
    set_policy(live.app, require_agents_2fa=True,
               grace_until=(live.clock.now() + timedelta(days=7)).isoformat())


def test_the_whole_setup_pop_up_fits_1280_by_800_and_has_a_way_out(live, browser):
    require_agents_with_grace(live)
    nat = add_person(live.app, "agent", "nat@example.com", "Nat New", with_app=False)
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    enter_password(page, live.url, nat)
    expect(page.locator("dialog[open]")).to_have_count(1)
    popup = page.get_by_role("dialog", name="Set up two-factor authentication")
    live.shot(page, "setup-pop-up-1280x800")
    for control in (popup.get_by_label("Verification code"), popup.get_by_role("button", name="Verify and finish setup"),
                    popup.get_by_role("button", name="Skip for now"), popup.get_by_role("button", name="Sign out"),
                    popup.locator(".qr")):
        box = control.bounding_box()
        assert box and 0 <= box["y"] and box["y"] + box["height"] <= DESKTOP["height"], (control, box)
    assert page.evaluate("(() => { const d = document.querySelector('dialog[open]'); "
                         "return d.scrollHeight <= d.clientHeight; })()"), "the pop-up scrolls"
    link = popup.get_by_role("link", name="Open in your authenticator app")
    uri = decode_qr(popup.locator(".qr"), f"{live.shot(page, 'setup-pop-up-qr')[:-4]}-qr.png")
    assert link.get_attribute("href") == uri and secret_of(uri)

    popup.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out. Sign in with the account you want to use.")).to_be_visible()
    expect(page.get_by_role("heading", name="Sign in to the Agent console")).to_be_visible()
    context.close()


def test_use_a_different_account_from_the_challenge(live, page):
    sam = add_person(live.app, "agent", "sam@example.com", "Sam Agent")
    enter_password(page, live.url, sam)
    page.get_by_role("button", name="Use a different account").click()
    expect(page.get_by_role("heading", name="Sign in to the Agent console")).to_be_visible()
    expect(page.get_by_label("Email")).to_have_value("")
    sign_in(page, live, sam)  # and the person still signs in as before


def test_dark_mode_follows_the_system_and_stays_axe_clean(live, browser):
    require_agents_with_grace(live)
    ada = add_person(live.app, "admin", "ada@example.com", "Ada Admin")
    add_extras(live.app, ada)
    nat = add_person(live.app, "agent", "nat@example.com", "Nat New", with_app=False)
    context = browser.new_context(viewport=DESKTOP, color_scheme="dark")
    page = context.new_page()
    page.goto(f"{live.url}/agent/login")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(17, 24, 39)", background  # the dark palette, not the light one
    assert_accessible(page, "sign-in page, dark")
    enter_password(page, live.url, nat)
    expect(page.locator("dialog[open]")).to_have_count(1)
    assert_accessible(page, "setup pop-up, dark")
    live.shot(page, "setup-pop-up-dark")
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, live, ada)
    for path in ("/agent/", "/agent/preferences/security", "/admin/", "/admin/auth", "/admin/agents",
                 "/admin/security-log"):
        page.goto(f"{live.url}{path}")
        assert_accessible(page, f"{path}, dark")
    context.close()


def test_dark_mode_help_center_and_security_pages_stay_axe_clean(live, browser):
    eve = add_person(live.app, "end-user", "eve@example.com", "Eve Customer")
    add_extras(live.app, eve)
    sam = add_person(live.app, "agent", "sam@example.com", "Sam Agent")
    add_extras(live.app, sam)
    context = browser.new_context(viewport=DESKTOP, color_scheme="dark")
    page = context.new_page()
    for who, paths in ((eve, ["/", "/profile", "/profile/2fa", "/profile/2fa/setup/1?new=1", "/security/activity"]),
                       (sam, ["/agent/preferences/security/setup/1?new=1", "/agent/security/recovery-codes",
                              "/agent/preferences/security/1/edit"])):
        sign_in(page, live, who)
        for path in paths:
            page.goto(f"{live.url}{path}")
            assert_accessible(page, f"{path}, dark")
        page.context.clear_cookies()
    context.close()
