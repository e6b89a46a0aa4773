"""Agent Profiles › an agent's 2FA tab: "Extend grace period" for this one person (a reason and an end date, in
the portal's time zone), logged and mailed to them (portal.grace_period.extend)."""
from flask import flash, redirect, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.fields import DateTimeLocalField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from .. import dates, grace_period
from ..twofactor.base import FlowError
from . import bp, grace
from .access import admin_required, fresh_proof_required, me, render


class GraceExtensionForm(FlaskForm):
    until = DateTimeLocalField(_l("Until"),
                               validators=[DataRequired(_l("Enter the date and time like 2026-03-31 17:00."))],
                               format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
                               invalid_value_message=_l("Enter the date and time like 2026-03-31 17:00."))
    reason = StringField(_l("Reason"), validators=[DataRequired(_l("Say why: the reason is kept in the security log.")),
                                                   Length(max=grace_period.REASON_MAX)])
    submit = SubmitField(_l("Extend grace period"))


@bp.route("/agents/<int:user_id>/grace", methods=["POST"])
@admin_required
@fresh_proof_required
def agent_grace(user_id: int):
    from .agents import agent_or_404, agent_tab

    agent, form = agent_or_404(user_id), GraceExtensionForm()
    if not form.validate_on_submit():
        return agent_tab(agent, 400, grace_form=form)
    try:
        until = grace.to_utc(form.until.data, dates.zone_name())
        grace_period.extend(me(), agent, until, form.reason.data)
    except FlowError as exc:
        form.until.errors.append(str(exc))
        return agent_tab(agent, 400, grace_form=form)
    flash(_("%(name)s may skip setting up 2FA until %(when)s. They have been told by email.", name=agent.name,
            when=dates.in_words(until)), "success")
    return redirect(url_for("admin.agent_2fa", user_id=agent.id), code=303)


def blank_form() -> GraceExtensionForm:
    return GraceExtensionForm(formdata=None)




def _end_user_page(person, form, status: int = 200):
    from ..twofactor import policy

    return render("admin/end_user_grace.html", status, person=person, form=form,
                  requirement=policy.requirement(person))


@bp.route("/end-users/<int:user_id>/grace", methods=["GET", "POST"])
@admin_required
@fresh_proof_required
def end_user_grace(user_id: int):
    """The same for an end user, on a page of its own (End users › Extend grace period)."""
    from .end_users import end_user_or_404

    person = end_user_or_404(user_id)
    if request.method == "GET":
        return _end_user_page(person, blank_form())
    form = GraceExtensionForm()
    if not form.validate_on_submit():
        return _end_user_page(person, form, 400)
    try:
        until = grace.to_utc(form.until.data, dates.zone_name())
        grace_period.extend(me(), person, until, form.reason.data)
    except FlowError as exc:
        form.until.errors.append(str(exc))
        return _end_user_page(person, form, 400)
    flash(_("%(name)s may skip setting up 2FA until %(when)s. They have been told by email.", name=person.name,
            when=dates.in_words(until)), "success")
    return redirect(url_for("admin.end_users", q=person.email), code=303)
