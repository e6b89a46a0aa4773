"""Support requests in real Chromium, with two browsers: the customer's and the agent's. Mail goes through a real
SMTP server; codes come from oathtool at the served app's clock."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.a11y import add_person, assert_accessible, sign_in
from tests.browser.helpers import oathtool_code
from tests.conftest import smtp_sink_for


@pytest.fixture(autouse=True)
def _fail_fast(context):
    context.set_default_timeout(5000)


def two_browsers(browser):
    contexts = [browser.new_context(), browser.new_context()]
    for context in contexts:
        context.set_default_timeout(5000)
    return contexts


def test_verify_requester_end_to_end(live, browser):
    eve = add_person(live.app, "end-user", "eve@example.com", "Eve Customer")
    sam = add_person(live.app, "agent", "sam@example.com", "Sam Agent")
    customer_context, agent_context = two_browsers(browser)
    customer, agent = customer_context.new_page(), agent_context.new_page()
    try:
        with smtp_sink_for(live.app) as sink:
            sign_in(customer, live, eve)
            customer.get_by_role("link", name="Contact support").click()
            customer.get_by_role("button", name="Send request").click()  # nothing typed: the errors, announced
            expect(customer.get_by_role("alert")).to_contain_text("Enter a subject.")
            expect(customer.get_by_label("Subject")).to_have_accessible_description("Error: Enter a subject.")
            assert_accessible(customer, "Contact support with errors")
            customer.get_by_label("Subject").fill("Lost my phone")
            customer.get_by_label("How can we help?").fill("Please reset my 2FA.\n<script>alert(1)</script>")
            customer.get_by_role("button", name="Send request").click()
            expect(customer.get_by_role("status")).to_contain_text("was sent")
            number = re.search(r"/requests/(\d+)$", customer.url).group(1)
            expect(customer.locator(".message-body")).to_have_text("Please reset my 2FA.\n<script>alert(1)</script>")
            assert_accessible(customer, "a request, as its requester")

            sign_in(agent, live, sam)
            expect(agent.get_by_role("heading", name="Welcome, Sam Agent")).to_be_visible()
            assert_accessible(agent, "the queue")
            agent.get_by_role("link", name=f"#{number} Lost my phone").click()
            expect(agent.locator("#verification-state")).to_contain_text("Not verified.")
            agent.get_by_role("button", name="Verify requester").click()
            expect(agent.locator("#verification-state")).to_have_text(
                "Waiting for the requester to confirm (asked by Sam Agent at 1 Mar 2026, 09:00 UTC).")
            assert_accessible(agent, "a request, as an agent")

            # The customer follows the link in the mail and confirms with the app on their phone.
            link = re.search(r"https?://\S+/requests/\d+/verify", sink.text(sink.latest(eve.email))).group(0)
            customer.goto(link.replace("http://localhost", live.url))
            expect(customer.get_by_role("heading", name="Confirm it is you")).to_be_visible()
            expect(customer.get_by_text(f"Sam Agent from support asks you to confirm it is you, for request "
                                        f"#{number}")).to_be_visible()
            assert_accessible(customer, "confirm it is you")
            live.clock.advance(30)  # a new time step: the sign-in's code is spent
            customer.get_by_label("Code", exact=True).fill(oathtool_code(eve.secret, live.clock))
            customer.get_by_role("button", name="Confirm it's me").click()
            expect(customer.get_by_role("status")).to_contain_text("support can see that you confirmed it is you")

            agent.reload()
            expect(agent.locator("#verification-state")).to_have_text(
                "Identity verified with Authentication App at 1 Mar 2026, 09:00 UTC (asked by Sam Agent)")
            live.shot(agent, "request-verified-agent")
            live.clock.advance(15 * 60 + 1)
            agent.reload()
            expect(agent.locator("#verification-state")).to_contain_text("Verified earlier")

            # Asked again, the customer says it wasn't them.
            agent.get_by_role("button", name="Verify requester").click()
            customer.goto(f"{live.url}/requests/{number}")
            customer.get_by_role("button", name="This wasn't me").click()
            expect(customer.get_by_role("status")).to_contain_text("Support can see that you did not ask for this")
            agent.reload()
            expect(agent.locator("#verification-state")).to_contain_text("The requester answered “This wasn't me”")

            # The agent replies; the customer is mailed, and reads it in My requests.
            agent.get_by_label("Reply to the requester").fill("We can't reset it on your word alone.")
            agent.get_by_role("button", name="Send reply").click()
            expect(agent.get_by_role("status")).to_contain_text("Your reply was sent to the requester.")
            assert "We can't reset it on your word alone." in sink.text(sink.latest(eve.email))
            customer.goto(f"{live.url}/requests")
            expect(customer.get_by_role("cell", name="Waiting on customer")).to_be_visible()
    finally:
        customer_context.close()
        agent_context.close()
