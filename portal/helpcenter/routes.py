"""Help center: public home page (the rest arrives with the help-center issue)."""
from flask import render_template
from flask_login import current_user

from ..twofactor.forms import ActionForm
from ..twofactor.login_views import signed_in
from . import AREA, bp


@bp.route("/")
def home():
    user = current_user if signed_in(AREA) else None
    return render_template("helpcenter/home.html", area=AREA, base=AREA.base_template, user=user, form=ActionForm())
