"""Forms of the sign-in extras and the person's own security pages (recovery codes, remembered devices)."""
from flask_wtf import FlaskForm
from wtforms.fields import BooleanField, HiddenField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from .forms import ChallengeForm
from .recovery import FORMAT_MESSAGE


class RememberChallengeForm(ChallengeForm):
    """The challenge with "Remember this device" (shown only while the admin allows it)."""
    remember = BooleanField("Remember this device")


class RecoveryLoginForm(FlaskForm):
    code = StringField("Recovery code", validators=[DataRequired("Enter one of your recovery codes."),
                                                    Length(max=40, message=FORMAT_MESSAGE)],
                       render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false",
                                  "maxlength": "40"})
    submit = SubmitField("Use recovery code")


class NextForm(FlaskForm):
    """A button that carries where to go afterwards (a local path, checked again on the server)."""
    next = HiddenField()
    submit = SubmitField("Continue")
