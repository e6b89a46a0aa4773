"""The requests' forms. Lengths are checked here (a clear message) and again by the flows (core._check)."""
from flask_wtf import FlaskForm
from wtforms.fields import SelectChoice, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from .core import BODY_MAX, STATUSES, SUBJECT_MAX

CHOICES = [SelectChoice(key, label) for key, label in STATUSES.items()]


def body_field(label: str):
    return TextAreaField(label, validators=[DataRequired("Enter a message."), Length(
        max=BODY_MAX, message=f"A message can be at most {BODY_MAX} characters.")],
        render_kw={"maxlength": str(BODY_MAX), "rows": "6"})


class NewRequestForm(FlaskForm):
    subject = StringField("Subject", validators=[DataRequired("Enter a subject."), Length(
        max=SUBJECT_MAX, message=f"The subject can be at most {SUBJECT_MAX} characters.")],
        render_kw={"maxlength": str(SUBJECT_MAX), "autocomplete": "off"})
    body = body_field("How can we help?")
    submit = SubmitField("Send request")


class ReplyForm(FlaskForm):
    body = body_field("Your reply")
    submit = SubmitField("Send reply")


class AgentReplyForm(FlaskForm):
    body = body_field("Reply to the requester")
    status = SelectField("Then set the status to", choices=CHOICES, default="pending",
                         validate_choice=True)
    submit = SubmitField("Send reply")


class StatusForm(FlaskForm):
    status = SelectField("Status", choices=CHOICES, validate_choice=True)
    submit = SubmitField("Change status")
