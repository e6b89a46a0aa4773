"""The owner's side: "I can't use any of my methods" on the challenge page (after the password only), and the
cancel link's page (no sign-in needed)."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ..rate_limits import auth_limit
from ..twofactor.areas import HELP_CENTER, Area, advance, pending_at
from ..twofactor.forms import ActionForm
from . import flow

bp = Blueprint("account_recovery", __name__)


def register_recovery_request(area_bp, area: Area) -> None:
    @auth_limit
    def request_view():
        pending, user, elsewhere = pending_at(area, "challenge")
        if elsewhere:
            return elsewhere
        if flow.run_due(user):  # its waiting period ended and nobody ran it yet: done now, the sign-in goes on
            return advance(area, pending)
        form, sent = ActionForm(), False
        current = flow.active(user)
        if current is None and form.is_submitted():
            if not form.validate_on_submit():
                abort(400)
            current, sent = flow.ask(user)
        return area.render("account_recovery/request.html", form=form, recovery=current, sent=sent,
                           user=user)

    area_bp.add_url_rule("/login/account-recovery", "login_account_recovery", request_view, methods=["GET", "POST"])


@bp.route("/cancel/<token>", methods=["GET", "POST"])
@auth_limit
def cancel(token):
    row = flow.by_token(token)
    if row is None:
        abort(404)
    flow.run_due(row.user)
    form = ActionForm()
    if form.is_submitted():
        if not form.validate_on_submit():
            abort(400)
        if flow.cancel_by_owner(row):
            flash(_("The recovery is cancelled: your sign-in methods stay as they are."), "success")
        return redirect(url_for("account_recovery.cancel", token=token), code=303)
    return render_template("account_recovery/cancel.html", area=HELP_CENTER, base=HELP_CENTER.base_template,
                           row=row, form=form, active=row.state in flow.ACTIVE), 200
