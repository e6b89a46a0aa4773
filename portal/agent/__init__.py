from flask import Blueprint

from ..models import AGENT
from ..twofactor.account_views import register_account_routes
from ..twofactor.login_views import Area, register_login_routes

bp = Blueprint("agent", __name__)
AREA = Area(name="agent", kind=AGENT, title="Agent console", base_template="agent/base.html", home="agent.home")
register_login_routes(bp, AREA)
register_account_routes(bp, AREA, back="agent.security")  # recovery codes, devices, activity, fresh proof

from . import routes  # noqa: E402,F401
