"""The password pages, registered once per area (like login_views.register_login_routes): "Forgot your password?",
the reset link's page, and "Change password" (with its "Email me a code" for an authenticator that sends one).
The rules are in portal.password_reset; these views parse a form and call one flow.

The sign-in page's answer to an account that must wait after wrong passwords is here too: login.check_password
raises TooManyWrongPasswords, and this area's handler shows the sign-in form with the wait (429, Retry-After).
"""
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l, ngettext
from flask_wtf import FlaskForm
from wtforms.fields import EmailField, HiddenField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from . import password_reset
from .extensions import db
from .password_budget import TooManyWrongPasswords
from .password_reset import PasswordProblem
from .passwords import MAX_LENGTH, MIN_LENGTH
from .rate_limits import auth_limit
from .twofactor import login, registry
from .twofactor.areas import Area, advance, area_required, me
from .twofactor.base import Outcome
from .twofactor.forms import ActionForm, LoginForm, code_field

NEW_PASSWORD_HINT = _l("At least %(num)d characters. A few unrelated words make a password that is hard to guess and "
                       "easy to remember; we tell you if yours is too easy to guess.", num=MIN_LENGTH)
NEW_PASSWORD = {"autocomplete": "new-password", "minlength": str(MIN_LENGTH), "maxlength": str(MAX_LENGTH)}
# Length limits of a new password are the rule's (portal.passwords.check_new_password), with its messages.
NOT_SAME = _l("The two new passwords aren't the same. Type the new password again.")


class ForgotForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(_l("Enter your email address.")), Length(max=254),
                                                Email(_l("Enter an email address like name@example.com."))],
                       render_kw={"autocomplete": "username"})
    submit = SubmitField(_l("Email me a link"))


class ResetForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(_l("Choose a new password."))],
                             render_kw=NEW_PASSWORD)
    password_again = PasswordField(_l("Type the new password again"), validators=[
        DataRequired(_l("Type the new password again.")), EqualTo("password", NOT_SAME)], render_kw=NEW_PASSWORD)
    submit = SubmitField(_l("Set new password"))


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[
        DataRequired(_l("Enter your current password.")), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(_l("New password"), validators=[DataRequired(_l("Choose a new password."))],
                                 render_kw=NEW_PASSWORD)
    new_password_again = PasswordField(_l("Type the new password again"), validators=[
        DataRequired(_l("Type the new password again.")), EqualTo("new_password", NOT_SAME)], render_kw=NEW_PASSWORD)
    submit = SubmitField(_l("Change password"))


class ChangePasswordWithCodeForm(ChangePasswordForm):
    """For someone with an authenticator: a code from it as well."""
    authenticator_id = HiddenField(_l("Authenticator"))  # labelled: an unlabelled field makes WTForms load its catalog
    code = code_field(_l("Code"))


def register_password_routes(bp, area: Area, change_rule: str, back: str, back_label: str) -> None:
    """Add the password pages to `bp`: /forgot-password and /reset-password/<token> next to the area's sign-in,
    "Change password" at `change_rule` (reached from the page `back`, called `back_label`)."""
    render = area.render

    @auth_limit
    def forgot_view():
        form = ForgotForm()
        if request.method == "GET":
            return render("auth/forgot.html", form=form, sent=None)
        if not form.validate_on_submit():
            return render("auth/forgot.html", 400, form=form, sent=None)
        password_reset.request_link(form.email.data)
        return render("auth/forgot.html", form=ForgotForm(formdata=None), sent=password_reset.SENT)

    @auth_limit
    def reset_view(token):
        link = password_reset.find(token, area.kind)
        if link.problem:
            return render("auth/reset.html", link.status, problem=link.problem, form=None, user=None)
        form, status = ResetForm(), 200
        if request.method == "POST":
            if form.validate_on_submit():
                try:
                    user = password_reset.reset(token, area.kind, form.password.data)
                except PasswordProblem as refused:
                    if refused.field is None:
                        return render("auth/reset.html", refused.status, problem=refused.message, form=None,
                                      user=None)
                    form[refused.field].errors.append(refused.message)
                    status = refused.status
                else:
                    # As if the new password had just been typed: the second factor, or the mandatory setup, follows.
                    response = advance(area, login.begin(user, area.name, None))  # each step starts the session afresh
                    flash(_("Your new password is set, and every browser that was signed in to your account is "
                            "signed out."), "success")
                    return response
            else:
                status = 400
        return render("auth/reset.html", status, form=form, problem=None, user=link.user, hint=NEW_PASSWORD_HINT)

    def chosen_authenticator(user, wanted):
        """The authenticator whose code is asked for (the one chosen, else the default); None when they have
        none; 404 for an id that isn't one of theirs."""
        if not user.confirmed_authenticators:
            return None
        authenticator = login.challenge_authenticator(user, wanted)
        if authenticator is None:
            abort(404, _("That authenticator isn't one of yours."))
        return authenticator

    @auth_limit
    def change_view():
        user = me()
        form = ChangePasswordWithCodeForm() if user.confirmed_authenticators else ChangePasswordForm()
        wanted = request.args.get("with") if request.method == "GET" else (
            request.form.get("authenticator_id") or None)
        authenticator = chosen_authenticator(user, wanted)
        status = 200
        if request.method == "POST":
            if form.validate_on_submit():
                try:
                    ended = password_reset.change(user, form.current_password.data, form.new_password.data,
                                                  authenticator, form.code.data if authenticator else "")
                except PasswordProblem as refused:
                    form[refused.field].errors.append(refused.message)
                    status = refused.status
                else:
                    if ended == 0:
                        done = _("Your password is changed. No other browser was signed in.")
                    else:  # "The other browser … is signed out." / "The 3 other browsers … are signed out."
                        done = ngettext("Your password is changed. The other browser signed in to your account is "
                                        "signed out.",
                                        "Your password is changed. The %(num)d other browsers signed in to your "
                                        "account are signed out.", ended)
                    flash(done, "success")
                    return redirect(url_for(back))
            else:
                status = 400
        method = registry.method(authenticator.method) if authenticator is not None else None
        if authenticator is not None:
            form.authenticator_id.data = str(authenticator.id)
        others = [a for a in user.confirmed_authenticators if authenticator is None or a.id != authenticator.id]
        return render("security/change_password.html", status, form=form, user=user, authenticator=authenticator,
                      method=method, others=others, send_form=ActionForm(), back=back, back_label=back_label,
                      hint=NEW_PASSWORD_HINT)

    @auth_limit
    def send_code_view():
        user = me()
        if not ActionForm().validate_on_submit():
            abort(400)
        authenticator = chosen_authenticator(user, request.form.get("authenticator_id") or "")
        method = registry.method(authenticator.method) if authenticator is not None else None
        if method is None or not method.sends_code:
            abort(404, _("That authenticator doesn't send codes."))
        outcome = method.send_code(user, authenticator.target, password_reset.code_purpose())
        db.session.commit()
        if outcome is Outcome.OK:
            flash(_("We sent a code to %(target)s. It is valid for 10 minutes.", target=authenticator.target),
                  "success")
        else:
            flash(method.send_failure_message(outcome), "error")
        return redirect(area.url("change_password", **{"with": authenticator.id}))

    def too_many_wrong_passwords(refused: TooManyWrongPasswords):
        """The sign-in page (the only view of the area that raises it), with the wait on the form."""
        form = LoginForm()
        form.password.errors = [refused.message]
        body, status = render("auth/login.html", 429, form=form)
        return body, status, {"Retry-After": str(refused.wait)}

    guard = area_required(area)
    bp.add_url_rule("/forgot-password", "forgot_password", forgot_view, methods=["GET", "POST"])
    bp.add_url_rule("/reset-password/<token>", "reset_password", reset_view, methods=["GET", "POST"])
    bp.add_url_rule(change_rule, "change_password", guard(change_view), methods=["GET", "POST"])
    bp.add_url_rule(f"{change_rule}/send-code", "change_password_send_code", guard(send_code_view), methods=["POST"])
    bp.register_error_handler(TooManyWrongPasswords, too_many_wrong_passwords)
