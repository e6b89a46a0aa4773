"""Auth & SSO › "Require a security key or passkey for admins": the phishing-resistant admin (issue 21).

While it is on (and security keys are switched on), an admin whose factors are only codes is led to register a key
before any admin page opens: during the grace period of "Require agents" (the same grace date) they may choose
"Not now" once per session; after it, only the key opens the admin pages. Agents and end users are not concerned.
The rule is `must_register`; the gate is `key_required`, which admin_required puts in front of every admin page.
"""
from functools import wraps

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.fields import BooleanField

from .. import clock, security_log, sessions
from ..extensions import db
from ..models import User
from ..settings import get_setting, grace_until, set_setting
from ..twofactor import registry
from ..twofactor.areas import AGENT_CONSOLE, area_required, me
from ..twofactor.webauthn_method import WebAuthnMethod
from . import bp
from .access import admin_required, fresh_proof_required, render

SETTING = "require_admin_security_key"
LATER = "admin_key_later"  # this session chose "Not now" during the grace period (kept on the server)


class AdminKeysForm(FlaskForm):
    require_admin_keys = BooleanField(_l("Require a security key or passkey for admins"))


def required_for(user: User) -> bool:
    return bool(user.is_admin and get_setting(SETTING) and registry.is_active(WebAuthnMethod.key))


def has_key(user: User) -> bool:
    return any(a.method == WebAuthnMethod.key for a in user.confirmed_authenticators)


def in_grace() -> bool:
    deadline = grace_until()
    return deadline is not None and clock.now() < deadline


def must_register(user: User) -> bool:
    """An admin who must register a key before an admin page opens (now: "Not now" is over or not offered)."""
    if not required_for(user) or has_key(user):
        return False
    return not (in_grace() and sessions.state(LATER))


def key_required(view):
    """Put in front of admin pages by admin_required (after the sign-in and admin checks)."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if must_register(me()):
            return redirect(url_for("admin.security_key_required",
                                    next=request.full_path if request.method == "GET" else None))
        return view(*args, **kwargs)
    return wrapped


def _setup_url() -> str | None:
    instances = registry.active_instances(WebAuthnMethod.key)
    return url_for("agent.security_setup", instance_id=instances[0].id, new=1) if instances else None


@bp.route("/security-key", methods=["GET", "POST"])
@area_required(AGENT_CONSOLE)
def security_key_required():
    """Where an admin without a key is led: register one, or (during the grace period) not now."""
    user = me()
    if not user.is_admin:
        abort(403)
    form = FlaskForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        if not in_grace():
            flash(_("The grace period is over: register a security key or passkey to open the admin pages."),
                  "error")
            return redirect(url_for("admin.security_key_required"), code=303)
        sessions.keep(LATER, True)
        security_log.record("admin.security_key_postponed", user, deadline=grace_until().isoformat())
        db.session.commit()
        return redirect(url_for("admin.index"), code=303)
    if not required_for(user) or has_key(user):
        return redirect(url_for("admin.index"))
    return render("admin/security_key_required.html", form=form, setup_url=_setup_url(), grace=in_grace(),
                  deadline=grace_until())


@bp.route("/auth/admin-keys", methods=["POST"])
@admin_required
@fresh_proof_required
def save_admin_keys():
    form = AdminKeysForm()
    if not form.validate_on_submit():
        flash(_("This form has expired. Reload the page and try again."), "error")
        return redirect(url_for("admin.auth"), code=303)
    wanted = bool(form.require_admin_keys.data)
    if wanted and not registry.is_active(WebAuthnMethod.key):
        flash(_("Switch on “Security keys & passkeys” first: admins need it to register a key."), "error")
        return redirect(url_for("admin.auth"), code=303)
    if wanted and not has_key(me()):
        flash(_("Register your own security key or passkey first (Preferences › Security), so that you keep "
                "your way into the admin pages."), "error")
        return redirect(url_for("admin.auth"), code=303)
    if wanted != bool(get_setting(SETTING)):
        set_setting(SETTING, wanted)
        security_log.record("admin.policy_changed", actor=me(), changes=[f"{SETTING} {'on' if wanted else 'off'}"])
        db.session.commit()
        flash(_("Admins now need a security key or passkey.") if wanted
              else _("Admins no longer need a security key or passkey."), "success")
    else:
        flash(_("Nothing changed."), "success")
    return redirect(url_for("admin.auth"), code=303)


@bp.app_template_global("admin_key_policy")
def admin_key_policy() -> dict:
    """What Auth & SSO shows of this option (templates/admin/_admin_keys.html)."""
    return {"form": AdminKeysForm(formdata=None, require_admin_keys=bool(get_setting(SETTING))),
            "method_on": registry.is_active(WebAuthnMethod.key), "deadline": grace_until()}
