"""OpenID Connect single sign-on that keeps the portal's 2FA rules (issue 24; docs/architecture.md, "Single
sign-on").

| module | holds |
| --- | --- |
| `client.py` | Authlib's Flask client per provider (discovery, PKCE, state, nonce) and the server-side state store |
| `signin.py` | the provider's answer: checks, linking rules, the MFA rule, then the one sign-in state machine |
| `views.py` | "Sign in with <provider>" and the callback, registered per area |
| `providers.py` | adding, editing and removing providers (the secret encrypted), SSO-only |
| `admin_views.py`, `forms.py` | Auth & SSO › Single sign-on |
| `words.py` | how an SSO sign-in is said in the log and the session list |
"""


def init_app(app) -> None:
    from .. import sessions
    from . import client, providers, signin
    client.init_app(app)
    app.add_template_global(lambda: _label(sessions.state("sso")), "sso_signing_in_with")
    app.add_template_global(lambda area_name: signin.providers_for(area_name), "sso_providers_for")
    app.add_template_global(providers.listed, "sso_providers_listed")


def _label(value) -> str | None:
    return value if isinstance(value, str) else None
