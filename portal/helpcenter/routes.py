"""Help center: the public home page. Registration, My Profile and Your 2FA live in their own modules."""
from flask import render_template
from flask_login import current_user

from ..twofactor.forms import ActionForm
from ..twofactor.areas import signed_in
from . import AREA, bp


def render(template: str, status: int = 200, **context):
    """Render a help-center page in the area's layout."""
    return render_template(template, area=AREA, base=AREA.base_template, **context), status


@bp.route("/")
def home():
    user = current_user if signed_in(AREA) else None
    return render("helpcenter/home.html", user=user, form=ActionForm())
