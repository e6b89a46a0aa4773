"""Admin › Account recovery: recoveries apart from ordinary requests, each with the requester verification state
and the account's recent security activity; approve, refuse; the waiting period and the Remove 2FA delay."""
from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.fields import BooleanField, IntegerField, SubmitField
from wtforms.validators import InputRequired, NumberRange

from .. import security_log
from ..admin.access import admin_required, fresh_proof_required, me, render
from ..extensions import db
from ..models import AccountRecovery, RequesterVerification, SecurityEvent, SupportRequest
from ..requests import verification
from ..settings import get_setting, set_setting
from ..twofactor.base import FlowError
from ..twofactor.forms import ActionForm
from . import flow

RECENT = 15
STATES = {"requested": _l("Waiting for approval"), "waiting": _l("Waiting period running"),
          "cancelled": _l("Cancelled"), "refused": _l("Refused"), "completed": _l("Completed: 2FA removed")}


class RecoverySettingsForm(FlaskForm):
    wait_hours = IntegerField(_l("Waiting period (hours)"), validators=[
        InputRequired(_l("Enter a number of hours.")),
        # NumberRange fills in %(min)s and %(max)s.
        NumberRange(min=0, max=flow.WAIT_HOURS_MAX, message=_l("Enter %(min)s to %(max)s hours."))])
    delay_removal = BooleanField(_l("“Remove 2FA” by an admin waits too, with the owner's notice and cancel link"))
    submit = SubmitField(_l("Save"))


def register_admin_recovery_routes(bp) -> None:
    def row_or_404(recovery_id) -> AccountRecovery:
        row = db.session.get(AccountRecovery, recovery_id)
        if row is None:
            abort(404)
        return row

    def list_page(form=None, status=200):
        flow.run_due()
        rows = list(db.session.scalars(db.select(AccountRecovery).order_by(AccountRecovery.id.desc()).limit(100)))
        form = form or RecoverySettingsForm(formdata=None, wait_hours=flow.wait_hours(),
                                            delay_removal=bool(get_setting("delay_admin_2fa_removal")))
        return render("account_recovery/admin_list.html", status, rows=rows, states=STATES, form=form)

    @admin_required
    def list_view():
        return list_page()

    @admin_required
    @fresh_proof_required
    def settings_view():
        form = RecoverySettingsForm()
        if not form.validate_on_submit():
            return list_page(form, 400)
        set_setting("recovery_wait_hours", form.wait_hours.data)
        set_setting("delay_admin_2fa_removal", bool(form.delay_removal.data))
        security_log.record("admin.policy_changed", None, actor=me(), recovery_wait_hours=form.wait_hours.data,
                            delay_admin_2fa_removal=bool(form.delay_removal.data))
        db.session.commit()
        flash(_("Account recovery settings saved."), "success")
        return redirect(url_for("admin.recoveries"), code=303)

    def detail_page(row, status=200, error=None):
        latest = db.session.scalar(
            db.select(RequesterVerification).join(SupportRequest)
            .where(SupportRequest.requester_id == row.user_id, RequesterVerification.state != "replaced")
            .order_by(RequesterVerification.id.desc()).limit(1))
        events = list(db.session.scalars(db.select(SecurityEvent).where(SecurityEvent.user_id == row.user_id)
                                         .order_by(SecurityEvent.created_at.desc(), SecurityEvent.id.desc())
                                         .limit(RECENT)))
        return render("account_recovery/admin_detail.html", status, row=row, states=STATES, error=error,
                      needed=flow.approvals_needed(row), verified=verification.shown(latest), events=events,
                      describe=security_log.describe, form=ActionForm())

    @admin_required
    def detail_view(recovery_id):
        flow.run_due()
        return detail_page(row_or_404(recovery_id))

    @admin_required
    @fresh_proof_required
    def approve_view(recovery_id):
        row = row_or_404(recovery_id)
        if not ActionForm().validate_on_submit():
            abort(400)
        try:
            outcome = flow.approve(row, me())
        except FlowError as exc:
            return detail_page(row, 409, error=str(exc))
        flash(_("Approved. A second, different admin must approve it too.") if outcome == "approved" else
              _("Approved. The waiting period runs now; the owner was told and can still stop it."), "success")
        return redirect(url_for("admin.recovery", recovery_id=row.id), code=303)

    @admin_required
    @fresh_proof_required
    def refuse_view(recovery_id):
        row = row_or_404(recovery_id)
        if not ActionForm().validate_on_submit():
            abort(400)
        try:
            refused = flow.refuse(row, me())
        except FlowError as exc:
            return detail_page(row, 409, error=str(exc))
        if refused:
            flash(_("Refused. The owner was told."), "success")
        return redirect(url_for("admin.recovery", recovery_id=row.id), code=303)

    bp.add_url_rule("/recoveries", "recoveries", list_view)
    bp.add_url_rule("/recoveries/settings", "recovery_settings", settings_view, methods=["POST"])
    bp.add_url_rule("/recoveries/<int:recovery_id>", "recovery", detail_view)
    bp.add_url_rule("/recoveries/<int:recovery_id>/approve", "recovery_approve", approve_view, methods=["POST"])
    bp.add_url_rule("/recoveries/<int:recovery_id>/refuse", "recovery_refuse", refuse_view, methods=["POST"])
