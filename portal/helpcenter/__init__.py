from flask import Blueprint

from ..models import END_USER
from ..twofactor.login_views import Area, register_login_routes

bp = Blueprint("helpcenter", __name__)
AREA = Area(name="helpcenter", kind=END_USER, title="Help Center", base_template="helpcenter/base.html",
            home="helpcenter.home")
register_login_routes(bp, AREA)

from . import routes  # noqa: E402,F401
