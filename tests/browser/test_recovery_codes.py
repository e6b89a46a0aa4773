"""In a real browser, under the portal's CSP: the first authenticator brings ten recovery codes shown once, with a
working download and print button; a code signs in when the phone is gone; remembering the device skips the
challenge next time."""
import re

from playwright.sync_api import expect

from tests.browser.helpers import oathtool_code, sign_in
from tests.conftest import Person

CODE = re.compile(r"^[0-9A-Z]{5}-[0-9A-Z]{5}$")


def test_recovery_codes_download_print_and_sign_in(live, page, tmp_path):
    violations = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    Person(live.app, None, live.clock).create(email="agent@example.com", password="correct horse battery")
    sign_in(page, live.url, "agent@example.com", "correct horse battery")
    page.goto(f"{live.url}/agent/preferences/security/setup/1?new=1")
    secret = page.locator("#setup-key").inner_text().replace(" ", "")
    page.get_by_label("Verification code").fill(oathtool_code(secret, live.clock))
    page.get_by_role("button", name="Verify and finish setup").click()

    expect(page.get_by_role("heading", name="Recovery codes")).to_be_visible()
    expect(page.locator(".recovery-codes code")).to_have_count(10)
    codes = [c.strip() for c in page.locator(".recovery-codes code").all_inner_texts()]
    assert len(codes) == 10 and all(CODE.match(c) for c in codes)
    expect(page.get_by_role("button", name="Print")).to_be_visible()  # shown by our own script, CSP allowing
    with page.expect_download() as download:
        page.get_by_role("link", name="Download (.txt)").click()
    saved = tmp_path / "codes.txt"
    download.value.save_as(saved)
    assert download.value.suggested_filename == "recovery-codes.txt"
    assert re.findall(r"[0-9A-Z]{5}-[0-9A-Z]{5}", saved.read_text()) == codes
    live.shot(page, "recovery-codes")
    page.get_by_role("button", name="I've saved my codes").click()
    expect(page.get_by_role("heading", name="Security", exact=True)).to_be_visible()
    expect(page.get_by_text("10 of 10")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    live.clock.advance(30)  # the phone is lost: a recovery code instead
    sign_in(page, live.url, "agent@example.com", "correct horse battery")
    page.get_by_role("link", name="Use a recovery code").click()
    page.get_by_label("Recovery code").fill(codes[0].lower())
    page.get_by_role("button", name="Use recovery code").click()
    expect(page.get_by_text("You signed in with a recovery code. 9 recovery codes left.")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    live.clock.advance(30)  # the phone is back: a code, and "Remember this device"
    sign_in(page, live.url, "agent@example.com", "correct horse battery")
    page.get_by_label("Code", exact=True).fill(oathtool_code(secret, live.clock))
    page.get_by_label("Remember this device").check()
    page.get_by_role("button", name="Verify").click()
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, live.url, "agent@example.com", "correct horse battery")
    expect(page.get_by_role("heading", name="Welcome, Sam Agent")).to_be_visible()
    page.goto(f"{live.url}/agent/preferences/security")
    expect(page.get_by_role("cell", name="Chrome on Linux", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Forget Chrome on Linux")).to_be_visible()
    live.shot(page, "security-panels")
    assert violations == []
