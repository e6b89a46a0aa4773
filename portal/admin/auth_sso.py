"""Auth & SSO > Two-Factor Authentication > Manage: method switches, agent and end-user requirement,
and the grace date entered in the admin's timezone."""
from flask import flash, redirect, url_for
from flask_babel import gettext as _

from .. import clock
from ..settings import get_setting, grace_until
from ..twofactor import registry
from ..twofactor.base import FlowError
from ..sso import admin_views  # noqa: F401  (Auth & SSO › Single sign-on: the identity providers)
from . import bp, grace, requirement_preview
from .access import admin_required, fresh_proof_required, me, render
from .forms import AuthSettingsForm, SessionLimitsForm, auth_settings_form
from .rules import SESSION_LIMITS, AuthChoices, NeedsConfirmation, save_auth_settings, set_session_limits


def _methods() -> dict:
    """The installed methods, each with its switch (the plugin's Status seen from here)."""
    return {p.key: p.method for p in registry.overview() if p.installed and p.method is not None}


def _current_form() -> AuthSettingsForm:
    tz_name = get_setting("grace_timezone") or "UTC"
    deadline = grace_until()
    methods = _methods()
    return auth_settings_form(
        methods, formdata=None, **{key: registry.is_active(key) for key in methods},
        require_agents=bool(get_setting("require_agents_2fa")),
        require_end_users=bool(get_setting("require_end_users_2fa")),
        require_admins=bool(get_setting("require_admins_2fa")), grace_timezone=tz_name,
        grace_until=grace.to_local(deadline, tz_name) if deadline else None)


def _limits_form() -> SessionLimitsForm:
    return SessionLimitsForm(formdata=None, **{field: get_setting(key) for field, key in SESSION_LIMITS.items()})


def _page(form: AuthSettingsForm, status: int = 200, confirm_message: str | None = None, error: str | None = None,
          limits_form: SessionLimitsForm | None = None):
    deadline = grace_until()
    tz_name = get_setting("grace_timezone") or "UTC"
    using = registry.people_using()
    switches = [(form[key], method, using.get(key, 0)) for key, method in _methods().items()]
    return render("admin/auth.html", status, form=form, switches=switches,
                  deadline=deadline, deadline_text=grace.describe(deadline, tz_name) if deadline else None,
                  grace_passed=deadline is not None and clock.now() >= deadline, confirm_message=confirm_message,
                  error=error, limits_form=limits_form or _limits_form(), preview=requirement_preview.preview(me()))


@bp.route("/auth/sessions", methods=["POST"])
@admin_required
@fresh_proof_required
def auth_sessions_save():
    from .portal_settings import came_from_settings, settings_page

    form = SessionLimitsForm()
    if not form.validate_on_submit():
        if came_from_settings():
            return settings_page(limits_form=form, status=400)
        return _page(_current_form(), 400, limits_form=form)
    changes = set_session_limits(me(), {field: form[field].data for field in SESSION_LIMITS})
    flash(_("Session limits saved.") if changes else _("Nothing changed."), "success")
    return redirect(url_for("admin.settings" if came_from_settings() else "admin.auth"), code=303)


@bp.route("/auth")
@admin_required
def auth():
    return _page(_current_form())


@bp.route("/auth", methods=["POST"])
@admin_required
@fresh_proof_required
def auth_save():
    methods = _methods()
    form = auth_settings_form(methods)
    if not form.validate_on_submit():
        return _page(form, 400)
    grace_utc = None
    if form.grace_until.data:
        try:
            grace_utc = grace.to_utc(form.grace_until.data, form.grace_timezone.data)
        except FlowError as exc:
            form.grace_until.errors.append(str(exc))
            return _page(form, 400)
    choices = AuthChoices(methods={key: form[key].data for key in methods},
                          require_agents=form.require_agents.data, require_end_users=form.require_end_users.data,
                          require_admins=form.require_admins.data,
                          grace_until=grace_utc, grace_timezone=form.grace_timezone.data, confirmed=form.confirm.data)
    try:
        changes = save_auth_settings(me(), choices)
    except NeedsConfirmation as exc:
        return _page(form, 409, confirm_message=str(exc))
    except FlowError as exc:
        return _page(form, 400, error=str(exc))
    flash(_("Saved: %(changes)s.", changes="; ".join(changes)) if changes else _("Nothing changed."), "success")
    if grace_utc is not None and grace_utc <= clock.now() and choices.require_agents:
        flash(_("That grace date has already passed, so agents can't skip setting up 2FA."), "info")
    return redirect(url_for("admin.auth"), code=303)
