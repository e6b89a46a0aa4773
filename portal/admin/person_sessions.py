"""Where a person is signed in, as an admin sees it, and "Sign out everywhere" — one view for agents (on their 2FA
tab) and end users (their own sessions page), both through rules.end_sessions (logged, the owner mailed)."""
from flask import abort, flash, redirect, url_for

from .. import sessions
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
    """The admin page that shows this person's sessions."""
    if person.kind == AGENT:
        return url_for("admin.agent_2fa", user_id=person.id)
    return url_for("admin.end_user_sessions", user_id=person.id)


@bp.route("/end-users/<int:user_id>/sessions")
@admin_required
def end_user_sessions(user_id: int):
    person = db.session.get(User, user_id)
    if person is None or person.kind != END_USER:
        abort(404, "There is no end user with that id.")
    return render("admin/end_user_sessions.html", person=person, sessions=session_rows(person),
                  action_form=ActionForm())


@bp.route("/people/<int:user_id>/sessions/end", methods=["POST"])
@admin_required
@fresh_proof_required
def end_sessions(user_id: int):
    person = db.session.get(User, user_id)
    if person is None:
        abort(404, "There is no one with that id.")
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        count = rules.end_sessions(me(), person)
    except FlowError as exc:
        flash(str(exc), "error")
        return redirect(person_page(person), code=303)
    flash(f"{person.name} is signed out everywhere ({count} session{'s' if count != 1 else ''}). "
          "They have been told by email.", "success")
    return redirect(person_page(person), code=303)
