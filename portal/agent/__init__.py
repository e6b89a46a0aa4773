from flask import Blueprint
from flask_babel import lazy_gettext as _l

from ..account_recovery.views import register_recovery_request
from ..language_prefs import register_language_routes
from ..password_views import register_password_routes
from ..requests.agent_views import register_agent_request_routes
from ..twofactor.account_views import register_account_routes
from ..twofactor.authenticator_views import register_authenticator_routes
from ..twofactor.areas import AGENT_CONSOLE as AREA
from ..twofactor.login_views import register_login_routes
from ..twofactor.setup_views import OwnSetup

bp = Blueprint("agent", __name__)
register_login_routes(bp, AREA)
register_language_routes(bp, AREA, "/preferences/language", back="agent.security")  # language and time zone
register_recovery_request(bp, AREA)  # "I can't use any of my methods" (portal.account_recovery)
# Recovery codes, devices, sessions, activity, fresh proof; each authenticator's Edit, default and Remove.
register_account_routes(bp, AREA, back="agent.security")
register_authenticator_routes(bp, AREA, back="agent.security", rule="/preferences/security/<authenticator_id>",
                              nav="agent/_security_nav.html")
register_password_routes(bp, AREA, "/preferences/security/password", back="agent.security",
                         back_label=_l("Preferences › Security"))
OwnSetup(AREA, "agent.security_setup", "agent/setup.html", back="agent.security").register(
    bp, "/preferences/security/setup/<instance_id>", "/preferences/security/setup/<instance_id>/send-code")
register_agent_request_routes(bp, AREA)  # the request page, reply, status, Verify requester

from . import routes  # noqa: E402,F401
