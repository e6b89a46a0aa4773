"""Issue 22 in a real browser: after "Skip for now" a banner on every page says until when 2FA can wait, and leads
to the setup; once set up, it is gone."""
from datetime import timedelta

from playwright.sync_api import expect

from tests.browser.a11y import add_person, assert_accessible, enter_password, set_policy
from tests.browser.helpers import oathtool_code


def test_the_grace_banner_follows_a_person_who_skipped_until_they_set_up(live, page):
    set_policy(live.app, require_agents_2fa=True, grace_until=(live.clock.now() + timedelta(days=7)).isoformat())
    nat = add_person(live.app, "agent", "nat@example.com", "Nat New", with_app=False)
    enter_password(page, live.url, nat)
    page.get_by_role("button", name="Skip for now").click()
    banner = page.get_by_role("status").filter(has_text="Set up 2FA before Sunday, 8 March 2026 — 7 days left.")
    expect(banner).to_be_visible()
    assert_accessible(page, "home with the grace banner")
    page.goto(f"{live.url}/agent/security/activity")
    expect(banner).to_be_visible()
    banner.get_by_role("link", name="Set up 2FA now").click()
    expect(page.get_by_role("heading", name="Security", exact=True)).to_be_visible()
    page.locator("a[href^='/agent/preferences/security/setup/1']").click()
    secret = page.locator("#setup-key").inner_text().replace(" ", "")
    page.get_by_label("Verification code").fill(oathtool_code(secret, live.clock))
    page.get_by_role("button", name="Verify and finish setup").click()
    page.get_by_role("button", name="I've saved my codes").click()
    expect(page.get_by_text("Set up 2FA before")).to_have_count(0)
