"""Register at /register (name, email, password) → "Check your email" → the emailed link (/register/activate/<token>)
→ "Activate my account" → the account is created and the person continues into the shared sign-in state machine:
signed in, or taken straight to the mandatory 2FA setup when the admin requires it. The flows and their rules
are in portal/registrations.py; this module only reads forms and shows pages.

Opening the link shows a button rather than activating at once: mail scanners that open every link in a message
must not use up the person's link."""
from flask import flash, redirect, request, url_for
from flask_babel import gettext as _

from .. import registrations
from ..accounts import InvalidAccount
from ..rate_limits import auth_limit
from ..twofactor import login
from ..twofactor.areas import advance, signed_in
from ..twofactor.forms import ActionForm
from . import AREA, bp
from .forms import RegisterForm
from .routes import render


@bp.route("/register", methods=["GET", "POST"])
@auth_limit
def register():
    if signed_in(AREA):
        return redirect(url_for(AREA.home))
    form = RegisterForm()
    if request.method == "GET":
        return render("helpcenter/register.html", form=form)
    if not form.validate_on_submit():
        return render("helpcenter/register.html", 400, form=form)
    try:
        email = registrations.start(form.email.data, form.name.data, form.password.data)
    except InvalidAccount as error:  # the account rules (portal/accounts.py): e.g. a name that is not one line
        form[error.field].errors.append(error.message)
        return render("helpcenter/register.html", 400, form=form)
    except registrations.Refused as refused:  # too soon, too many, or the mail server failed: nothing kept
        form.form_errors.append(refused.message)
        return render("helpcenter/register.html", refused.status, form=form)
    # The same page whether or not the address already has an account (its owner is mailed instead).
    return render("helpcenter/register_sent.html", email=email, hours=registrations.LINK_LIFETIME.days * 24)


@bp.route("/register/activate/<token>", methods=["GET", "POST"])
@auth_limit
def activate(token):
    form = ActionForm()
    try:
        pending = registrations.check(token)
        if request.method == "GET":
            return render("helpcenter/register_activate.html", form=form, pending=pending)
        if not form.validate_on_submit():
            return render("helpcenter/register_activate.html", 400, form=form, pending=pending)
        user = registrations.activate(token)
    except registrations.LinkProblem as problem:
        return render("helpcenter/register_link.html", problem.status, message=problem.message)
    response = advance(AREA, login.begin(user, AREA.name, None))  # each step starts this browser's session afresh
    flash(_("Your email address is confirmed and your account is ready."), "success")
    return response
