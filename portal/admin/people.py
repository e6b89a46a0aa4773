"""What an admin does to one person's account, the same for agents (on their 2FA tab) and end users (their own
page): see where they are signed in and sign them out everywhere (rules.end_sessions), disable the account and
enable it again (portal.account_status). Each is logged and mailed to the owner."""
from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _, ngettext

from .. import account_status, sessions
from ..extensions import db
from ..models import AGENT, END_USER, User
from ..twofactor.base import FlowError
from ..twofactor.devices import browser_label
from ..twofactor.forms import ActionForm
from . import bp, rules
from .access import admin_required, fresh_proof_required, me, render


def session_rows(person: User) -> list:
    """(session row, "Firefox on Windows") for each browser the person is signed in on, newest activity first."""
    return [(s, browser_label(s.user_agent)) for s in sessions.of(person)]


def person_page(person: User) -> str:
    """The admin page of this person's account (their sessions, disable/enable)."""
    if person.kind == AGENT:
        return url_for("admin.agent_2fa", user_id=person.id)
    return url_for("admin.end_user", user_id=person.id)


@bp.route("/end-users/<int:user_id>")
@admin_required
def end_user(user_id: int):
    person = db.session.get(User, user_id)
    if person is None or person.kind != END_USER:
        abort(404, _("There is no end user with that id."))
    return render("admin/end_user.html", person=person, sessions=session_rows(person), action_form=ActionForm())


def _person(user_id: int) -> User:
    person = db.session.get(User, user_id)
    if person is None:
        abort(404, _("There is no one with that id."))
    if not ActionForm().validate_on_submit():
        abort(400)
    return person


@bp.route("/people/<int:user_id>/disable", methods=["POST"])
@admin_required
@fresh_proof_required
def disable(user_id: int):
    person = _person(user_id)
    try:
        ended = account_status.disable(person, actor=me())
    except FlowError as exc:
        flash(str(exc), "error")
        return redirect(person_page(person), code=303)
    flash(ngettext("%(name)s's account is disabled: they can't sign in (%(num)d session signed out). They have "
                   "been told by email.",
                   "%(name)s's account is disabled: they can't sign in (%(num)d sessions signed out). They have "
                   "been told by email.", ended, name=person.name), "success")
    return redirect(person_page(person), code=303)


@bp.route("/people/<int:user_id>/enable", methods=["POST"])
@admin_required
@fresh_proof_required
def enable(user_id: int):
    person = _person(user_id)
    try:
        account_status.enable(person, actor=me())
    except FlowError as exc:
        flash(str(exc), "error")
        return redirect(person_page(person), code=303)
    flash(_("%(name)s's account is enabled again. They have been told by email.", name=person.name), "success")
    return redirect(person_page(person), code=303)


@bp.route("/people/<int:user_id>/sessions/end", methods=["POST"])
@admin_required
@fresh_proof_required
def end_sessions(user_id: int):
    person = _person(user_id)
    try:
        count = rules.end_sessions(me(), person)
    except FlowError as exc:
        flash(str(exc), "error")
        return redirect(person_page(person), code=303)
    flash(ngettext("%(name)s is signed out everywhere (%(num)d session). They have been told by email.",
                   "%(name)s is signed out everywhere (%(num)d sessions). They have been told by email.", count,
                   name=person.name), "success")
    return redirect(person_page(person), code=303)
