"""Admin (agents with admin rights): Auth & SSO, Agent Profiles, End users, Manage > Plugins, Security log.

One module per page; the rules they apply live in rules.py and the shared 2FA core."""
from flask import Blueprint

bp = Blueprint("admin", __name__)

from . import agents, auth_sso, end_users, events, people, plugins, routes  # noqa: E402,F401
from . import compliance, grace_extension, portal_settings  # noqa: E402,F401  (issue 22: 2FA status, CSV, adoption; one grace)
from . import security_keys  # noqa: E402,F401
from ..account_recovery.admin_views import register_admin_recovery_routes  # noqa: E402

register_admin_recovery_routes(bp)  # Admin › Account recovery
