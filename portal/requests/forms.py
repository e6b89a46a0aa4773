"""The requests' forms. Lengths are checked here (a clear message) and again by the flows (core._check)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.fields import SelectChoice, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from .core import BODY_MAX, STATUSES, SUBJECT_MAX

CHOICES = [SelectChoice(key, label) for key, label in STATUSES.items()]


def body_field(label: str):
    return TextAreaField(label, validators=[DataRequired(_l("Enter a message.")), Length(
        max=BODY_MAX, message=_l("A message can be at most %(max)s characters.", max=BODY_MAX))],
        render_kw={"maxlength": str(BODY_MAX), "rows": "6"})


class NewRequestForm(FlaskForm):
    subject = StringField(_l("Subject"), validators=[DataRequired(_l("Enter a subject.")), Length(
        max=SUBJECT_MAX, message=_l("The subject can be at most %(max)s characters.", max=SUBJECT_MAX))],
        render_kw={"maxlength": str(SUBJECT_MAX), "autocomplete": "off"})
    body = body_field(_l("How can we help?"))
    submit = SubmitField(_l("Send request"))


class ReplyForm(FlaskForm):
    body = body_field(_l("Your reply"))
    submit = SubmitField(_l("Send reply"))


class AgentReplyForm(FlaskForm):
    body = body_field(_l("Reply to the requester"))
    status = SelectField(_l("Then set the status to"), choices=CHOICES, default="pending",
                         validate_choice=True)
    submit = SubmitField(_l("Send reply"))


class StatusForm(FlaskForm):
    status = SelectField(_l("Status"), choices=CHOICES, validate_choice=True)
    submit = SubmitField(_l("Change status"))
