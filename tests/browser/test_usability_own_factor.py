"""Issue 22 in a real browser: an agent removes one of their own authenticators in Preferences › Security (the same
pages as the help center's Your 2FA); the confirmation's error is said once."""
from playwright.sync_api import expect

from tests.browser.a11y import add_extras, add_person, assert_accessible, sign_in


def test_an_agent_removes_their_own_authenticator(live, page):
    sam = add_person(live.app, "agent", "sam@example.com", "Sam Agent")
    add_extras(live.app, sam)  # a second one, "Work email", and recovery codes
    sign_in(page, live, sam)
    page.goto(f"{live.url}/agent/preferences/security")
    page.get_by_role("link", name="Edit Work email").click()
    page.get_by_role("link", name="Remove").click()
    expect(page.get_by_role("heading", name="Remove “Work email”?")).to_be_visible()
    page.get_by_role("button", name="Remove").click()  # not ticked
    expect(page.get_by_text("Tick the box to confirm you want to remove it.")).to_have_count(1)
    assert_accessible(page, "Remove with its error")
    page.get_by_label("Yes, remove this authenticator").check()
    page.get_by_role("button", name="Remove").click()
    expect(page.get_by_text("“Work email” was removed. It can no longer be used to sign in.")).to_be_visible()
    expect(page.get_by_role("link", name="Edit Work email")).to_have_count(0)
    expect(page.get_by_role("link", name="Edit Work phone")).to_be_visible()
