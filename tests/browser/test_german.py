"""The mandatory setup in German, in a real browser with a German-language Chromium: the pop-up, a wrong code's
error, the finished setup and the recovery codes, all in German with lang="de"."""
import re
from datetime import datetime, timedelta

import pyotp

from playwright.sync_api import expect

from tests.browser.a11y import add_person, assert_accessible, set_policy
from tests.browser.helpers import decode_qr, secret_of


def test_the_mandatory_setup_in_german(live, browser):
    set_policy(live.app, require_agents_2fa=True, grace_until=(live.clock.now() + timedelta(days=7)).isoformat())
    nat = add_person(live.app, "agent", "nat@example.com", "Nat Neu", with_app=False)
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(f"{live.url}/agent/login")
    assert page.evaluate("document.documentElement.lang") == "de"
    expect(page.get_by_role("heading", name="Anmelden: Agent-Konsole")).to_be_visible()
    page.get_by_label("E-Mail").fill(nat.email)
    page.get_by_label("Passwort").fill("correct horse battery")
    page.get_by_role("button", name="Anmelden", exact=True).click()

    popup = page.get_by_role("dialog", name="Zwei-Faktor-Authentifizierung einrichten")
    expect(popup).to_be_visible()
    expect(popup.get_by_role("button", name="Vorerst überspringen")).to_be_visible()
    expect(popup.get_by_role("button", name="Schlüssel kopieren")).to_be_visible()  # portal.js's words too
    assert_accessible(page, "mandatory setup, German")
    live.shot(page, "mandatory-setup-german")
    uri = decode_qr(popup.locator(".qr"), f"{live.shot(page, 'mandatory-setup-german-qr')[:-4]}-qr.png")
    totp = pyotp.TOTP(secret_of(uri))
    at = int((live.clock.now() - datetime(1970, 1, 1)).total_seconds())

    popup.get_by_label("Bestätigungscode").fill("000000" if totp.at(at) != "000000" else "111111")
    popup.get_by_role("button", name="Bestätigen und Einrichtung abschließen").click()
    expect(page.get_by_label("Bestätigungscode")).to_have_accessible_description(re.compile(
        r"Fehler: Dieser Code ist nicht richtig\. Prüfen Sie, ob die Uhrzeit Ihres Telefons automatisch eingestellt "
        r"wird, und versuchen Sie dann den neuesten Code\.$"))
    page.get_by_label("Bestätigungscode").fill(totp.at(at))
    page.get_by_role("button", name="Bestätigen und Einrichtung abschließen").click()
    expect(page.get_by_role("heading", name="Wiederherstellungscodes", exact=False).first).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "de"
    assert_accessible(page, "recovery codes, German")
    live.shot(page, "recovery-codes-german")
    context.close()
