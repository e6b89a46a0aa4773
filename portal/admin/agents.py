"""Agents > Agent Profiles: the searchable list and each agent's 2FA tab (seed 002): Enforce 2FA, Set up 2FA on
the agent's behalf, Remove (lost phone), Unlock."""
from flask import abort, flash, redirect, request, url_for

from ..extensions import db
from ..models import AGENT, User
from ..twofactor import policy, registry, setup
from ..twofactor.forms import ActionForm, ConfirmForm, SetupForm
from ..twofactor.setup import FlowError
from . import bp, rules
from .access import admin_required, fresh_proof_required, me, render
from .directory import is_locked, listing_for_request
from .forms import EnforceForm


def _agent(user_id: int) -> User:
    agent = db.session.get(User, user_id)
    if agent is None or agent.kind != AGENT:
        abort(404, "There is no agent with that id.")
    return agent


@bp.route("/agents")
@admin_required
def agents():
    return render("admin/agents.html", listing=listing_for_request(AGENT))


def _tab(agent: User, status: int = 200, **context):
    instances = [i for i in registry.active_instances() if not registry.method(i.plugin_key).sends_code]
    context.setdefault("enforce_form", EnforceForm(formdata=None, enforce=agent.enforce_2fa))
    labels = {key: m.label for key, m in registry.discovered().items()}
    return render("admin/agent_2fa.html", status, agent=agent, requirement=policy.requirement(agent), labels=labels,
                  locked=is_locked(agent), setup_instances=instances, action_form=ActionForm(),
                  remove_form=context.pop("remove_form", ConfirmForm(formdata=None)), **context)


@bp.route("/agents/<int:user_id>")
@admin_required
def agent_2fa(user_id: int):
    return _tab(_agent(user_id))


@bp.route("/agents/<int:user_id>/enforce", methods=["POST"])
@admin_required
@fresh_proof_required
def agent_enforce(user_id: int):
    agent, form = _agent(user_id), EnforceForm()
    if not form.validate_on_submit():
        return _tab(agent, 400, enforce_form=form)
    try:
        changed = rules.set_enforce(me(), agent, form.enforce.data)
    except FlowError as exc:
        form.enforce.errors.append(str(exc))
        return _tab(agent, 400, enforce_form=form)
    if changed:
        flash(f"Enforce 2FA is {'on' if agent.enforce_2fa else 'off'} for {agent.name}."
              + (" They must set up 2FA on their next page or sign-in." if agent.enforce_2fa
                 and not agent.confirmed_authenticators else ""), "success")
    else:
        flash("Nothing changed.", "info")
    return redirect(url_for("admin.agent_2fa", user_id=agent.id), code=303)


@bp.route("/agents/<int:user_id>/setup/<int:instance_id>", methods=["GET", "POST"])
@admin_required
@fresh_proof_required
def agent_setup(user_id: int, instance_id: int):
    """Set up 2FA on the agent's behalf: the admin gets the QR code and key to hand over, and confirms it with a
    code from the agent's device. Logged as an admin action; the agent is told by email."""
    agent = _agent(user_id)
    instance = setup.instance_or_404(instance_id)
    method = registry.method(instance.plugin_key)
    if method.sends_code:
        abort(404, "That method sends codes to the person, so only they can set it up.")
    form = SetupForm()
    if request.method == "GET" and not form.name.data:
        form.name.data = method.label
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                setup.confirm(agent, instance, form.name.data, form.code.data, actor=me())
                flash(f"2FA is set up for {agent.name}: “{form.name.data.strip()}”. They have been told by email.",
                      "success")
                return redirect(url_for("admin.agent_2fa", user_id=agent.id), code=303)
            except FlowError as exc:
                form.code.errors.append(str(exc))
        status = 400
    view = setup.begin(agent, instance, restart=request.method == "GET" and request.args.get("new") == "1")
    return render("admin/agent_setup.html", status, agent=agent, form=form, view=view, method=method)


@bp.route("/agents/<int:user_id>/remove", methods=["POST"])
@admin_required
@fresh_proof_required
def agent_remove(user_id: int):
    agent, form = _agent(user_id), ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    if not form.confirm.data:
        form.confirm.errors.append("Tick “Yes, I understand” to remove this agent's 2FA.")
        return _tab(agent, 400, remove_form=form)
    try:
        count = rules.reset_2fa(me(), agent)
    except FlowError as exc:
        form.confirm.errors.append(str(exc))
        return _tab(agent, 400, remove_form=form)
    flash(f"Removed 2FA from {agent.name} ({count} authenticator{'s' if count != 1 else ''}). They were signed "
          "out everywhere and told by email." + (" They must set up 2FA again at their next sign-in, with no new "
                                                  "grace period." if policy.requirement(agent).required else ""),
          "success")
    return redirect(url_for("admin.agent_2fa", user_id=agent.id), code=303)


@bp.route("/agents/<int:user_id>/unlock", methods=["POST"])
@admin_required
@fresh_proof_required
def agent_unlock(user_id: int):
    agent = _agent(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    rules.unlock(me(), agent)
    flash(f"{agent.name} is unlocked and can try their codes again.", "success")
    return redirect(url_for("admin.agent_2fa", user_id=agent.id), code=303)
