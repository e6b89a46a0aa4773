from flask import Blueprint

from ..models import END_USER
from ..twofactor.account_views import register_account_routes
from ..twofactor.login_views import Area, register_login_routes

bp = Blueprint("helpcenter", __name__)
AREA = Area(name="helpcenter", kind=END_USER, title="Help Center", base_template="helpcenter/base.html",
            home="helpcenter.home")
register_login_routes(bp, AREA)
register_account_routes(bp, AREA, back="helpcenter.two_factor")  # recovery codes, devices, activity, fresh proof

from . import profile, registration, routes, setup_views  # noqa: E402,F401
