"""Avatar > My Profile > Your 2FA: the person's authenticators by name, Edit (rename) and Remove.

Views parse the form and call the shared flows (portal.twofactor.setup, fresh); no 2FA rule lives here.
Changes need a fresh proof: Edit and default go through the shared "Confirm it's you" page
(fresh_required); Remove asks for the password or a current code on its own form, next to the confirmation.
"""
from flask import abort, flash, redirect, request, url_for

from ..twofactor import fresh, registry, setup
from ..twofactor.areas import STATUS, area_required
from ..twofactor.areas import me as _me
from ..twofactor.base import Outcome
from ..twofactor.forms import ActionForm
from . import AREA, bp
from .forms import EditForm, RemoveForm
from .routes import render


def type_label(method_key: str) -> str:
    """What a person's list calls an authenticator's type (the method's own words; the key if it is gone)."""
    method = registry.method(method_key)
    return method.type_label if method else method_key


def _own_or_404(authenticator_id):
    authenticator = setup.owned(_me(), authenticator_id)
    if authenticator is None:
        abort(404)
    return authenticator


@bp.route("/profile")
@area_required(AREA)
def profile():
    return render("helpcenter/profile.html", user=_me(), tab="profile")


@bp.route("/profile/2fa")
@area_required(AREA)
def two_factor():
    user = _me()
    instances = registry.active_instances()
    offers = []
    for instance in instances:
        method = registry.method(instance.plugin_key)
        several = sum(i.plugin_key == instance.plugin_key for i in instances) > 1
        offers.append({"instance": instance, "label": method.set_up_label + (f" ({instance.name})" if several else "")})
    return render("helpcenter/two_factor.html", user=user, tab="2fa", offers=offers,
                  authenticators=user.confirmed_authenticators, type_label=type_label)


@bp.route("/profile/2fa/<authenticator_id>/edit", methods=["GET", "POST"])
@area_required(AREA)
@fresh.fresh_required(AREA)
def edit(authenticator_id):
    user, authenticator = _me(), _own_or_404(authenticator_id)
    form = EditForm()
    status = 200
    if request.method == "GET":
        form.name.data = authenticator.name
    elif form.validate_on_submit():
        try:
            setup.rename(user, authenticator, form.name.data)
            flash(f"Renamed to “{authenticator.name}”.", "success")
            return redirect(url_for("helpcenter.two_factor"))
        except setup.FlowError as exc:
            form.name.errors.append(str(exc))
            status = 409
    else:
        status = 400
    return render("helpcenter/edit.html", status, user=user, tab="2fa", authenticator=authenticator, form=form,
                  type_label=type_label, default_form=ActionForm(),
                  removal_refused=setup.removal_refused(user, authenticator))


@bp.route("/profile/2fa/<authenticator_id>/remove", methods=["GET", "POST"])
@area_required(AREA)
def remove(authenticator_id):
    user, authenticator = _me(), _own_or_404(authenticator_id)
    form = RemoveForm()
    refused = setup.removal_refused(user, authenticator)
    status = 200
    if request.method == "POST":
        status = _try_remove(user, authenticator, form, refused)
        if status is None:
            return redirect(url_for("helpcenter.two_factor"))
    return render("helpcenter/remove.html", status, user=user, tab="2fa", authenticator=authenticator, form=form,
                  type_label=type_label, refused=refused, needs_proof=not fresh.is_fresh())


def _try_remove(user, authenticator, form: RemoveForm, refused: str | None) -> int | None:
    """Check the confirmation and the fresh proof, then remove. Returns None on success, else the status."""
    if refused:
        return 409
    if not form.validate_on_submit():
        return 400
    if not fresh.is_fresh():
        if not form.secret.data:
            form.secret.errors.append("Enter your password or a current code to confirm it's you.")
            return 401
        outcome = fresh.prove(user, form.secret.data)
        if outcome is not Outcome.OK:
            form.secret.errors.append(fresh.PROOF_MESSAGES.get(outcome, fresh.PROOF_MESSAGES[Outcome.UNAVAILABLE]))
            return STATUS.get(outcome, 401)
    name = authenticator.name
    try:
        setup.remove(user, authenticator)
    except setup.FlowError as exc:
        flash(str(exc), "error")
        return 409
    flash(f"“{name}” was removed. It can no longer be used to sign in.", "success")
    return None
