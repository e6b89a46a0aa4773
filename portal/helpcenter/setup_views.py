"""Your 2FA > Set up authentication app / Set up email authentication (seed 004).

The flows are the shared ones (portal.twofactor.setup): begin keeps the pending secret in the session, confirm
checks the first code and stores the authenticator, send_setup_code emails the verification code.
"""
from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from ..twofactor import fresh, registry, setup
from ..twofactor.account_views import after_setup
from ..twofactor.base import Outcome
from ..twofactor.login_views import area_required
from . import AREA, bp
from .forms import AuthenticatorSetupForm, SendCodeForm
from .routes import render


@bp.route("/profile/2fa/setup/<instance_id>", methods=["GET", "POST"])
@area_required(AREA)
@fresh.fresh_required(AREA, back="helpcenter.two_factor")
def set_up(instance_id):
    user, instance = current_user._get_current_object(), setup.instance_or_404(instance_id)
    form = AuthenticatorSetupForm()
    status, sent = 200, False
    if request.method == "POST":
        sent = True  # the email form only offers the code once a code was sent
        if form.validate_on_submit() and _confirm(user, instance, form):
            # The first authenticator comes with recovery codes: they are shown once, before Your 2FA.
            return redirect(after_setup(AREA, url_for("helpcenter.two_factor")))
        status = 400
    view = setup.begin(user, instance, restart=request.method == "GET" and request.args.get("new") == "1")
    return _page(view, form, status, sent=sent)


@bp.route("/profile/2fa/setup/<instance_id>/send", methods=["POST"])
@area_required(AREA)
@fresh.fresh_required(AREA, back="helpcenter.two_factor")
def send_setup_code(instance_id):
    """Email authentication: check the name, then email the verification code to the person's address."""
    user, instance = current_user._get_current_object(), setup.instance_or_404(instance_id)
    method = registry.method(instance.plugin_key)
    if method is None or not method.sends_code:
        abort(404)
    send_form = SendCodeForm()
    view = setup.begin(user, instance)
    if not send_form.validate_on_submit() or not _name_ok(user, send_form):
        return _page(view, None, 400, sent=False, send_form=send_form)
    outcome = setup.send_setup_code(user, instance)
    if outcome is not Outcome.OK:
        flash(method.send_failure_message(outcome), "error")
        status = 503 if outcome is Outcome.UNAVAILABLE else 429
        # Asked again too soon: the code sent a moment ago still works, so its field stays on the page.
        return _page(view, None, status, sent=outcome in (Outcome.THROTTLED, Outcome.USED_UP), send_form=send_form)
    flash(f"We sent a verification code to {view.target}. It is valid for 10 minutes.", "success")
    return _page(view, None, 200, sent=True, send_form=send_form)


def _name_ok(user, form) -> bool:
    try:
        setup.check_name(user, form.name.data)
        return True
    except setup.FlowError as exc:
        form.name.errors.append(str(exc))
        return False


def _confirm(user, instance, form) -> bool:
    if not _name_ok(user, form):
        return False
    try:
        authenticator = setup.confirm(user, instance, form.name.data, form.code.data)
    except setup.FlowError as exc:
        form.code.errors.append(str(exc))
        return False
    if authenticator.is_default:
        flash(f"Your 2FA is set up: “{authenticator.name}” will be asked for when you sign in.", "success")
    else:
        flash(f"Your 2FA is set up: “{authenticator.name}” is added. To use it, choose “Use another "
              "authenticator” when you sign in, or make it your default under Edit.", "success")
    return True


def _page(view, form, status: int, sent: bool, send_form=None):
    """The set-up page of the method; `send_form` is the email method's "Send Verification Code" step."""
    if form is None:
        form = AuthenticatorSetupForm(formdata=None, name=send_form.name.data)
    if send_form is None:
        send_form = SendCodeForm(formdata=None, name=form.name.data)
    template = "helpcenter/setup_app.html" if view.method_key == "totp" else "helpcenter/setup_email.html"
    return render(template, status, user=current_user, tab="2fa", view=view, form=form, send_form=send_form,
                  sent=sent)
