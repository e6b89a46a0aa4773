"""One of the person's own authenticators: Edit (rename), make it the default, Remove. Registered once per area
(Preferences › Security for agents, Your 2FA for end users), like the other pages of the core.

Rename and default go through the shared "Confirm it's you" (fresh.fresh_required); Remove asks for the password or
a current code on its own form, next to the confirmation, when the last proof is too old.
"""
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _

from . import fresh, registry, setup
from .account_forms import EditForm, RemoveForm
from .areas import STATUS, area_required, me
from .base import FlowError, Outcome
from .forms import ActionForm


def type_label(method_key: str) -> str:
    """What a person's list calls an authenticator's type (the method's own words; the key if it is gone)."""
    method = registry.method(method_key)
    return str(method.type_label) if method else method_key


def register_authenticator_routes(bp, area, back: str, rule: str, nav: str) -> None:
    """Add Edit, make default and Remove at `rule` ("/profile/2fa/<authenticator_id>"); `back` is the endpoint of
    the area's own 2FA page, `nav` the template of the area's navigation shown above them."""
    def render(template: str, status: int = 200, **context):
        return area.render(template, status, user=me(), nav=nav, tab="2fa", back=url_for(back),
                           type_label=type_label, **context)

    def own_or_404(authenticator_id):
        authenticator = setup.owned(me(), authenticator_id)
        if authenticator is None:
            abort(404)
        return authenticator

    @fresh.fresh_required(area)
    def edit_view(authenticator_id):
        user, authenticator = me(), own_or_404(authenticator_id)
        form, status = EditForm(), 200
        if request.method == "GET":
            form.name.data = authenticator.name
        elif form.validate_on_submit():
            try:
                setup.rename(user, authenticator, form.name.data)
                flash(_("Renamed to “%(name)s”.", name=authenticator.name), "success")
                return redirect(url_for(back))
            except FlowError as exc:
                form.name.errors.append(str(exc))
                status = 409
        else:
            status = 400
        return render("security/edit_authenticator.html", status, authenticator=authenticator, form=form,
                      default_form=ActionForm(), removal_refused=setup.removal_refused(user, authenticator))

    @fresh.fresh_required(area)
    def make_default_view(authenticator_id):
        user, authenticator = me(), own_or_404(authenticator_id)
        if not ActionForm().validate_on_submit():
            abort(400)
        setup.set_default(user, authenticator)
        flash(_("“%(name)s” is now your default 2FA method. We ask for it first when you sign in.",
                name=authenticator.name), "success")
        return redirect(url_for(back))

    def remove_view(authenticator_id):
        user, authenticator = me(), own_or_404(authenticator_id)
        form = RemoveForm()
        refused = setup.removal_refused(user, authenticator)
        status = 200
        if request.method == "POST":
            status = _try_remove(user, authenticator, form, refused)
            if status is None:
                return redirect(url_for(back))
        return render("security/remove_authenticator.html", status, authenticator=authenticator, form=form,
                      refused=refused, needs_proof=not fresh.is_fresh())

    guard = area_required(area)
    bp.add_url_rule(f"{rule}/edit", "edit", guard(edit_view), methods=["GET", "POST"])
    bp.add_url_rule(f"{rule}/default", "make_default", guard(make_default_view), methods=["POST"])
    bp.add_url_rule(f"{rule}/remove", "remove", guard(remove_view), methods=["GET", "POST"])


def _try_remove(user, authenticator, form: RemoveForm, refused: str | None) -> int | None:
    """Check the confirmation and the fresh proof, then remove. Returns None on success, else the status."""
    if refused:
        return 409
    if not form.validate_on_submit():
        return 400
    if not fresh.is_fresh():
        if not form.secret.data:
            form.secret.errors.append(_("Enter your password or a current code to confirm it's you."))
            return 401
        outcome = fresh.prove(user, form.secret.data)
        if outcome is not Outcome.OK:
            form.secret.errors.append(str(fresh.PROOF_MESSAGES.get(outcome, fresh.PROOF_MESSAGES[Outcome.UNAVAILABLE])))
            return STATUS.get(outcome, 401)
    name = authenticator.name
    try:
        setup.remove(user, authenticator)
    except FlowError as exc:
        flash(str(exc), "error")
        return 409
    flash(_("“%(name)s” was removed. It can no longer be used to sign in.", name=name), "success")
    return None
