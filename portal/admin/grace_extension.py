"""Agent Profiles › an agent's 2FA tab: "Extend grace period" for this one person (a reason and an end date, in
the portal's time zone), logged and mailed to them (portal.grace_period.extend)."""
from flask import flash, redirect, url_for
from flask_wtf import FlaskForm
from wtforms.fields import DateTimeLocalField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from .. import dates, grace_period
from ..twofactor.base import FlowError
from . import bp, grace
from .access import admin_required, fresh_proof_required, me


class GraceExtensionForm(FlaskForm):
    until = DateTimeLocalField("Until", validators=[DataRequired("Enter the date and time like 2026-03-31 17:00.")],
                               format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
                               invalid_value_message="Enter the date and time like 2026-03-31 17:00.")
    reason = StringField("Reason", validators=[DataRequired("Say why: the reason is kept in the security log."),
                                               Length(max=grace_period.REASON_MAX)])
    submit = SubmitField("Extend grace period")


@bp.route("/agents/<int:user_id>/grace", methods=["POST"])
@admin_required
@fresh_proof_required
def agent_grace(user_id: int):
    from .agents import _agent, _tab

    agent, form = _agent(user_id), GraceExtensionForm()
    if not form.validate_on_submit():
        return _tab(agent, 400, grace_form=form)
    try:
        until = grace.to_utc(form.until.data, dates.zone_name())
        grace_period.extend(me(), agent, until, form.reason.data)
    except FlowError as exc:
        form.until.errors.append(str(exc))
        return _tab(agent, 400, grace_form=form)
    flash(f"{agent.name} may skip setting up 2FA until {dates.in_words(until)}. They have been told by email.",
          "success")
    return redirect(url_for("admin.agent_2fa", user_id=agent.id), code=303)


def blank_form() -> GraceExtensionForm:
    return GraceExtensionForm(formdata=None)


