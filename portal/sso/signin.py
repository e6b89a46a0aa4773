"""What the portal does with an identity provider's answer (docs/architecture.md, "Single sign-on").

1. Authlib checks the answer: the `state` (claimed once, portal.sso.client), the code exchanged with the PKCE
   verifier, the ID token's signature and claims (iss, aud, exp, nonce).
2. Who it is (`match`): the provider's subject once linked; before that, the email only when the provider says it
   is verified, within the provider's email domains; a help-center account is created when the provider may.
3. Then the ONE sign-in state machine: `login.begin` makes a pending sign-in, and either the provider's MFA is
   trusted (the provider's rule says so and the ID token's `amr` or `acr` shows a second factor:
   `areas.finish(..., PROVIDER_MFA)`) or `areas.advance` asks the portal's own second factor, or the mandatory
   setup, exactly as after a password.

A bad answer raises `Refused`: the view shows its message, the security log and the log say why, no session.
"""
import logging
import secrets

import requests
from flask import request
from flask_babel import gettext as _
from authlib.common.errors import AuthlibBaseError
from joserfc.errors import JoseError
from sqlalchemy import bindparam
from sqlalchemy.exc import IntegrityError

from .. import clock, notify, security_log
from ..accounts import AccountError, clean_name, create_account
from ..extensions import db
from ..models import END_USER, SsoIdentity, SsoProvider, User
from ..passwords import hash_password
from ..public_url import public_url
from ..safe_url import local_path
from ..twofactor import login
from ..twofactor.areas import PROVIDER_MFA, Area, advance, finish
from . import client as clients

log = logging.getLogger(__name__)

# `amr` values (RFC 8176) that show the provider asked for a second factor.
SECOND_FACTOR_AMR = frozenset({"mfa", "otp", "hwk", "swk"})


class Refused(Exception):
    """A provider's answer the portal does not accept. `reason` is short and plain (the log); `message` is for the
    person."""

    def __init__(self, reason: str, message: str, status: int = 403):
        super().__init__(reason)
        self.reason, self.message, self.status = reason, message, status
        self.provider: str | None = None  # the provider's label, once known (the log says which)


def serves(provider: SsoProvider | None, area: Area) -> bool:
    return provider is not None and provider.enabled and provider.areas in (area.name, "both")


_SHOWN = (db.select(SsoProvider).where(SsoProvider.enabled.is_(True),
                                       SsoProvider.areas.in_([bindparam("area"), "both"]))
          .order_by(SsoProvider.label))  # built once, reused by every sign-in page


def providers_for(area_name: str) -> list[SsoProvider]:
    """The providers whose button the sign-in page of this area shows."""
    return list(db.session.scalars(_SHOWN, {"area": area_name}))


def start(provider: SsoProvider, area: Area, next_url: str | None) -> str:
    """The provider's authorization URL for a new sign-in (its state, nonce and PKCE verifier kept on the
    server)."""
    client = clients.client_for(provider)
    redirect_uri = public_url(f"{area.name}.sso_callback")  # PORTAL_URL's, as registered at the provider
    try:
        issuer = client.load_server_metadata().get("issuer")
        authorization = client.create_authorization_url(redirect_uri)
    except (requests.RequestException, ValueError, RuntimeError) as exc:  # discovery failed
        raise Refused("provider_unreachable", _("We couldn't reach %(provider)s. Try again in a moment, or sign "
                                                "in with your password.", provider=provider.label), 503) from exc
    if not isinstance(issuer, str) or issuer.rstrip("/") != provider.issuer:  # OpenID Connect Discovery 1.0, 4.3
        raise Refused("issuer_mismatch", _("%(provider)s is not set up correctly (its discovery document names "
                                          "another issuer). Tell your helpdesk's admin, and sign in with your "
                                          "password.", provider=provider.label), 503)
    client.save_authorize_data(redirect_uri=redirect_uri, portal_area=area.name, portal_next=local_path(next_url),
                               **authorization)
    return authorization["url"]


def answer(area: Area, state) -> tuple[SsoProvider, dict, str | None]:
    """The provider's checked answer for this callback: (provider, the ID token's claims, the safe `next`)."""
    waiting = clients.waiting(state)
    if waiting is None and request.args.get("error"):  # a refusal at the provider (some leave the state out)
        raise Refused("provider_error", _("Your identity provider did not sign you in. Start again, or sign in "
                                         "with your password."), 401)
    if waiting is None:
        raise Refused("unknown_state", _("This sign-in link has already been used or has expired. Start again "
                                        "from the sign-in page."), 400)
    provider_id, noted = waiting
    provider = db.session.get(SsoProvider, provider_id)
    if not serves(provider, area) or noted["area"] != area.name:
        clients.StateStore().delete(f"{clients.PREFIX}{clients.client_name(provider_id)}_{state}")
        raise Refused("wrong_place", _("This sign-in can't continue here. Start again from the sign-in page."), 400)
    try:
        return provider, _claims(provider, state), noted["next"]
    except Refused as refusal:
        refusal.provider = provider.label
        raise


def _claims(provider: SsoProvider, state: str) -> dict:
    """The ID token's claims, as Authlib checked them (state claimed, code exchanged with the verifier, signature
    and claims validated)."""
    if request.args.get("error"):
        clients.StateStore().delete(f"{clients.PREFIX}{clients.client_name(provider.id)}_{state}")
        raise Refused("provider_error", _("%(provider)s did not sign you in. Start again, or sign in with your "
                                         "password.", provider=provider.label), 401)
    try:
        token = clients.client_for(provider).authorize_access_token()
    except requests.RequestException as exc:
        raise Refused("provider_unreachable", _("We couldn't reach %(provider)s. Try again in a moment.",
                                                provider=provider.label), 503) from exc
    except (AuthlibBaseError, JoseError, ValueError, KeyError) as exc:
        raise Refused(_reason(exc), _("%(provider)s sent an answer we can't accept, so you are not signed in. "
                                     "Start again from the sign-in page.", provider=provider.label), 401) from exc
    claims = token.get("userinfo")
    if not claims:
        raise Refused("no_id_token", _("%(provider)s sent no valid ID token, so you are not signed in.",
                                       provider=provider.label), 401)
    return dict(claims)


def _reason(exc: Exception) -> str:
    """A short plain reason for the log: the OAuth error code or the exception's class, never its text (which may
    quote a token)."""
    error = getattr(exc, "error", None)
    return (error if isinstance(error, str) and error.replace("_", "").isalnum() and len(error) < 40
            else type(exc).__name__)[:40]


def _domains(provider: SsoProvider) -> set[str]:
    return {d.strip().lower().lstrip("@") for d in (provider.email_domains or "").split() if d.strip()}


def match(provider: SsoProvider, area: Area, claims: dict) -> User:
    """The person this answer is, by the linking rules; links or creates when the rules allow. Raises Refused."""
    subject, email = claims.get("sub"), claims.get("email")
    if not isinstance(subject, str) or not subject or len(subject) > 255:
        raise Refused("missing_subject", _("%(provider)s did not say who you are, so you are not signed in.",
                                           provider=provider.label), 401)
    if not isinstance(email, str) or "@" not in email:
        raise Refused("missing_email", _("%(provider)s did not tell us your email address, so we can't sign you "
                                         "in. Ask your helpdesk's admin to let the portal read it (the email "
                                         "scope).", provider=provider.label), 401)
    email = login.normalise_email(email)
    domains = _domains(provider)
    if domains and email.rsplit("@", 1)[1] not in domains:
        raise Refused("domain_not_allowed", _("%(provider)s can't sign in addresses at %(domain)s here. Sign in "
                                              "with your password.", provider=provider.label,
                                              domain=email.rsplit("@", 1)[1]), 403)
    identity = db.session.scalar(db.select(SsoIdentity).where(SsoIdentity.provider_id == provider.id,
                                                              SsoIdentity.subject == subject))
    if identity is not None:
        user = db.session.get(User, identity.user_id)
    else:
        user = _link(provider, area, claims, subject, email)
        identity = db.session.scalar(db.select(SsoIdentity).where(SsoIdentity.provider_id == provider.id,
                                                                  SsoIdentity.subject == subject))
    if user.kind != area.kind:
        raise Refused("wrong_area", _("Your account doesn't sign in to the %(area)s.", area=area.title), 403)
    identity.last_used_at = clock.now()
    return user


def _link(provider: SsoProvider, area: Area, claims: dict, subject: str, email: str) -> User:
    """First sign-in of this subject: the account with this verified email, or a new help-center account."""
    if claims.get("email_verified") is not True:
        raise Refused("email_not_verified", _("%(provider)s has not verified your email address, so we can't "
                                              "match it to an account. Sign in with your password.",
                                              provider=provider.label), 403)
    user = db.session.scalar(db.select(User).where(User.email == email))
    if user is None:
        user = _create(provider, area, claims, email)
    elif db.session.scalar(db.select(SsoIdentity.id).where(SsoIdentity.provider_id == provider.id,
                                                            SsoIdentity.user_id == user.id)) is not None:
        raise Refused("linked_to_other_subject", _("Your account is linked to another %(provider)s identity. "
                                                   "Ask your helpdesk's admin.", provider=provider.label), 403)
    if user.kind != area.kind:
        raise Refused("wrong_area", _("Your account doesn't sign in to the %(area)s.", area=area.title), 403)
    db.session.add(SsoIdentity(provider_id=provider.id, user_id=user.id, subject=subject, created_at=clock.now()))
    security_log.record("sso.linked", user, provider=provider.label)
    try:
        db.session.commit()
    except IntegrityError:  # the same subject linked by a parallel callback a moment ago
        db.session.rollback()
        raise Refused("already_linked", _("This sign-in was already completed. Start again."), 409) from None
    notify.security_notice(user, "sso.linked", provider=provider.label)
    return user


def _create(provider: SsoProvider, area: Area, claims: dict, email: str) -> User:
    if area.kind != END_USER or not provider.create_accounts:
        raise Refused("no_account", _("There is no account for %(email)s here. Ask your helpdesk's admin to add you.",
                                      email=email), 403)
    try:
        name = clean_name(claims.get("name") if isinstance(claims.get("name"), str) else email.split("@")[0])
    except AccountError:
        name = email.split("@")[0][:120]
    try:  # a password nobody knows: "Forgot your password?" gives them one, unless the provider is SSO-only
        return create_account(email, name, "end-user", password_hash=hash_password(secrets.token_urlsafe(32)),
                              internal_domains=False)
    except AccountError as exc:
        raise Refused("account_not_created", _("We couldn't create an account for %(email)s: %(reason)s", email=email,
                                               reason=exc.message), 400) \
            from None


def trusts_mfa(provider: SsoProvider, claims: dict) -> bool:
    """The provider's rule is "trust its MFA" and the ID token shows a second factor: an `amr` of
    SECOND_FACTOR_AMR or an `acr` the admin listed."""
    if provider.mfa_rule != "trust":
        return False
    amr = claims.get("amr")
    if isinstance(amr, list) and SECOND_FACTOR_AMR & {a for a in amr if isinstance(a, str)}:
        return True
    acr = claims.get("acr")
    return isinstance(acr, str) and acr in (provider.trusted_acr or "").split()


def continue_sign_in(area: Area, provider: SsoProvider, user: User, claims: dict, next_url: str | None):
    """Into the one sign-in state machine: the pending sign-in, then finish (provider's MFA trusted) or the
    portal's own next step (challenge, mandatory setup, or done)."""
    trusted = trusts_mfa(provider, claims) and not user.admin_locked
    pending = login.begin(user, area.name, next_url, sso=provider.label)
    if trusted:
        return finish(area, pending, PROVIDER_MFA)
    return advance(area, pending)


def refuse(area: Area, provider_label: str | None, refused: Refused) -> None:
    """Record a refused answer (security log and log line: the reason, never a token). The caller shows the page."""
    db.session.rollback()
    security_log.record("sso.refused", None, provider=provider_label or "", reason=refused.reason, area=area.name)
    db.session.commit()
    log.warning("SSO sign-in refused: provider=%s reason=%s area=%s", provider_label, refused.reason, area.name)
