from flask import Blueprint
from flask_babel import lazy_gettext as _l

from ..account_recovery.views import register_recovery_request
from ..language_prefs import register_language_routes
from ..password_views import register_password_routes
from ..requests.helpcenter_views import register_helpcenter_request_routes
from ..twofactor.account_views import register_account_routes
from ..twofactor.authenticator_views import register_authenticator_routes
from ..twofactor.areas import HELP_CENTER as AREA
from ..twofactor.login_views import register_login_routes
from ..twofactor.setup_views import OwnSetup
from .forms import AuthenticatorSetupForm

bp = Blueprint("helpcenter", __name__)
register_login_routes(bp, AREA)
register_language_routes(bp, AREA, "/profile/language", back="helpcenter.profile")  # language and time zone
register_recovery_request(bp, AREA)  # "I can't use any of my methods" (portal.account_recovery)
# Recovery codes, devices, sessions, activity, fresh proof; each authenticator's Edit, default and Remove.
register_account_routes(bp, AREA, back="helpcenter.two_factor")
register_authenticator_routes(bp, AREA, back="helpcenter.two_factor", rule="/profile/2fa/<authenticator_id>",
                              nav="helpcenter/_profile_tabs.html")
register_password_routes(bp, AREA, "/profile/password", back="helpcenter.profile", back_label=_l("My Profile"))
# Your 2FA > Set up …: the help center's own words for the shared setup page.
OwnSetup(AREA, "helpcenter.set_up", "helpcenter/setup.html", back="helpcenter.two_factor",
         form_class=AuthenticatorSetupForm, submit_label=_l("Submit Code and Create"),
         # Filled in with str.format(name=…) by OwnSetup: the translations keep "{name}".
         done_messages=(_l("Your 2FA is set up: “{name}” will be asked for when you sign in."),
                        _l("Your 2FA is set up: “{name}” is added. To use it, choose “Use another authenticator” "
                           "when you sign in, or make it your default under Edit."))).register(
    bp, "/profile/2fa/setup/<instance_id>", "/profile/2fa/setup/<instance_id>/send")
register_helpcenter_request_routes(bp, AREA)  # Contact support, My requests, confirm it is you

from . import profile, registration, routes  # noqa: E402,F401
