"""Security keys and passkeys in Debian's Chromium with its virtual authenticator (DevTools WebAuthn domain: ctap2,
internal transport, resident key and user verification on), served as http://localhost:PORT (an IP address is
never a WebAuthn relying party)."""
import re

from playwright.sync_api import expect

from tests.browser.a11y import add_person, axe_violations, enter_password, set_policy
from tests.browser.helpers import sign_in
from tests.conftest import Person
from tests.webauthn.helpers import switch_on

PASSWORD = "correct horse battery"


def virtual_authenticator(page, resident_key=True) -> str:
    """Chromium's virtual authenticator in this tab. Without resident keys it is a plain security key: nothing for
    a passkey sign-in to discover (with them, Chromium answers the sign-in page's autofill request by itself)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    made = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": resident_key, "hasUserVerification": True,
        "isUserVerified": True, "automaticPresenceSimulation": True}})
    page._portal_cdp = cdp  # kept alive with the page
    return made["authenticatorId"]


def credentials(page, authenticator_id: str) -> list:
    return page._portal_cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]


def presence(page, authenticator_id: str, on: bool) -> None:
    page._portal_cdp.send("WebAuthn.setAutomaticPresenceSimulation",
                          {"authenticatorId": authenticator_id, "enabled": on})


def sign_out(page) -> None:
    page.locator(".avatar-menu summary").click()
    page.get_by_role("button", name="Sign out").click()


def register_in_preferences(page, base: str, name: str) -> None:
    page.get_by_role("link", name="Preferences > Security", exact=True).click()
    page.get_by_role("link", name="Set up Security key or passkey").click()
    expect(page.get_by_text("needs JavaScript")).to_be_hidden()
    assert axe_violations(page) == []
    page.get_by_label("Authenticator name").fill(name)
    page.get_by_role("button", name="Register security key or passkey").click()
    expect(page.get_by_text("Setup complete")).to_be_visible()


def test_an_agent_registers_a_key_signs_in_with_it_and_a_replayed_response_is_refused(live, page):
    Person(live.app, None, live.clock).create(email="agent@example.com", password=PASSWORD)
    switch_on(live.app)
    key = virtual_authenticator(page, resident_key=False)
    sign_in(page, live.localhost, "agent@example.com", PASSWORD)
    register_in_preferences(page, live.localhost, "Laptop key")
    assert len(credentials(page, key)) == 1
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, live.localhost, "agent@example.com", PASSWORD)
    expect(page.get_by_role("button", name="Use your security key")).to_be_visible()
    live.shot(page, "webauthn-challenge")
    assert axe_violations(page) == []
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/agent/login/verify")) as sent:
        page.get_by_role("button", name="Use your security key").click()
    expect(page.get_by_role("heading", name="Welcome, Sam Agent")).to_be_visible()
    assertion = re.search(r"(?:^|&)code=([^&]*)", sent.value.post_data).group(1)
    page.get_by_role("button", name="Sign out").click()

    # The same response again, sent by this browser in a new sign-in: refused.
    sign_in(page, live.localhost, "agent@example.com", PASSWORD)
    expect(page.get_by_role("button", name="Use your security key")).to_be_visible()
    page.evaluate("""(value) => {
        const form = document.querySelector("form[data-webauthn='get']");
        form.querySelector("[name='code']").value = decodeURIComponent(value.replace(/\\+/g, " "));
        form.submit();
    }""", assertion)
    expect(page.get_by_text("That response was already used")).to_be_visible()
    expect(page.get_by_role("heading", name="Welcome, Sam Agent")).to_have_count(0)


def test_a_customer_registers_a_passkey_in_your_2fa_signs_in_without_a_password_and_removes_it(live, page):
    Person(live.app, None, live.clock).create(email="casey@example.com", role="end-user", name="Casey Customer",
                                             password=PASSWORD)
    switch_on(live.app)
    key = virtual_authenticator(page)
    sign_in(page, live.localhost, "casey@example.com", PASSWORD, area="")
    page.goto(f"{live.localhost}/profile/2fa")
    page.get_by_role("link", name=re.compile("security key or passkey", re.I)).first.click()
    page.get_by_label("Authenticator name").fill("Phone passkey")
    page.get_by_role("button", name="Register security key or passkey").click()
    expect(page.get_by_text("Your 2FA is set up")).to_be_visible()
    assert credentials(page, key)[0]["isResidentCredential"] is True

    # "Use a passkey". The key waits for a touch meanwhile, so the email field's autofill request stays open.
    presence(page, key, False)
    sign_out(page)
    expect(page.get_by_role("button", name="Use a passkey")).to_be_visible()
    live.shot(page, "webauthn-passkey-sign-in")
    assert axe_violations(page) == []
    presence(page, key, True)
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/login/passkey")):
        page.get_by_role("button", name="Use a passkey").click()
    expect(page.locator(".avatar-menu summary")).to_be_visible()

    # The email field's autofill (conditional mediation): Chromium's virtual key answers it without a click.
    sign_out(page)
    expect(page.locator(".avatar-menu summary")).to_be_visible()
    page.goto(f"{live.localhost}/security/activity")
    expect(page.get_by_text("Signed in with a passkey")).to_have_count(2)

    page.goto(f"{live.localhost}/profile/2fa")
    page.get_by_role("link", name=re.compile("Edit")).first.click()
    page.get_by_role("link", name="Remove").click()
    if page.get_by_label("Your password or a current code").count():
        page.get_by_label("Your password or a current code").fill(PASSWORD)
    page.get_by_label("Yes, remove this authenticator").check()
    page.get_by_role("button", name="Remove").click()
    expect(page.get_by_text("“Phone passkey” was removed")).to_be_visible()


def test_without_javascript_the_pages_say_a_key_cant_be_used_and_offer_the_other_methods(live, browser):
    Person(live.app, None, live.clock).create(email="agent@example.com", password=PASSWORD)
    switch_on(live.app)
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{live.localhost}/agent/login")
        expect(page.get_by_text("Signing in with a passkey needs JavaScript")).to_be_visible()
        expect(page.get_by_role("button", name="Use a passkey")).to_be_hidden()
        sign_in(page, live.localhost, "agent@example.com", PASSWORD)
        page.get_by_role("link", name="Preferences > Security", exact=True).click()
        page.get_by_role("link", name="Set up Security key or passkey").click()
        expect(page.get_by_text("Registering a security key or passkey needs JavaScript")).to_be_visible()
        expect(page.get_by_role("button", name="Register security key or passkey")).to_be_hidden()
        page.get_by_role("link", name="Cancel").click()
        expect(page.get_by_role("link", name="Set up Authenticator app", exact=True)).to_be_visible()  # the others
    finally:
        context.close()


def test_an_admin_with_only_an_authenticator_app_is_sent_to_register_a_key(live, page):
    admin = add_person(live.app, "admin", "ada@example.com", "Ada Admin")  # an authenticator app only
    switch_on(live.app)
    set_policy(live.app, require_admin_security_key=True)
    virtual_authenticator(page, resident_key=False)
    enter_password(page, live.localhost, admin)
    page.get_by_label("Code", exact=True).fill(admin.code(live.clock))
    page.get_by_role("button", name="Verify").click()

    page.goto(f"{live.localhost}/admin/auth")
    expect(page.get_by_role("heading", name="Register a security key or passkey")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Register a security key or passkey").click()
    page.get_by_label("Authenticator name").fill("Admin key")
    page.get_by_role("button", name="Register security key or passkey").click()
    expect(page.get_by_text("Setup complete")).to_be_visible()
    page.goto(f"{live.localhost}/admin/auth")
    expect(page.get_by_role("heading", name="Auth & SSO")).to_be_visible()
    expect(page.get_by_label("Require a security key or passkey for admins")).to_be_checked()
