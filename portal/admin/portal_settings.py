"""Admin › Settings: what an admin should not need a deploy for — how long a device is remembered, how long
sessions last (the same form and flow as Auth & SSO › Sessions), the portal's name and time zone, and the name
its mail is sent under. Each change is logged."""
from flask import flash, redirect, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.fields import IntegerField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from .. import security_log
from ..extensions import db
from ..models import User
from ..settings import get_setting, set_setting
from . import bp
from .access import admin_required, fresh_proof_required, me, render
from .forms import SessionLimitsForm, TimezoneField
from .rules import SESSION_LIMITS, in_english


class PortalSettingsForm(FlaskForm):
    portal_name = StringField(_l("Portal name"), validators=[InputRequired(_l("Give the portal a name.")),
                                                             Length(1, 60)])
    mail_sender_name = StringField(_l("Mail sender name"), validators=[Optional(), Length(max=60)])
    timezone = TimezoneField(_l("Time zone"), default="UTC")
    remember_device_days = IntegerField(
        _l("Remember a device for this many days"),
        validators=[InputRequired(_l("Enter a number of days.")),
                    NumberRange(0, 365, _l("Between 0 (off) and 365 days."))])
    submit = SubmitField(_l("Save settings"))


FIELDS = {"portal_name": _l("Portal name"), "mail_sender_name": _l("Mail sender name"), "timezone": _l("Time zone"),
          "remember_device_days": _l("Remembered-device days")}


def save(admin: User, values: dict) -> list[str]:
    """Apply the Settings form; returns what changed, in words (also logged, in English)."""
    changes = []
    for key, label in FIELDS.items():
        value = values[key]
        if isinstance(value, str):
            value = " ".join(value.split()) or None
        if value != get_setting(key):
            set_setting(key, value)
            changes.append(_l("%(setting)s: %(value)s", setting=label,
                              value=value if value not in (None, "") else _l("the portal name")))
    if changes:
        security_log.record("admin.policy_changed", actor=admin, changes=in_english(changes))
    db.session.commit()
    return [str(change) for change in changes]


def settings_page(form: PortalSettingsForm | None = None, limits_form: SessionLimitsForm | None = None, status: int = 200):
    form = form or PortalSettingsForm(formdata=None, **{key: get_setting(key) for key in FIELDS})
    limits_form = limits_form or SessionLimitsForm(
        formdata=None, **{field: get_setting(key) for field, key in SESSION_LIMITS.items()})
    return render("admin/settings.html", status, form=form, limits_form=limits_form)


@bp.route("/settings")
@admin_required
def settings():
    return settings_page()


@bp.route("/settings", methods=["POST"])
@admin_required
@fresh_proof_required
def settings_save():
    form = PortalSettingsForm()
    if not form.validate_on_submit():
        return settings_page(form, status=400)
    changes = save(me(), {key: form[key].data for key in FIELDS})
    flash(_("Saved: %(changes)s.", changes="; ".join(changes)) if changes else _("Nothing changed."), "success")
    return redirect(url_for("admin.settings"), code=303)


def came_from_settings() -> bool:
    """Whether Auth & SSO › Sessions' form was sent from the Settings page (it goes back there)."""
    return request.form.get("from") == "settings"
