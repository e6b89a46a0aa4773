"""End users: the help center's people, searchable and paginated, with Reset 2FA (lost access: the same removal,
logging, notification and session revocation as an agent's) and Unlock."""
from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _, ngettext

from ..extensions import db
from ..models import END_USER, User
from ..twofactor import policy
from ..twofactor.forms import ActionForm, ConfirmForm
from ..twofactor.base import FlowError
from . import bp, rules
from .access import admin_required, fresh_proof_required, me, render
from .directory import is_locked, listing_for_request


def end_user_or_404(user_id: int) -> User:
    person = db.session.get(User, user_id)
    if person is None or person.kind != END_USER:
        abort(404, _("There is no end user with that id."))
    return person


@bp.route("/end-users")
@admin_required
def end_users():
    listing = listing_for_request(END_USER)
    return render("admin/end_users.html", 400 if listing.message else 200, listing=listing, action_form=ActionForm())


def _reset_page(person: User, form: ConfirmForm, status: int = 200):
    return render("admin/end_user_reset.html", status, person=person, form=form,
                  requirement=policy.requirement(person), locked=is_locked(person))


@bp.route("/end-users/<int:user_id>/reset")
@admin_required
def end_user_reset(user_id: int):
    return _reset_page(end_user_or_404(user_id), ConfirmForm(formdata=None))


@bp.route("/end-users/<int:user_id>/reset", methods=["POST"])
@admin_required
@fresh_proof_required
def end_user_reset_save(user_id: int):
    person, form = end_user_or_404(user_id), ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    if not form.confirm.data:
        form.confirm.errors.append(_("Tick “Yes, I understand” to reset this person's 2FA."))
        return _reset_page(person, form, 400)
    try:
        count = rules.reset_2fa(me(), person)
    except FlowError as exc:
        form.confirm.errors.append(str(exc))
        return _reset_page(person, form, 400)
    if count is None:
        flash(_("The removal of %(name)s's 2FA is scheduled: it happens when the waiting period ends, unless they "
                "stop it. They were told by email. See Admin › Account recovery.", name=person.name), "success")
        return redirect(url_for("admin.end_users", q=person.email), code=303)
    flash(ngettext("Reset 2FA for %(name)s (%(num)d authenticator removed). They were signed out everywhere and "
                   "told by email.",
                   "Reset 2FA for %(name)s (%(num)d authenticators removed). They were signed out everywhere and "
                   "told by email.", count, name=person.name), "success")
    return redirect(url_for("admin.end_users", q=person.email), code=303)


@bp.route("/end-users/<int:user_id>/unlock", methods=["POST"])
@admin_required
@fresh_proof_required
def end_user_unlock(user_id: int):
    person = end_user_or_404(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    rules.unlock(me(), person)
    flash(_("%(name)s is unlocked and can try their codes again.", name=person.name), "success")
    return redirect(url_for("admin.end_users", q=person.email), code=303)
