"""The whole single sign-on in a real browser: "Sign in with Contoso SSO" on the agent console's sign-in page, the
provider's own page (a real OpenID Connect provider on a loopback port), and back to the portal's second factor."""
from playwright.sync_api import expect

from tests.browser.a11y import add_person, assert_accessible
from tests.sso.conftest import Provider, add_provider, serve


def test_sso_sign_in_then_the_portals_second_factor(live, page):
    page.set_default_timeout(5000)
    import oidc_provider_mock
    agent = add_person(live.app, "agent", "sam@example.com", "Sam Agent")  # has an authenticator app
    with serve(oidc_provider_mock.app()) as issuer:
        Provider(issuer).user("sam-at-contoso", email="sam@example.com", email_verified=True, amr=["pwd", "mfa"])
        add_provider(live.app, issuer)  # the default rule: the portal's second factor after SSO

        page.goto(f"{live.url}/agent/login")
        assert_accessible(page, "sign-in page with an SSO button")
        live.shot(page, "sso-sign-in-button")
        page.get_by_role("link", name="Sign in with Contoso SSO").click()
        page.get_by_placeholder("sub").fill("sam-at-contoso")  # signing in at the provider
        page.get_by_role("button", name="Authorize").click()

        expect(page.get_by_text("Enter the code from your authenticator app")).to_be_visible()
        expect(page.get_by_text("Contoso SSO confirmed who you are")).to_be_visible()
        assert page.url == f"{live.url}/agent/login/verify"
        live.shot(page, "sso-then-portal-challenge")
        page.get_by_label("Code", exact=True).fill(agent.code(live.clock))
        page.get_by_role("button", name="Verify").click()
        expect(page.get_by_role("heading", name="Welcome, Sam Agent")).to_be_visible()

    page.get_by_role("link", name="Preferences > Security", exact=True).click()
    # the session list and the activity both say how it happened
    expect(page.get_by_role("cell", name="Contoso SSO, then Authenticator app as the second factor",
                            exact=True)).to_be_visible()
    expect(page.get_by_role("cell", name="Signed in with Contoso SSO, then Authenticator app as the second factor",
                            exact=True)).to_be_visible()
    live.shot(page, "sso-session-and-activity")


def test_the_refusal_page_is_accessible(live, page):
    page.goto(f"{live.url}/agent/login/sso/callback?state=used-already&code=x")
    expect(page.get_by_role("heading", name="Single sign-on didn't work")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("already been used or has expired")
    assert_accessible(page, "SSO refusal page")
    page.get_by_role("link", name="Back to sign-in").click()
    assert page.url == f"{live.url}/agent/login"
