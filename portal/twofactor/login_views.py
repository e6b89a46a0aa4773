"""The sign-in pages (password, challenge, mandatory setup, skip, sign out), registered once per area.

The agent console and the help center get the same views with their own URLs, layout and home page.
"""
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import security_log, sessions
from ..account_status import AccountDisabled
from ..extensions import db
from ..rate_limits import auth_limit
from ..sso.views import register_sso_login
from . import devices, lock_notice, login, policy, registry
from .account_forms import RememberChallengeForm
from .areas import STATUS, Area, advance, finish, pending_at, sign_in_again, signed_in
from .base import Outcome
from .forms import ActionForm, LoginForm, for_method
from .passkey_login import register_passkey_routes
from .recovery_login import register_recovery_login
from .setup_views import register_mandatory_setup


def register_login_routes(bp, area: Area) -> None:
    render = area.render

    @auth_limit
    def login_view():
        if signed_in(area):
            return redirect(url_for(area.home))
        form = LoginForm()
        status = 200
        if request.method == "GET":
            form.email.data = login.forget_expired(area.name)  # a sign-in that expired: its address is kept
        if request.method == "POST":
            if form.validate_on_submit():
                try:
                    user = login.check_password(form.email.data, form.password.data, area.kind)
                except AccountDisabled as disabled:
                    form.password.errors.append(disabled.description)
                    return render("auth/login.html", disabled.code, form=form)
                only_sso = user.only_sso_provider if user is not None else None
                if user is not None and only_sso is None:
                    pending = login.begin(user, area.name, request.args.get("next"))
                    return advance(area, pending)
                form.password.errors.append(_("Your account signs in with %(provider)s: use its button below.",
                                              provider=only_sso) if only_sso else _("Email or password is incorrect."))
                status = 403 if only_sso else 401
            else:
                status = 400
        return render("auth/login.html", status, form=form)

    @auth_limit
    def verify_view():
        pending, user, elsewhere = pending_at(area, "challenge")
        if elsewhere:
            return elsewhere
        wanted = (request.args.get("with") if request.method == "GET"
                  else (request.form.get("authenticator_id") or None))
        authenticator = login.challenge_authenticator(user, wanted)
        if authenticator is None:
            abort(404)
        method = registry.method(authenticator.method)
        form = for_method(RememberChallengeForm, method)()  # a security key posts its response, not a code
        status = 200
        if request.method == "POST":
            if form.validate_on_submit():
                outcome = login.attempt(pending, authenticator, form.code.data)
                if outcome is Outcome.OK:
                    response = finish(area, pending, authenticator.method)
                    if form.remember.data and signed_in(area):
                        devices.remember(user, response)
                    return response
                if login.current(area.name) is None:
                    return sign_in_again(area, lock_notice.explain(user))
                form.code.errors.append(lock_notice.refused(
                    user, outcome, registry.method(authenticator.method).code_message(outcome)))
                status = STATUS[outcome]
            else:
                status = 400
        form.authenticator_id.data = str(authenticator.id)
        others = [a for a in user.confirmed_authenticators if a.id != authenticator.id]
        details = method.challenge_details(authenticator, f"login:{pending.id}") if method else {}
        return render("auth/challenge.html", status, form=form, authenticator=authenticator, method=method,
                      others=others, send_form=ActionForm(), user=user, remember_days=devices.days(),
                      has_recovery_codes=pending.has_recovery_codes, details=details,
                      locked_notice=lock_notice.as_loaded(user) if request.method == "GET" else None)

    @auth_limit
    def send_code_view():
        pending, user, elsewhere = pending_at(area, None)
        if elsewhere:
            return elsewhere
        form = ActionForm()
        authenticator = login.challenge_authenticator(user, request.form.get("authenticator_id"))
        if authenticator is None:
            abort(404)
        if not form.validate_on_submit():
            abort(400)
        method = registry.method(authenticator.method)
        if method is None or not method.sends_code:
            abort(404)
        outcome = method.send_code(user, authenticator.target, f"login:{pending.id}")
        if outcome is Outcome.OK:
            flash(_("We sent a code to %(address)s. It is valid for 10 minutes.", address=authenticator.target), "success")
        else:
            flash(method.send_failure_message(outcome), "error")
        return redirect(area.url("login_verify", **{"with": authenticator.id}))

    def skip_view():
        pending, user, elsewhere = pending_at(area, None)
        if elsewhere:
            return elsewhere
        form = ActionForm()
        if not form.validate_on_submit():
            abort(400)
        req = policy.requirement(user)
        if login.next_step(user) != "setup" or not req.skip_allowed:
            flash(_("Setting up two-factor authentication can no longer be skipped."), "error")
            return redirect(area.url("login_setup"), code=303)
        security_log.record("2fa.setup_skipped", user, deadline=req.deadline.isoformat())
        db.session.commit()
        return finish(area, pending, "skipped")  # the session remembers it: area_required lets it through

    def cancel_view():
        """"Sign out" on the mandatory setup, "Use a different account" on the challenge: the sign-in under way
        ends (its pending row goes) and the sign-in page is empty again."""
        if not ActionForm().validate_on_submit():
            abort(400)
        login.cancel(area.name)
        flash(_("You have signed out. Sign in with the account you want to use."), "success")
        return redirect(area.url("login"), code=303)

    def logout_view():
        form = ActionForm()
        if not form.validate_on_submit():
            abort(400)
        if current_user.is_authenticated:
            security_log.record("logout", current_user._get_current_object())
        sessions.sign_out()  # the row goes: this cookie, and every copy of it, is dead on every worker
        db.session.commit()
        flash(_("You have signed out."), "success")
        return redirect(area.url("login"))

    bp.add_url_rule("/login", "login", login_view, methods=["GET", "POST"])
    bp.add_url_rule("/login/verify", "login_verify", verify_view, methods=["GET", "POST"])
    bp.add_url_rule("/login/send-code", "login_send_code", send_code_view, methods=["POST"])
    bp.add_url_rule("/login/skip", "login_skip", skip_view, methods=["POST"])
    bp.add_url_rule("/logout", "logout", logout_view, methods=["POST"])
    bp.add_url_rule("/login/cancel", "login_cancel", cancel_view, methods=["POST"])
    register_recovery_login(bp, area)
    register_mandatory_setup(bp, area)
    register_passkey_routes(bp, area)
    register_sso_login(bp, area)
