"""Register at /register (name, email, password), then continue into the shared sign-in state machine:
signed in at once, or taken straight to the mandatory 2FA setup when the admin requires it."""
from flask import redirect, request, url_for
from sqlalchemy.exc import IntegrityError

from ..cli import create_user
from ..extensions import db
from ..rate_limits import auth_limit
from ..models import User
from ..twofactor import login
from ..twofactor.login_views import signed_in
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
    user = _create(form)
    if user is None:
        form.email.errors.append(TAKEN)
        return render("helpcenter/register.html", 409, form=form)
    login.begin(user, AREA.name, request.args.get("next"))
    # The challenge page sends the new person on: mandatory setup when 2FA is required, else signed in.
    return redirect(AREA.url("login_verify"))


def _create(form: RegisterForm) -> User | None:
    email = login.normalise_email(form.email.data)
    if db.session.scalar(db.select(User.id).where(User.email == email)) is not None:
        return None
    try:
        return create_user(email, form.name.data, "end-user", form.password.data)
    except IntegrityError:  # registered by a parallel request a moment ago
        db.session.rollback()
        return None
