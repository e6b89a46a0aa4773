"""Agent console: the dashboard and Preferences > Security. Views parse and render; flows live in the core."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..rate_limits import auth_limit
from ..twofactor import registry, setup
from ..twofactor.account_views import after_setup
from ..twofactor.base import Outcome
from ..twofactor.forms import ActionForm, SetupForm
from ..twofactor.fresh import fresh_required
from ..twofactor.login_views import area_required
from . import AREA, bp


def _me():
    return current_user._get_current_object()


@bp.route("/")
@area_required(AREA)
def home():
    return render_template("agent/home.html", area=AREA, base=AREA.base_template, user=_me(), form=ActionForm())


@bp.route("/preferences/security")
@area_required(AREA)
def security():
    user = _me()
    options = []
    for instance in registry.active_instances():
        mine = [a for a in user.confirmed_authenticators if a.instance_id == instance.id]
        options.append({"instance": instance, "method": registry.method(instance.plugin_key), "mine": mine})
    return render_template("agent/security.html", area=AREA, base=AREA.base_template, user=user,
                           options=options, form=ActionForm())


@bp.route("/preferences/security/setup/<instance_id>", methods=["GET", "POST"])
@area_required(AREA)
@fresh_required(AREA, back="agent.security")
def security_setup(instance_id):
    user, instance = _me(), setup.instance_or_404(instance_id)
    form = SetupForm()
    if request.method == "GET" and not form.name.data:
        form.name.data = _unique_default_name(user, registry.method(instance.plugin_key).label)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                setup.confirm(user, instance, form.name.data, form.code.data)
                flash("Setup complete. You can now choose it as your default 2FA method.", "success")
                return redirect(after_setup(AREA, url_for("agent.security")))
            except setup.FlowError as exc:
                form.code.errors.append(str(exc))
        status = 400
    view = setup.begin(user, instance, restart=request.method == "GET" and request.args.get("new") == "1")
    return render_template("agent/setup.html", area=AREA, base=AREA.base_template, user=user, form=form,
                           view=view), status


@bp.route("/preferences/security/setup/<instance_id>/send-code", methods=["POST"])
@auth_limit
@area_required(AREA)
@fresh_required(AREA, back="agent.security")
def security_setup_send_code(instance_id):
    """Email setup's "Send Verification Code": email the code, then show the same page with the name kept."""
    user, instance = _me(), setup.instance_or_404(instance_id)
    method = registry.method(instance.plugin_key)
    if not method.sends_code:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    outcome = setup.send_setup_code(user, instance)
    view = setup.begin(user, instance)
    if outcome is Outcome.OK:
        flash(f"We sent a verification code to {view.target}. It is valid for 10 minutes.", "success")
    else:
        flash(method.send_failure_message(outcome), "error")
    form = SetupForm(formdata=None, name=request.form.get("name", "")[:60])
    status = 200 if outcome is Outcome.OK else 503 if outcome is Outcome.UNAVAILABLE else 429
    return render_template("agent/setup.html", area=AREA, base=AREA.base_template, user=user, form=form,
                           view=view), status


@bp.route("/preferences/security/<authenticator_id>/default", methods=["POST"])
@area_required(AREA)
@fresh_required(AREA, back="agent.security")
def security_default(authenticator_id):
    user = _me()
    authenticator = setup.owned(user, authenticator_id)
    if authenticator is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    setup.set_default(user, authenticator)
    flash(f"“{authenticator.name}” is now your default 2FA method.", "success")
    return redirect(url_for("agent.security"))


def _unique_default_name(user, label: str) -> str:
    names = {a.name for a in user.authenticators}
    if label not in names:
        return label
    n = 2
    while f"{label} {n}" in names:
        n += 1
    return f"{label} {n}"
