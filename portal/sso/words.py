"""How an SSO sign-in is said, in the security log, the person's activity and their list of sessions:
"Signed in with Contoso SSO, MFA by the provider"."""
import json

from ..twofactor import registry

from ..twofactor.areas import PROVIDER_MFA  # the `how` of a sign-in whose second factor the provider did

AFTER = {
    PROVIDER_MFA: "MFA by the provider",
    "password": "no second factor",
    "remembered_device": "on a remembered device",
    "recovery": "then a recovery code",
    "setup": "then set up 2FA",
    "skipped": "2FA setup skipped during the grace period",
}


def signed_in_with(label: str, how) -> str:
    """"Signed in with Contoso SSO, MFA by the provider" / "..., then Authenticator app as the second factor"."""
    if how in AFTER:
        return f"Signed in with {label}, {AFTER[how]}"
    method = registry.method(how) if isinstance(how, str) else None
    then = f"then {method.label} as the second factor" if method else "then a second factor"
    return f"Signed in with {label}, {then}"


def session_how(row) -> str | None:
    """How a signed-in session began, when it began at an identity provider; else None."""
    try:
        data = json.loads(row.data or "{}")
    except ValueError:
        return None
    label = data.get("sso") if isinstance(data, dict) else None
    return signed_in_with(label, row.how).removeprefix("Signed in with ") if isinstance(label, str) else None
