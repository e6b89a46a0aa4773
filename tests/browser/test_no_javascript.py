"""Every flow works with JavaScript switched off: the same keyboard runs as test_keyboard.py, in a browser
context with java_script_enabled=False. JavaScript only improves (copy buttons, focusing the code field)."""
import pytest
from playwright.sync_api import expect

from tests.browser.a11y import PASSWORD, add_person, set_policy
from tests.browser.keyboard import agent_mandatory_setup, agent_sets_up_app_in_preferences, expect_focus, \
    helpcenter_sets_up_app, press, sign_in_by_keyboard, sign_out_and_in_again
from tests.browser.test_keyboard import authenticators


@pytest.fixture
def no_js_page(browser):
    context = browser.new_context(java_script_enabled=False)
    context.set_default_timeout(5000)
    yield context.new_page()
    context.close()


def test_agent_sets_up_an_app_in_preferences_without_javascript(live, no_js_page):
    page = no_js_page
    who = add_person(live.app, "agent", "sam@example.com", "Sam Agent", with_app=False)
    secret = agent_sets_up_app_in_preferences(page, live, who, js=False)
    assert authenticators(live.app, who.email) == [("totp", "Authenticator app", True)]
    sign_out_and_in_again(page, live, who, "/agent", secret)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Sam Agent")


def test_agent_mandatory_setup_without_javascript(live, no_js_page):
    page = no_js_page
    who = add_person(live.app, "agent", "nat@example.com", "Nat Newcomer", with_app=False)
    set_policy(live.app, require_agents_2fa=True)
    secret = agent_mandatory_setup(page, live, who, js=False)
    assert [m for m, _, default in authenticators(live.app, who.email) if default] == ["totp"]
    sign_out_and_in_again(page, live, who, "/agent", secret)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Nat Newcomer")


def test_skipping_the_mandatory_setup_during_the_grace_period_without_javascript(live, no_js_page):
    page = no_js_page
    who = add_person(live.app, "agent", "nat@example.com", "Nat Newcomer", with_app=False)
    set_policy(live.app, require_agents_2fa=True, grace_until="2026-04-01T00:00:00")
    sign_in_by_keyboard(page, live.url, "/agent", who.email, PASSWORD)
    expect(page.get_by_text("You can skip this until 1 Apr 2026, 00:00 UTC.")).to_be_visible()
    press(page, 'button "Skip for now"')
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Nat Newcomer")
    assert authenticators(live.app, who.email) == []


def test_end_user_sets_up_an_app_in_your_2fa_without_javascript(live, no_js_page):
    page = no_js_page
    who = add_person(live.app, "end-user", "eve@example.com", "Eve Customer", with_app=False)
    secret = helpcenter_sets_up_app(page, live, who, js=False)
    assert authenticators(live.app, who.email) == [("totp", "My phone", True)]
    sign_out_and_in_again(page, live, who, "", secret, avatar=True)
    expect(page.get_by_role("heading", level=1)).to_have_text("How can we help?")


def test_a_wrong_code_is_explained_without_javascript(live, no_js_page):
    page = no_js_page
    who = add_person(live.app, "agent", "sam@example.com", "Sam Agent")
    sign_in_by_keyboard(page, live.url, "/agent", who.email, PASSWORD)
    expect_focus(page, 'textbox "Code"')  # the autofocus attribute needs no script
    page.keyboard.type("12 34")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_be_focused()  # the error summary is read out first
    expect(page.get_by_role("alert")).to_contain_text("That code isn't right. Check the code in your app and try again.")
    expect(page.get_by_label("Code", exact=True)).to_have_accessible_description(
        "Enter the code from your authenticator app. Error: That code isn't right. Check the code in your app "
        "and try again.")


def test_admin_picks_the_grace_period_timezone_by_keyboard_without_javascript(live, no_js_page):
    """The timezone picker is a plain labelled <select> of IANA names: Tab to it, type the start of the name
    (the browser jumps to it), save."""
    page = no_js_page
    who = add_person(live.app, "admin", "ada@example.com", "Ada Admin")
    sign_in_by_keyboard(page, live.url, "/agent", who.email, PASSWORD)
    expect_focus(page, 'textbox "Code"')
    page.keyboard.type(who.code(live.clock))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Ada Admin")
    page.goto(f"{live.url}/admin/auth")
    page.get_by_label("Require agents to set up 2FA").check()
    page.get_by_label("Grace Period", exact=True).fill("2026-03-10T12:00")
    page.get_by_label("Grace Period", exact=True).focus()
    for _ in range(10):  # Tab goes through the date field's own parts (month, day, year, hour, ...) first
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "grace_timezone":
            break
    expect_focus(page, 'combobox "Timezone of the Grace Period"')
    expect(page.get_by_label("Timezone of the Grace Period")).to_have_accessible_description(
        "The timezone the Grace Period is entered in, by its IANA name: Region/City, like America/New_York (type "
        "the first letters to jump to it). It is stored in UTC.")
    page.keyboard.type("America/New_")
    expect(page.get_by_label("Timezone of the Grace Period")).to_have_value("America/New_York")
    press(page, 'button "Save changes"')
    expect(page.get_by_text("The grace period ends on Tuesday, 10 March 2026 at 12:00 (America/New_York), which is "
                            "16:00 UTC on Tuesday, 10 March 2026.")).to_be_visible()
    expect(page.get_by_label("Timezone of the Grace Period")).to_have_value("America/New_York")
