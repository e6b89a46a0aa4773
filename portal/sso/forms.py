"""The admin's form for an identity provider (Auth & SSO › Single sign-on)."""
from urllib.parse import urlsplit

from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from .providers import AREAS, MFA_RULES

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


def _issuer(form, field):
    """An https URL (plain http only on this machine, for a provider under test)."""
    try:
        parts = urlsplit((field.data or "").strip())
    except ValueError:
        raise ValidationError(_("Enter the issuer URL, like https://login.example.com/realms/staff.")) from None
    if not parts.hostname or parts.query or parts.fragment or \
            not (parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOCAL_HOSTS)):
        raise ValidationError(_("Enter the issuer URL, like https://login.example.com/realms/staff (https only)."))


def _domains(form, field):
    for domain in (field.data or "").replace(",", " ").split():
        domain = domain.lstrip("@")
        if "." not in domain or not all(part.replace("-", "").isalnum() for part in domain.split(".")):
            raise ValidationError(_("“%(domain)s” is not a domain. Enter domains like example.com, separated by "
                                    "spaces.", domain=domain[:60]))


class ProviderForm(FlaskForm):
    label = StringField(_l("Button label"), validators=[DataRequired(_l("Enter the name people see on the button.")),
                                                        Length(max=80)])
    issuer = StringField(_l("Issuer URL"), validators=[DataRequired(_l("Enter the issuer URL.")), Length(max=500),
                                                       _issuer])
    client_id = StringField(_l("Client ID"), validators=[DataRequired(_l("Enter the client ID.")), Length(max=255)])
    client_secret = PasswordField(_l("Client secret"), validators=[Optional(), Length(max=1000)])
    areas = SelectField(_l("Sign-in pages"), choices=[SelectChoice(k, v) for k, v in AREAS.items()], default="both")
    email_domains = StringField(_l("Email domains"), validators=[Optional(), Length(max=2000), _domains])
    create_accounts = BooleanField(_l("Create help-center accounts on first sign-in"), default=True)
    mfa_rule = SelectField(_l("Second factor after SSO"),
                           choices=[SelectChoice(k, v) for k, v in MFA_RULES.items()], default="portal")
    trusted_acr = StringField(_l("ACR values that count as MFA"), validators=[Optional(), Length(max=500)])
    sso_only = BooleanField(_l("SSO-only: people linked to this provider can't sign in with a password"))
    enabled = BooleanField(_l("Enabled"), default=True)
