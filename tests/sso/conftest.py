"""A real OpenID Connect provider (oidc-provider-mock: discovery, authorization code with PKCE, signed ID tokens,
JWKS) on a free port, and a person who signs in through it the way a browser does: the portal's button, the
provider's consent form, the redirect back."""
import contextlib
import html
import re
import threading
from urllib.parse import quote, urlsplit

import pytest
import requests
from werkzeug.serving import make_server


PASSWORD = "correct horse battery"


@contextlib.contextmanager
def serve(wsgi_app):
    server = make_server("localhost", 0, wsgi_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


class Provider:
    """The provider as its admin and its users see it."""

    def __init__(self, issuer: str):
        self.issuer = issuer

    def user(self, sub: str, **claims) -> str:
        """The person `sub` with the claims their ID token will carry (email, email_verified, amr, acr, name)."""
        answer = requests.put(f"{self.issuer}/users/{quote(sub, safe='')}", json=claims, timeout=5)
        assert answer.status_code == 204, answer.text
        return sub

    def consent(self, authorize_url: str, sub: str, action: str = "authorize") -> str:
        """The person signs in at the provider: its form posted to the authorize URL. Returns where it sends them."""
        assert authorize_url.startswith(self.issuer)
        answer = requests.post(authorize_url, data={"sub": sub, "action": action}, allow_redirects=False, timeout=5)
        assert answer.status_code == 302, answer.text
        return answer.headers["Location"]


@pytest.fixture(scope="session")
def oidc():
    import oidc_provider_mock  # imported here, under the warning filters of pyproject.toml
    with serve(oidc_provider_mock.app()) as issuer:
        yield Provider(issuer)


def add_provider(app, issuer: str, label="Contoso SSO", **options) -> int:
    """An identity provider as the admin adds it in Auth & SSO (portal.sso.providers)."""
    from portal.sso import providers
    choices = {"label": label, "issuer": issuer, "client_id": "portal", "client_secret": "s3cret-from-provider",
               "areas": "both", "email_domains": "", "create_accounts": True, "mfa_rule": "portal",
               "trusted_acr": "", "sso_only": False, "enabled": True, **options}
    with app.test_request_context():
        return providers.save(None, None, providers.ProviderChoices(**choices)).id


class SsoPerson:
    """Signs in with "Sign in with <provider>" as a browser would."""

    def __init__(self, client, provider: Provider):
        self.client, self.provider = client, provider

    def start(self, provider_id: int, area: str = "", next_path: str | None = None) -> str:
        """Select "Sign in with <provider>" on the sign-in page: returns where the portal sends the browser."""
        login = self.client.get(f"{area}/login" + (f"?next={quote(next_path)}" if next_path else ""))
        link = re.search(rf'href="([^"]*/login/sso/{provider_id}[^"]*)"', login.get_data(as_text=True))
        assert link, "no such button on the sign-in page"
        answer = self.client.get(html.unescape(link.group(1)))
        assert answer.status_code == 302, answer.get_data(as_text=True)
        return answer.headers["Location"]

    def back(self, location: str):
        """Follow the provider's redirect back to the portal (the test client's host is localhost)."""
        parts = urlsplit(location)
        return self.client.get(f"{parts.path}?{parts.query}")

    def sign_in(self, provider_id: int, sub: str, area: str = "", next_path: str | None = None):
        """The whole round trip; returns the portal's answer to the callback and the callback's location."""
        location = self.provider.consent(self.start(provider_id, area, next_path), sub)
        return self.back(location), location


@pytest.fixture
def sso(client, oidc):
    return SsoPerson(client, oidc)
