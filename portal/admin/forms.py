"""The admin pages' forms. Labels are the product's own words (seeds 000–002)."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, SubmitField
from wtforms.fields import DateTimeLocalField, SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from .grace import timezone_names

STATUSES = [SelectChoice("active", "Active"), SelectChoice("disabled", "Disabled")]


class AuthSettingsForm(FlaskForm):
    totp = BooleanField("TOTP Service")
    email = BooleanField("Email 2FA")
    require_agents = BooleanField("Require agents to set up 2FA")
    grace_until = DateTimeLocalField(
        "Grace Period", validators=[Optional()],
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        invalid_value_message="Enter the date and time like 2026-03-31 17:00.")
    grace_timezone = SelectField("Timezone of the Grace Period", default="UTC")
    require_end_users = BooleanField("Require end users to set up 2FA")
    confirm = BooleanField("Yes, switch it off anyway")
    submit = SubmitField("Save changes")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.grace_timezone.choices = [SelectChoice(n, n.replace("_", " ")) for n in timezone_names()]


class EnforceForm(FlaskForm):
    enforce = BooleanField("Enforce 2FA")
    submit = SubmitField("Save")


class PluginStatusForm(FlaskForm):
    status = SelectField("Status", choices=STATUSES)
    confirm = BooleanField("Yes, switch it off anyway")
    submit = SubmitField("Save Changes")


class InstanceForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Give this instance a name."),
                                           Length(max=80, message="Names can be at most 80 characters.")],
                       render_kw={"maxlength": "80"})
    status = SelectField("Status", choices=STATUSES, default="active")
    submit = SubmitField("Save Changes")


CONFIG_PREFIX = "config_"


def instance_form(method, **kwargs) -> InstanceForm:
    """The instance form with one field per setting of the method (its Config tab)."""
    class Form(InstanceForm):
        pass

    for item in getattr(method, "config_fields", []) or []:
        setattr(Form, CONFIG_PREFIX + item.name, StringField(
            item.label, default=item.default, description=item.help,
            validators=[Length(max=200, message="At most 200 characters.")], render_kw={"maxlength": "200"}))
    return Form(**kwargs)


def config_values(form: InstanceForm) -> dict:
    return {name.removeprefix(CONFIG_PREFIX): " ".join((field.data or "").split())
            for name, field in form._fields.items() if name.startswith(CONFIG_PREFIX)}


def config_fields(form: InstanceForm) -> list:
    return [field for name, field in form._fields.items() if name.startswith(CONFIG_PREFIX)]
