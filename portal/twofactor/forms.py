"""Forms shared by every area. Codes tolerate spaces; every code field is labelled for one-time codes."""
import json
import re
from functools import cache

from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.fields import BooleanField, EmailField, HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Regexp, ValidationError

from ..accounts import as_stored


CODE_MAX_LENGTH = 12  # six digits with room for the spaces people type between groups
CODE_CHARACTERS = re.compile(r"^[0-9 ]*$")
CODE_RENDER = {"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": r"[0-9 ]*",
               "maxlength": str(CODE_MAX_LENGTH), "spellcheck": "false", "autocapitalize": "off"}


def code_field(label=_l("Code")):
    return StringField(label, validators=[
        DataRequired(_l("Enter the 6-digit code.")),
        Length(max=CODE_MAX_LENGTH, message=_l("Enter the 6-digit code.")),
        Regexp(CODE_CHARACTERS, message=_l("The code is 6 digits; letters aren't part of it."))],
        render_kw=CODE_RENDER)


def _as_looked_up(value):
    """An internationalised domain typed at sign-in becomes the ASCII form accounts store (accounts.as_stored); an
    ASCII address is left exactly as typed (sign-in normalises it when it looks it up)."""
    return as_stored(value) if isinstance(value, str) and not value.isascii() else value


class LoginForm(FlaskForm):
    # No syntax rule here: an address is only looked up, so any account `flask user create` made,
    # name@helpdesk.local included, can sign in; one that doesn't exist is "Email or password is incorrect".
    email = EmailField(_l("Email"), filters=[_as_looked_up],
                       validators=[DataRequired(_l("Enter your email address.")), Length(max=254)],
                       render_kw={"autocomplete": "username webauthn"})  # "webauthn": the browser offers passkeys
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password.")), Length(max=1024)],
                             render_kw={"autocomplete": "current-password"})
    submit = SubmitField(_l("Sign in"))


class ChallengeForm(FlaskForm):
    authenticator_id = HiddenField(_l("Authenticator"))  # labelled: an unlabelled field makes WTForms load its catalog
    code = code_field(_l("Code"))
    submit = SubmitField(_l("Verify"))


class SetupForm(FlaskForm):
    name = StringField(_l("Authenticator name"), validators=[DataRequired(_l("Give this authenticator a name.")),
                                                         Length(max=60, message=_l("Names can be at most 60 characters."))],
                       render_kw={"maxlength": "60", "autocomplete": "off"})
    code = code_field(_l("Verification code"))
    # The second entry of a code the person chooses (a PIN: Method.code_input.confirm_at_setup); unused otherwise.
    code_again = StringField(_l("Type it again"), validators=[Length(max=CODE_MAX_LENGTH)], render_kw=CODE_RENDER)
    submit = SubmitField(_l("Submit Code and Create"))


class RenameForm(FlaskForm):
    name = StringField(_l("Authenticator name"), validators=[DataRequired(_l("Give this authenticator a name.")),
                                                         Length(max=60, message=_l("Names can be at most 60 characters."))],
                       render_kw={"maxlength": "60"})
    submit = SubmitField(_l("Save name"))


class ProofForm(FlaskForm):
    secret = PasswordField(_l("Your password or a current code"), validators=[
        DataRequired(_l("Enter your password or a current code.")), Length(max=1024)],
        render_kw={"autocomplete": "current-password"})
    submit = SubmitField(_l("Confirm it's you"))


class ConfirmForm(FlaskForm):
    confirm = BooleanField(_l("Yes, I understand"))
    submit = SubmitField(_l("Confirm"))


class ActionForm(FlaskForm):
    """A form with only a CSRF token and a button (sign out, skip, make default)."""
    submit = SubmitField(_l("Continue"))


# --- A browser's WebAuthn response in place of a typed code (Method.code_input.browser_credential) ---------------

CREDENTIAL_MAX_LENGTH = 16_000  # a browser's answer as JSON; with attestation "none" it is well under 2 kB


def _json_object(form, field):
    try:
        value = json.loads(field.data or "")
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise ValidationError(_("That response from your security key or passkey could not be read. Try again."))


def credential_field(label=_l("Security key or passkey")):
    return HiddenField(label, validators=[
        DataRequired(_l("Use your security key or passkey first.")),
        Length(max=CREDENTIAL_MAX_LENGTH, message=_l("That response from your security key or passkey is too long.")),
        _json_object])


@cache
def _with_credential(form_class):
    return type(form_class.__name__, (form_class,), {"code": credential_field()})


def for_method(form_class, method):
    """The form class for `method`: as it is, or with the code field taking a browser's WebAuthn response."""
    if method is not None and method.code_input.browser_credential:
        return _with_credential(form_class)
    return form_class
