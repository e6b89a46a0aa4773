"""Forms of the sign-in extras and the person's own security pages (recovery codes, remembered devices)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.fields import BooleanField, HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from .forms import ChallengeForm, RenameForm
from .recovery import FORMAT_MESSAGE


class RememberChallengeForm(ChallengeForm):
    """The challenge with "Remember this device" (shown only while the admin allows it)."""
    remember = BooleanField(_l("Remember this device"))


class RecoveryLoginForm(FlaskForm):
    code = StringField(_l("Recovery code"), validators=[DataRequired(_l("Enter one of your recovery codes.")),
                                                    Length(max=40, message=FORMAT_MESSAGE)],
                       render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false",
                                  "maxlength": "40"})
    submit = SubmitField(_l("Use recovery code"))


class NextForm(FlaskForm):
    """A button that carries where to go afterwards (a local path, checked again on the server)."""
    next = HiddenField(_l("Next page"))  # labelled: an unlabelled field makes WTForms load its catalog
    submit = SubmitField(_l("Continue"))


class EditForm(RenameForm):
    name = StringField(_l("Authenticator Name"), *RenameForm.name.args[1:], **RenameForm.name.kwargs)
    submit = SubmitField(_l("Save"))


class RemoveForm(FlaskForm):
    """Remove: a confirmation, and fresh proof (password or a current code) when the last one is too old."""
    secret = PasswordField(_l("Your password or a current code"), validators=[Length(max=1024)],
                           render_kw={"autocomplete": "current-password"})
    confirm = BooleanField(_l("Yes, remove this authenticator"),
                           validators=[DataRequired(_l("Tick the box to confirm you want to remove it."))])
    submit = SubmitField(_l("Remove"))
