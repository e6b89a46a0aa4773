"""Lost-device recovery in real Chromium, with two browsers: the owner's and an admin's. The owner's mail (a real
SMTP server) carries the one-click cancel link, which stops the recovery without signing in."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.a11y import add_person, assert_accessible, enter_password, sign_in
from tests.conftest import smtp_sink_for


@pytest.fixture(autouse=True)
def _fail_fast(context):
    context.set_default_timeout(5000)


def test_a_recovery_approved_by_an_admin_and_cancelled_by_the_owners_link(live, browser):
    eve = add_person(live.app, "end-user", "eve@example.com", "Eve Customer")
    ada = add_person(live.app, "admin", "ada@example.com", "Ada Admin")
    owner_context, admin_context = browser.new_context(), browser.new_context()
    for context in (owner_context, admin_context):
        context.set_default_timeout(5000)
    owner, admin = owner_context.new_page(), admin_context.new_page()
    try:
        with smtp_sink_for(live.app) as sink:
            enter_password(owner, live.url, eve)  # the password only: the phone is lost
            owner.get_by_role("link", name="I can't use any of my methods").click()
            expect(owner.get_by_role("heading", name="Account recovery")).to_be_visible()
            assert_accessible(owner, "account recovery, before asking")
            owner.get_by_role("button", name="Ask for an account recovery").click()
            expect(owner.get_by_text("Your request is sent.")).to_be_visible()
            assert_accessible(owner, "account recovery, asked")
            mail = sink.text(sink.latest(eve.email))
            assert "from 127.0.0.1" in mail
            link = re.search(r"https?://\S+/account-recovery/cancel/[A-Za-z0-9_-]+", mail).group(0)

            sign_in(admin, live, ada)
            admin.goto(f"{live.url}/admin/")
            admin.get_by_role("link", name="Account recovery").click()
            assert_accessible(admin, "Admin › Account recovery")
            admin.get_by_role("link", name="Eve Customer").click()
            expect(admin.locator("#recovery-state")).to_have_text("Waiting for approval")
            assert_accessible(admin, "an account recovery, as an admin")
            admin.get_by_role("button", name="Approve").click()
            expect(admin.locator("#recovery-state")).to_have_text("Waiting period running")
            assert "will be removed after 2 Mar 2026, 09:00 UTC" in sink.text(sink.latest(eve.email))

            # The real owner reads the mail on another device and cancels, without signing in.
            cancel_context = browser.new_context()
            cancel_context.set_default_timeout(5000)
            cancelling = cancel_context.new_page()
            cancelling.goto(link.replace("http://localhost", live.url))
            assert_accessible(cancelling, "the cancel page")
            cancelling.get_by_role("button", name="Cancel the recovery").click()
            expect(cancelling.get_by_role("status")).to_contain_text("The recovery is cancelled")
            expect(cancelling.get_by_text("This recovery is no longer under way (cancelled).")).to_be_visible()
            cancel_context.close()

            admin.reload()
            expect(admin.locator("#recovery-state")).to_have_text("Cancelled")
            assert sink.latest(eve.email)["Subject"] == "[Helpdesk] Your account recovery was stopped"
            live.shot(admin, "recovery-cancelled-admin")
            live.clock.advance(25 * 3600)  # long past the waiting period: nothing happens
            result = live.app.test_cli_runner().invoke(args=["recovery", "run-due"])
            assert "Carried out 0" in result.output
            enter_password(owner, live.url, eve)  # her phone still signs her in
            owner.get_by_label("Code", exact=True).fill(eve.code(live.clock))
            owner.get_by_role("button", name="Verify").click()
            expect(owner.get_by_role("heading", name="How can we help?")).to_be_visible()
    finally:
        owner_context.close()
        admin_context.close()
