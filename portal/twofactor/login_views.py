"""The sign-in pages (password, challenge, mandatory setup, skip, sign out), registered once per area.

The agent console and the help center get the same views with their own URLs, layout and home page.
"""
from dataclasses import dataclass
from functools import wraps

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user

from .. import security_log
from ..extensions import db
from ..rate_limits import auth_limit
from . import devices, login, policy, quick_signin, recovery, registry, setup
from .account_forms import RememberChallengeForm
from .base import Outcome
from .forms import ActionForm, LoginForm, SetupForm

STATUS = {Outcome.WRONG: 401, Outcome.REPLAY: 401, Outcome.EXPIRED: 401, Outcome.USED_UP: 401,
          Outcome.NO_CODE: 400, Outcome.THROTTLED: 429, Outcome.LOCKED: 403, Outcome.UNAVAILABLE: 503}


@dataclass(frozen=True)
class Area:
    name: str  # "agent" or "helpcenter"; also the blueprint name
    kind: str  # which kind of person signs in here
    title: str  # "Agent console", "Help Center"
    base_template: str
    home: str  # endpoint of the area's home page

    def url(self, view: str, **values) -> str:
        return url_for(f"{self.name}.{view}", **values)


def signed_in(area: Area) -> bool:
    return (current_user.is_authenticated and current_user.kind == area.kind
            and session.get("area") == area.name)


def area_required(area: Area):
    """Pages of an area: signed in there with the second factor done, and meeting today's 2FA rules."""
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if current_user.is_authenticated and current_user.kind != area.kind:
                abort(403)
            if not signed_in(area):
                next_path = request.full_path if request.method == "GET" else None
                return redirect(area.url("login", next=next_path))
            req = policy.requirement(current_user)
            if req.required and not current_user.confirmed_authenticators:
                if not (req.skip_allowed and session.get("2fa_skipped")):
                    # The rules changed under a live session: back to the mandatory setup step.
                    user = current_user._get_current_object()
                    logout_user()
                    login.begin(user, area.name, request.full_path if request.method == "GET" else None)
                    return redirect(area.url("login_setup"))
            return view(*args, **kwargs)
        return wrapped
    return decorator


def register_login_routes(bp, area: Area) -> None:
    render = _renderer(area)


    @auth_limit
    def login_view():
        if signed_in(area):
            return redirect(url_for(area.home))
        form = LoginForm()
        status = 200
        if request.method == "POST":
            if form.validate_on_submit():
                user = login.check_password(form.email.data, form.password.data, area.kind)
                if user is not None:
                    pending = login.begin(user, area.name, request.args.get("next"))
                    return _advance(area, pending)
                form.password.errors.append("Email or password is incorrect.")
                status = 401
            else:
                status = 400
        return render("auth/login.html", status, form=form)

    @auth_limit
    def verify_view():
        if request.method == "POST":
            accepted = quick_signin.accept(area.name)  # a right code: committed in as few statements as it takes
            if accepted is not None:
                return _to_next(area, accepted.next_url)
        pending, user, elsewhere = pending_at(area, "challenge")
        if elsewhere:
            return elsewhere
        form = RememberChallengeForm()
        wanted = request.args.get("with") if request.method == "GET" else (form.authenticator_id.data or None)
        authenticator = login.challenge_authenticator(user, wanted)
        if authenticator is None:
            abort(404)
        status = 200
        if request.method == "POST":
            if form.validate_on_submit():
                outcome = login.attempt(pending, authenticator, form.code.data)
                if outcome is Outcome.OK:
                    response = _finish(area, pending, authenticator.method, stamped=True)
                    if form.remember.data and signed_in(area):
                        devices.remember(user, response)
                    return response
                if login.current(area.name) is None:
                    return sign_in_again(area)
                form.code.errors.append(registry.method(authenticator.method).code_message(outcome))
                status = STATUS[outcome]
            else:
                status = 400
        form.authenticator_id.data = str(authenticator.id)
        method = registry.method(authenticator.method)
        others = [a for a in user.confirmed_authenticators if a.id != authenticator.id]
        return render("auth/challenge.html", status, form=form, authenticator=authenticator, method=method,
                      others=others, send_form=ActionForm(), user=user, remember_days=devices.days(),
                      has_recovery_codes=pending.has_recovery_codes)

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
            flash(f"We sent a code to {authenticator.target}. It is valid for 10 minutes.", "success")
        else:
            flash(method.send_failure_message(outcome), "error")
        return redirect(area.url("login_verify", **{"with": authenticator.id}))

    @auth_limit
    def setup_view():
        pending, user, elsewhere = pending_at(area, "setup")
        if elsewhere:
            return elsewhere
        instances = registry.active_instances()
        if not instances:
            return render("auth/setup_unavailable.html", 503)
        instance = setup.instance_or_404(request.values.get("instance", instances[0].id))
        form = SetupForm()
        if request.method == "GET" and not form.name.data:
            form.name.data = registry.method(instance.plugin_key).label
        status = 200
        if request.method == "POST":
            if form.validate_on_submit():
                try:
                    setup.confirm(user, instance, form.name.data, form.code.data)
                    return _finish(area, pending, "setup")
                except setup.FlowError as exc:
                    form.code.errors.append(str(exc))
            status = 400
        view = setup.begin(user, instance)
        req = policy.requirement(user)
        return render("auth/setup.html", status, form=form, view=view, instances=instances, requirement=req,
                      skip_form=ActionForm(), user=user)

    @auth_limit
    def setup_send_code_view():
        """Mandatory setup, email method: "Send Verification Code" emails the code for this setup."""
        pending, user, elsewhere = pending_at(area, "setup")
        if elsewhere:
            return elsewhere
        if not ActionForm().validate_on_submit():
            abort(400)
        instance = setup.instance_or_404(request.args.get("instance", ""))
        method = registry.method(instance.plugin_key)
        if not method.sends_code:
            abort(404)
        outcome = setup.send_setup_code(user, instance)
        if outcome is Outcome.OK:
            flash(f"We sent a verification code to {user.email}. It is valid for 10 minutes.", "success")
        else:
            flash(method.send_failure_message(outcome), "error")
        return redirect(area.url("login_setup", instance=instance.id), code=303)

    def skip_view():
        pending, user, elsewhere = pending_at(area, None)
        if elsewhere:
            return elsewhere
        form = ActionForm()
        if not form.validate_on_submit():
            abort(400)
        req = policy.requirement(user)
        if login.next_step(user) != "setup" or not req.skip_allowed:
            flash("Setting up two-factor authentication can no longer be skipped.", "error")
            return redirect(area.url("login_setup"), code=303)
        security_log.record("2fa.setup_skipped", user, deadline=req.deadline.isoformat())
        db.session.commit()
        response = _finish(area, pending, "skipped")
        if signed_in(area):
            session["2fa_skipped"] = True
        return response

    def logout_view():
        form = ActionForm()
        if not form.validate_on_submit():
            abort(400)
        if current_user.is_authenticated:
            security_log.record("logout", current_user._get_current_object())
            db.session.commit()
        logout_user()
        session.clear()
        flash("You have signed out.", "success")
        return redirect(area.url("login"))

    bp.add_url_rule("/login", "login", login_view, methods=["GET", "POST"])
    bp.add_url_rule("/login/verify", "login_verify", verify_view, methods=["GET", "POST"])
    bp.add_url_rule("/login/send-code", "login_send_code", send_code_view, methods=["POST"])
    bp.add_url_rule("/login/setup", "login_setup", setup_view, methods=["GET", "POST"])
    bp.add_url_rule("/login/setup/send-code", "login_setup_send_code", setup_send_code_view, methods=["POST"])
    bp.add_url_rule("/login/skip", "login_skip", skip_view, methods=["POST"])
    bp.add_url_rule("/logout", "logout", logout_view, methods=["POST"])
    from .recovery_login import register_recovery_login
    register_recovery_login(bp, area)


def pending_at(area: Area, step: str | None):
    """(pending login, its person, None) when this sign-in is waiting at `step` (any step when None);
    otherwise (None, None, the redirect to where it really stands)."""
    pending = login.current(area.name)
    if pending is None:
        flash("Your sign-in has expired. Enter your email and password again.", "error")
        return None, None, redirect(area.url("login"))
    user = login.pending_user(pending)
    if step is not None and login.next_step(user) != step:
        return None, None, _advance(area, pending)
    return pending, user, None


def sign_in_again(area: Area):
    """After a refused code ended the pending login (too many wrong codes, or used by another request)."""
    flash("This sign-in can't continue (too many wrong codes, or it was already used). "
          "Enter your email and password again.", "error")
    return redirect(area.url("login"))


def _advance(area: Area, pending):
    user = login.pending_user(pending)
    step = login.next_step(user)
    if step == "challenge" and devices.recognised(user) is not None:
        return _finish(area, pending, "remembered_device")  # this browser proved the second factor before
    if step == "challenge":
        return redirect(area.url("login_verify"))
    if step == "setup":
        return redirect(area.url("login_setup"))
    return _finish(area, pending, "password")


def _finish(area: Area, pending, how: str, stamped: bool = False):
    new_codes = recovery.carry()  # recovery codes made during mandatory setup outlive the session reset
    try:
        next_url = login.complete(pending, how, stamped)
    except login.AlreadyCompleted:
        flash("This sign-in was already completed or has expired. Sign in again.", "error")
        return redirect(area.url("login"))
    recovery.restore(new_codes)
    return _to_next(area, next_url)


def _to_next(area: Area, next_url: str | None):
    """Signed in: to the new recovery codes first if a set was just made, then the safe `next` or the area's home."""
    from .account_views import after_setup
    return redirect(after_setup(area, next_url or url_for(area.home)))


def _renderer(area: Area):
    def render(template: str, status: int, **context):
        return render_template(template, area=area, base=area.base_template, **context), status
    return render
