"""The SSO sign-in pages of an area: "Sign in with <provider>" and the provider's callback, registered once per
area by register_login_routes like every other sign-in page.

"Sign in with <provider>" is a link (GET), as at most sites: the sign-in page's CSP allows forms to post only to
the portal ("form-action 'self'", which browsers also apply to the redirect a form's answer makes), and starting a
sign-in changes nothing but this browser's own state. Each start keeps a row on the server (portal.sso.client), so
starts are rate-limited per address like every sign-in POST."""
import logging
from functools import wraps

from flask import abort, current_app, redirect, request
from limits import parse as parse_limit
from werkzeug.exceptions import ServiceUnavailable, TooManyRequests

from .. import rate_limits
from ..twofactor.areas import Area
from . import providers, signin

log = logging.getLogger(__name__)


def limited(view):
    """Every request (GET too) spends one attempt of its address's sign-in budget for this endpoint."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        counters = current_app.extensions[rate_limits.EXTENSION]
        if counters.enabled:
            try:
                wait = counters.spend(parse_limit(current_app.config["PORTAL_AUTH_RATE_LIMIT"]),
                                      request.remote_addr or "", request.endpoint or "")
            except Exception as exc:  # the shared counters are unreachable: refuse rather than count nothing
                log.error("rate-limit storage unreachable: %s", type(exc).__name__)
                raise ServiceUnavailable() from None
            if wait is not None:
                raise TooManyRequests(retry_after=wait)
        return view(*args, **kwargs)
    return wrapped


def register_sso_login(bp, area: Area) -> None:
    def refused(provider_label, refusal: signin.Refused):
        signin.refuse(area, provider_label, refusal)
        return area.render("sso/refused.html", refusal.status, message=refusal.message)

    @limited
    def start_view(provider_id: int):
        provider = providers.get(provider_id)
        if not signin.serves(provider, area):
            abort(404)
        try:
            return redirect(signin.start(provider, area, request.args.get("next")))
        except signin.Refused as refusal:
            return refused(provider.label, refusal)

    @limited
    def callback_view():
        provider = None
        try:
            provider, claims, next_url = signin.answer(area, request.args.get("state"))
            user = signin.match(provider, area, claims)
        except signin.Refused as refusal:
            return refused(refusal.provider or (provider.label if provider else None), refusal)
        return signin.continue_sign_in(area, provider, user, claims, next_url)

    bp.add_url_rule("/login/sso/<int:provider_id>", "sso_start", start_view, methods=["GET"])
    bp.add_url_rule("/login/sso/callback", "sso_callback", callback_view, methods=["GET"])
