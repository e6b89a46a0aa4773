"""The admin pages' forms. Labels are the product's own words (the words admins know from osTicket and Deskpro)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import SelectField
from wtforms.fields import SelectChoice
from wtforms.fields import BooleanField, DateTimeLocalField, IntegerField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import html_params

from .grace import listed_timezones, timezone_names

STATUSES = [SelectChoice("active", _l("Active")), SelectChoice("disabled", _l("Disabled"))]


class NamesSelect:
    """A <select> of ~420 names whose text is their value: `<option>Europe/Paris` instead of WTForms'
    `<option value="Europe/Paris">Europe/Paris</option>`. An option without a value attribute has its text as
    value, and HTML lets an option's end tag be left out, so the list weighs a third of WTForms' markup."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        options = [f"<option selected>{escape(name)}" if name == field.data else f"<option>{escape(name)}"
                   for name in field.names]
        return Markup(f"<select {html_params(name=field.name, **kwargs)}>\n" + "\n".join(options) + "\n</select>")


class TimezoneField(SelectField):
    """The timezone of the Grace Period: an IANA name. The picker lists the zones of listed_timezones(); any zone of
    timezone_names() is accepted (an older name saved before, such as Asia/Calcutta, is listed while it is the
    current value, and still saves); anything else is refused."""

    widget = NamesSelect()

    @property
    def names(self) -> tuple[str, ...]:
        listed = listed_timezones()
        if self.data in timezone_names() and self.data not in listed:
            return listed[:1] + tuple(sorted(listed[1:] + (self.data,)))
        return listed

    def pre_validate(self, form):
        if self.data not in timezone_names():
            raise ValidationError(self.gettext("Not a valid choice."))


class AuthSettingsForm(FlaskForm):
    """Auth & SSO's form; auth_settings_form() adds a switch for each installed method."""
    require_agents = BooleanField(_l("Require agents to set up 2FA"))
    grace_until = DateTimeLocalField(
        _l("Grace Period"), validators=[Optional()],
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        invalid_value_message=_l("Enter the date and time like 2026-03-31 17:00."))
    grace_timezone = TimezoneField(_l("Timezone of the Grace Period"), default="UTC")
    require_end_users = BooleanField(_l("Require end users to set up 2FA"))
    require_admins = BooleanField(_l("Require admins to set up 2FA"))
    confirm = BooleanField(_l("Yes, switch it off anyway"))
    submit = SubmitField(_l("Save changes"))


def auth_settings_form(methods: dict, **values) -> AuthSettingsForm:
    """Auth & SSO's form with one switch per installed method (`methods`: key -> Method), each named by its key
    and labelled with the method's switch_label."""
    switches = {key: BooleanField(method.switch_label) for key, method in methods.items()}
    return type("AuthSettingsWithSwitches", (AuthSettingsForm,), switches)(**values)


class SessionLimitsForm(FlaskForm):
    """How long signed-in sessions last (portal.sessions): idle, and in all, for staff and for end users."""
    staff_idle = IntegerField(_l("Agents and admins: signed out after this many minutes without use"),
                              validators=[InputRequired(_l("Enter a number of minutes.")),
                                          NumberRange(5, 7 * 24 * 60, _l("Between 5 minutes and 7 days (10080)."))])
    staff_max = IntegerField(_l("Agents and admins: signed out this many hours after signing in"),
                             validators=[InputRequired(_l("Enter a number of hours.")),
                                         NumberRange(1, 90 * 24, _l("Between 1 hour and 90 days (2160)."))])
    end_user_idle = IntegerField(_l("End users: signed out after this many minutes without use"),
                                 validators=[InputRequired(_l("Enter a number of minutes.")),
                                             NumberRange(5, 90 * 24 * 60,
                                                         _l("Between 5 minutes and 90 days (129600)."))])
    end_user_max = IntegerField(_l("End users: signed out this many hours after signing in"),
                                validators=[InputRequired(_l("Enter a number of hours.")),
                                            NumberRange(1, 400 * 24, _l("Between 1 hour and 400 days (9600)."))])
    submit = SubmitField(_l("Save session limits"))


class EnforceForm(FlaskForm):
    enforce = BooleanField(_l("Enforce 2FA"))
    submit = SubmitField(_l("Save"))


class PluginStatusForm(FlaskForm):
    status = SelectField(_l("Status"), choices=STATUSES)
    confirm = BooleanField(_l("Yes, switch it off anyway"))
    submit = SubmitField(_l("Save Changes"))


class InstanceForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Give this instance a name.")),
                                               Length(max=80, message=_l("Names can be at most 80 characters."))],
                       render_kw={"maxlength": "80"})
    status = SelectField(_l("Status"), choices=STATUSES, default="active")
    submit = SubmitField(_l("Save Changes"))


CONFIG_PREFIX = "config_"


def instance_form(method, **kwargs) -> InstanceForm:
    """The instance form with one field per setting of the method (its Config tab)."""
    class Form(InstanceForm):
        pass

    for item in getattr(method, "config_fields", []) or []:
        setattr(Form, CONFIG_PREFIX + item.name, StringField(
            item.label, default=item.default, description=item.help,
            validators=[Length(max=200, message=_l("At most 200 characters."))], render_kw={"maxlength": "200"}))
    return Form(**kwargs)


def config_values(form: InstanceForm) -> dict:
    return {name.removeprefix(CONFIG_PREFIX): " ".join((field.data or "").split())
            for name, field in form._fields.items() if name.startswith(CONFIG_PREFIX)}


def config_fields(form: InstanceForm) -> list:
    return [field for name, field in form._fields.items() if name.startswith(CONFIG_PREFIX)]
