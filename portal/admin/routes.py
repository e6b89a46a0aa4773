"""Admin: only agents with admin rights, signed in to the console with their second factor."""
from functools import wraps

from flask import abort, render_template
from flask_login import current_user

from ..agent import AREA as AGENT_AREA
from ..twofactor.forms import ActionForm
from ..twofactor.login_views import area_required
from . import bp


def admin_required(view):
    guarded = area_required(AGENT_AREA)(view)

    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_user.is_authenticated and not current_user.is_admin:
            abort(403)
        return guarded(*args, **kwargs)
    return wrapped


@bp.route("/")
@admin_required
def index():
    return render_template("admin/index.html", area=AGENT_AREA, base="admin/base.html", user=current_user,
                           form=ActionForm())
