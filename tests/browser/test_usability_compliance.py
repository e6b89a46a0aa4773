"""Issue 22 in a real browser: an admin filters Agent Profiles by 2FA status and downloads the list as CSV; the
Admin home's adoption chart is an SVG drawn by the server (axe-clean)."""
import csv

from playwright.sync_api import expect

from tests.browser.a11y import add_person, assert_accessible, sign_in


def test_an_admin_filters_agents_by_2fa_status_and_downloads_the_csv(live, page, tmp_path):
    ada = add_person(live.app, "admin", "ada@example.com", "Ada Admin")
    add_person(live.app, "agent", "nat@example.com", "Nat New", with_app=False)
    sign_in(page, live, ada)
    page.goto(f"{live.url}/admin/")
    expect(page.get_by_role("img", name="2FA adoption")).to_be_visible()
    assert_accessible(page, "Admin home with the adoption chart")
    page.goto(f"{live.url}/admin/agents")
    page.get_by_label("2FA status").select_option(label="No 2FA")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name="Nat New")).to_be_visible()
    expect(page.get_by_role("link", name="Ada Admin")).to_have_count(0)
    assert_accessible(page, "Agent Profiles filtered by 2FA status")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download CSV").click()
    path = tmp_path / "agents.csv"
    info.value.save_as(path)
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert info.value.suggested_filename == "agent-profiles.csv"
    assert [row[1] for row in rows[1:]] == ["nat@example.com"] and rows[1][3] == "Not set up"
