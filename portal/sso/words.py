"""How an SSO sign-in is said, in the security log, the person's activity and their list of sessions:
"Signed in with Contoso SSO, MFA by the provider" (and, in the list of sessions, "Contoso SSO, MFA by the
provider"). Said in the language of the page that shows it."""
import json

from flask_babel import gettext as _

from ..twofactor import registry

from ..twofactor.areas import PROVIDER_MFA  # the `how` of a sign-in whose second factor the provider did

# Each way a sign-in can go on after the provider: as the security log says it, and as the list of sessions does
# (without "Signed in with"). Called when shown, in the page's language.
AFTER = {
    PROVIDER_MFA: (lambda p: _("Signed in with %(provider)s, MFA by the provider", provider=p),
                   lambda p: _("%(provider)s, MFA by the provider", provider=p)),
    "password": (lambda p: _("Signed in with %(provider)s, no second factor", provider=p),
                 lambda p: _("%(provider)s, no second factor", provider=p)),
    "remembered_device": (lambda p: _("Signed in with %(provider)s, on a remembered device", provider=p),
                          lambda p: _("%(provider)s, on a remembered device", provider=p)),
    "recovery": (lambda p: _("Signed in with %(provider)s, then a recovery code", provider=p),
                 lambda p: _("%(provider)s, then a recovery code", provider=p)),
    "setup": (lambda p: _("Signed in with %(provider)s, then set up 2FA", provider=p),
              lambda p: _("%(provider)s, then set up 2FA", provider=p)),
    "skipped": (lambda p: _("Signed in with %(provider)s, 2FA setup skipped during the grace period", provider=p),
                lambda p: _("%(provider)s, 2FA setup skipped during the grace period", provider=p)),
}


def _said(label: str, how, session: bool) -> str:
    if how in AFTER:
        return AFTER[how][1 if session else 0](label)
    method = registry.method(how) if isinstance(how, str) else None
    if method and session:
        return _("%(provider)s, then %(method)s as the second factor", provider=label, method=method.label)
    if method:
        return _("Signed in with %(provider)s, then %(method)s as the second factor", provider=label,
                 method=method.label)
    if session:
        return _("%(provider)s, then a second factor", provider=label)
    return _("Signed in with %(provider)s, then a second factor", provider=label)


def signed_in_with(label: str, how) -> str:
    """"Signed in with Contoso SSO, MFA by the provider" / "..., then Authenticator app as the second factor"."""
    return _said(label, how, session=False)


def session_how(row) -> str | None:
    """How a signed-in session began, when it began at an identity provider; else None."""
    try:
        data = json.loads(row.data or "{}")
    except ValueError:
        return None
    label = data.get("sso") if isinstance(data, dict) else None
    return _said(label, row.how, session=True) if isinstance(label, str) else None
