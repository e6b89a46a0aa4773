"""Identity providers as the admin keeps them: add, edit, remove (the client secret encrypted at rest with
portal.crypto, like a TOTP secret), and SSO-only: a person linked to an SSO-only provider signs in only with it.
Admins keep a way in: `flask --app wsgi sso allow-passwords` switches SSO-only off again (portal.sso.cli)."""
from dataclasses import dataclass

from flask_babel import gettext as _, lazy_gettext as _l

from .. import clock, crypto, security_log
from ..extensions import db
from ..models import SsoIdentity, SsoProvider, User

AREAS = {"agent": _l("Agent console"), "helpcenter": _l("Help Center"),
         "both": _l("Agent console and Help Center")}
MFA_RULES = {"portal": _l("Ask for the portal's second factor after SSO"),
             "trust": _l("Trust the provider's MFA when it says so")}


class ProviderError(ValueError):
    pass


@dataclass
class ProviderChoices:
    label: str
    issuer: str
    client_id: str
    client_secret: str  # empty when editing: keep the stored one
    areas: str
    email_domains: str
    create_accounts: bool
    mfa_rule: str
    trusted_acr: str
    sso_only: bool
    enabled: bool


def get(provider_id: int) -> SsoProvider | None:
    """The provider with this id (an id from a URL: one too large for the column is no provider)."""
    return db.session.get(SsoProvider, provider_id) if 0 < provider_id < 2**31 else None


def listed() -> list[SsoProvider]:
    return list(db.session.scalars(db.select(SsoProvider).order_by(SsoProvider.label)))


def linked_count(provider: SsoProvider) -> int:
    return db.session.scalar(db.select(db.func.count(SsoIdentity.id))
                             .where(SsoIdentity.provider_id == provider.id)) or 0


def save(actor: User, provider: SsoProvider | None, choices: ProviderChoices) -> SsoProvider:
    """Add (provider None) or update a provider; records the change and commits."""
    label = choices.label.strip()
    clash = db.session.scalar(db.select(SsoProvider.id).where(SsoProvider.label == label))
    if clash is not None and (provider is None or clash != provider.id):
        raise ProviderError(_("Another provider is already called “%(provider)s”.", provider=label))
    if provider is None and not choices.client_secret:
        raise ProviderError(_("Enter the client secret the provider gave you."))
    now = clock.now()
    if provider is None:
        provider = SsoProvider(created_at=now)
        db.session.add(provider)
    provider.label, provider.issuer = label, choices.issuer.strip().rstrip("/")
    provider.client_id = choices.client_id.strip()
    if choices.client_secret:
        provider.client_secret_enc = crypto.encrypt(choices.client_secret)
    provider.areas, provider.mfa_rule = choices.areas, choices.mfa_rule
    provider.email_domains = " ".join(sorted({d.strip().lower().lstrip("@")
                                              for d in choices.email_domains.replace(",", " ").split()}))
    provider.trusted_acr = " ".join(choices.trusted_acr.split())
    provider.create_accounts, provider.sso_only = choices.create_accounts, choices.sso_only
    provider.enabled, provider.updated_at = choices.enabled, now
    db.session.flush()
    security_log.record("admin.sso_changed", None, actor, provider=label, change="saved")
    db.session.commit()
    return provider


def remove(actor: User, provider: SsoProvider) -> None:
    """Remove a provider and its links; its people sign in with their password again."""
    label = provider.label
    db.session.delete(provider)
    security_log.record("admin.sso_changed", None, actor, provider=label, change="removed")
    db.session.commit()


# The label of an SSO-only provider the person is linked to (so no password sign-in), else NULL: a column the
# password step loads with the person (User.only_sso_provider, login.check_password).
ONLY_SSO_PROVIDER = (db.select(SsoProvider.label).join(SsoIdentity, SsoIdentity.provider_id == SsoProvider.id)
                     .where(SsoIdentity.user_id == User.id, SsoProvider.sso_only.is_(True),
                            SsoProvider.enabled.is_(True))
                     .order_by(SsoProvider.label).limit(1).correlate(User).scalar_subquery())


def allow_passwords(label: str | None = None) -> list[str]:
    """Switch SSO-only off (for the provider called `label`, or for all): the admins' way back in."""
    query = db.select(SsoProvider).where(SsoProvider.sso_only.is_(True))
    if label:
        query = query.where(SsoProvider.label == label)
    changed = []
    for provider in db.session.scalars(query):
        provider.sso_only, provider.updated_at = False, clock.now()
        security_log.record("admin.sso_changed", None, None, provider=provider.label, change="passwords allowed")
        changed.append(provider.label)
    db.session.commit()
    return changed


def rotate_secrets(ring) -> int:
    """Re-encrypt every provider's client secret with the first key (flask rotate-keys)."""
    count = 0
    for provider in db.session.scalars(db.select(SsoProvider)):
        provider.client_secret_enc = ring.rotate(provider.client_secret_enc)
        count += 1
    return count
