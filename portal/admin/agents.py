"""Agents > Agent Profiles: the searchable list and each agent's 2FA tab: Enforce 2FA, Set up 2FA on
the agent's behalf, Remove (lost phone), Unlock."""
from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _, ngettext

from ..extensions import db
from ..models import AGENT, User
from ..twofactor import policy, registry
from ..twofactor.areas import AGENT_CONSOLE
from ..twofactor.base import FlowError
from ..twofactor.forms import ActionForm, ConfirmForm
from ..twofactor.setup_views import SetupPlace
from . import bp, grace_extension, rules
from .access import admin_required, fresh_proof_required, me, render
from .directory import is_locked, listing_for_request
from .forms import EnforceForm
from .people import session_rows


def agent_or_404(user_id: int) -> User:
    agent = db.session.get(User, user_id)
    if agent is None or agent.kind != AGENT:
        abort(404, _("There is no agent with that id."))
    return agent


@bp.route("/agents")
@admin_required
def agents():
    listing = listing_for_request(AGENT)
    return render("admin/agents.html", 400 if listing.message else 200, listing=listing)


def agent_tab(agent: User, status: int = 200, **context):
    instances = [i for i in registry.active_instances() if registry.method(i.plugin_key).can_be_set_up_by_admin]
    context.setdefault("enforce_form", EnforceForm(formdata=None, enforce=agent.enforce_2fa))
    context.setdefault("grace_form", grace_extension.blank_form())
    labels = {key: str(m.label) for key, m in registry.discovered().items()}
    return render("admin/agent_2fa.html", status, agent=agent, requirement=policy.requirement(agent), labels=labels,
                  sessions=session_rows(agent),
                  locked=is_locked(agent), setup_instances=instances, action_form=ActionForm(),
                  remove_form=context.pop("remove_form", ConfirmForm(formdata=None)), **context)


@bp.route("/agents/<int:user_id>")
@admin_required
def agent_2fa(user_id: int):
    return agent_tab(agent_or_404(user_id))


@bp.route("/agents/<int:user_id>/enforce", methods=["POST"])
@admin_required
@fresh_proof_required
def agent_enforce(user_id: int):
    agent, form = agent_or_404(user_id), EnforceForm()
    if not form.validate_on_submit():
        return agent_tab(agent, 400, enforce_form=form)
    try:
        changed = rules.set_enforce(me(), agent, form.enforce.data)
    except FlowError as exc:
        form.enforce.errors.append(str(exc))
        return agent_tab(agent, 400, enforce_form=form)
    if changed:
        if not agent.enforce_2fa:
            flash(_("Enforce 2FA is off for %(name)s.", name=agent.name), "success")
        elif agent.confirmed_authenticators:
            flash(_("Enforce 2FA is on for %(name)s.", name=agent.name), "success")
        else:
            flash(_("Enforce 2FA is on for %(name)s. They must set up 2FA on their next page or sign-in.",
                    name=agent.name), "success")
    else:
        flash(_("Nothing changed."), "info")
    return redirect(url_for("admin.agent_2fa", user_id=agent.id), code=303)


class AgentSetupByAdmin(SetupPlace):
    """Set up 2FA on an agent's behalf: the admin gets the QR code and key to hand over, and confirms it with a
    code from the agent's device. Logged as an admin action; the agent is told by email."""

    area, endpoint, template, base = AGENT_CONSOLE, "admin.agent_setup", "admin/agent_setup.html", "admin/base.html"

    def guard(self, view):
        return admin_required(fresh_proof_required(view))

    def subject(self, user_id, **kwargs) -> User:
        return agent_or_404(user_id)

    def actor(self) -> User:
        return me()

    def allows(self, method) -> bool:
        return method.can_be_set_up_by_admin

    def cancel_url(self, user_id, **kwargs) -> str:
        return url_for("admin.agent_2fa", user_id=user_id)

    def context(self, user: User, **kwargs) -> dict:
        return {"agent": user, "user": me()}

    def done(self, user: User, authenticator, **kwargs):
        flash(_("2FA is set up for %(name)s: “%(authenticator)s”. They have been told by email.", name=user.name,
                authenticator=authenticator.name), "success")
        return redirect(url_for("admin.agent_2fa", user_id=user.id), code=303)


AgentSetupByAdmin().register(bp, "/agents/<int:user_id>/setup/<int:instance_id>", None)


@bp.route("/agents/<int:user_id>/remove", methods=["POST"])
@admin_required
@fresh_proof_required
def agent_remove(user_id: int):
    agent, form = agent_or_404(user_id), ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    if not form.confirm.data:
        form.confirm.errors.append(_("Tick “Yes, I understand” to remove this agent's 2FA."))
        return agent_tab(agent, 400, remove_form=form)
    try:
        count = rules.reset_2fa(me(), agent)
    except FlowError as exc:
        form.confirm.errors.append(str(exc))
        return agent_tab(agent, 400, remove_form=form)
    if count is None:
        flash(_("The removal of %(name)s's 2FA is scheduled: it happens when the waiting period ends, unless they "
                "stop it. They were told by email. See Admin › Account recovery.", name=agent.name), "success")
        return redirect(url_for("admin.agent_2fa", user_id=agent.id), code=303)
    if policy.requirement(agent).required:
        flash(ngettext("Removed 2FA from %(name)s (%(num)d authenticator). They were signed out everywhere and told "
                       "by email. They must set up 2FA again at their next sign-in, with no new grace period.",
                       "Removed 2FA from %(name)s (%(num)d authenticators). They were signed out everywhere and told "
                       "by email. They must set up 2FA again at their next sign-in, with no new grace period.",
                       count, name=agent.name), "success")
    else:
        flash(ngettext("Removed 2FA from %(name)s (%(num)d authenticator). They were signed out everywhere and told "
                       "by email.",
                       "Removed 2FA from %(name)s (%(num)d authenticators). They were signed out everywhere and told "
                       "by email.", count, name=agent.name), "success")
    return redirect(url_for("admin.agent_2fa", user_id=agent.id), code=303)


@bp.route("/agents/<int:user_id>/unlock", methods=["POST"])
@admin_required
@fresh_proof_required
def agent_unlock(user_id: int):
    agent = agent_or_404(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    rules.unlock(me(), agent)
    flash(_("%(name)s is unlocked and can try their codes again.", name=agent.name), "success")
    return redirect(url_for("admin.agent_2fa", user_id=agent.id), code=303)
