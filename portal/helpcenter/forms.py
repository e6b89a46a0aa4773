"""Help-center forms: registration, and the Your 2FA pages' wording (Deskpro's help-center words) on the shared 2FA forms."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.fields import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, ValidationError

from ..passwords import check_new_password
from ..twofactor.forms import SetupForm

PASSWORD_MIN = 8


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class RegisterForm(FlaskForm):
    name = StringField(_l("Your name"), filters=[_strip], validators=[
        DataRequired(_l("Enter your name.")),
        Length(max=120, message=_l("Names can be at most %(num)d characters.", num=120))],
                       render_kw={"autocomplete": "name", "maxlength": "120"})
    # What a valid address is, is decided by portal.accounts (the one rule), when the registration starts.
    email = EmailField(_l("Email"), filters=[_strip], validators=[
        DataRequired(_l("Enter your email address.")),
        Length(max=254, message=_l("Email addresses can be at most %(num)d characters.", num=254))],
                       render_kw={"autocomplete": "email"})
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Choose a password."))],
                             render_kw={"autocomplete": "new-password", "minlength": str(PASSWORD_MIN)})
    submit = SubmitField(_l("Create account"))

    def validate_password(self, field):
        """The one rule for a new password (portal.passwords), with the person's own email and name."""
        reason = check_new_password(field.data, [self.email.data or "", self.name.data or ""])
        if reason:
            raise ValidationError(reason)


class AuthenticatorSetupForm(SetupForm):
    """Set up authentication app / email authentication: the shared form with the help center's labels."""
    name = StringField(_l("Authenticator Name"), *SetupForm.name.args[1:], **SetupForm.name.kwargs)
    submit = SubmitField(_l("Submit Code and Create"))


class SendCodeForm(FlaskForm):
    """Email authentication, first step: the name is checked, then a code is sent to the person's address."""
    name = AuthenticatorSetupForm.name
    submit = SubmitField(_l("Send Verification Code"))
