"""Register at /register (name, email, password), then continue into the shared sign-in state machine:
signed in at once, or taken straight to the mandatory 2FA setup when the admin requires it."""
from flask import redirect, request, url_for

from ..accounts import EmailTaken, InvalidAccount, create_account
from ..rate_limits import auth_limit
from ..twofactor import login
from ..twofactor.areas import signed_in
from . import AREA, bp
from .forms import RegisterForm
from .routes import render

TAKEN = "An account with that email already exists. Sign in instead."


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
        # The same rules as `flask user create` (portal/accounts.py); the form has already given its own messages
        # for the common mistakes, so what is left here is, e.g., a name that is not one line.
        user = create_account(form.email.data, form.name.data, "end-user", form.password.data)
    except EmailTaken:  # also when registered by a parallel request a moment ago
        form.email.errors.append(TAKEN)
        return render("helpcenter/register.html", 409, form=form)
    except InvalidAccount as error:
        form[error.field].errors.append(error.message)
        return render("helpcenter/register.html", 400, form=form)
    login.begin(user, AREA.name, request.args.get("next"))
    # The challenge page sends the new person on: mandatory setup when 2FA is required, else signed in.
    return redirect(AREA.url("login_verify"))
