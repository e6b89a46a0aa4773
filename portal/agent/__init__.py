from flask import Blueprint

from ..models import AGENT
from ..twofactor.login_views import Area, register_login_routes

bp = Blueprint("agent", __name__)
AREA = Area(name="agent", kind=AGENT, title="Agent console", base_template="agent/base.html", home="agent.home")
register_login_routes(bp, AREA)

from . import routes  # noqa: E402,F401
