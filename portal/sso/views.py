"""The SSO sign-in pages of an area: "Sign in with <provider>" (POST, CSRF) and the provider's callback,
registered once per area by register_login_routes like every other sign-in page."""
from flask import abort, redirect, request

from ..extensions import db
from ..models import SsoProvider
from ..rate_limits import auth_limit
from ..twofactor.areas import Area
from ..twofactor.forms import ActionForm
from . import signin


def register_sso_login(bp, area: Area) -> None:
    def refused(provider_label, refusal: signin.Refused):
        signin.refuse(area, provider_label, refusal)
        return area.render("sso/refused.html", refusal.status, message=refusal.message)

    @auth_limit
    def start_view(provider_id: int):
        if not ActionForm().validate_on_submit():
            abort(400)
        provider = db.session.get(SsoProvider, provider_id)
        if not signin.serves(provider, area):
            abort(404)
        try:
            return redirect(signin.start(provider, area, request.args.get("next")), code=303)
        except signin.Refused as refusal:
            return refused(provider.label, refusal)

    @auth_limit
    def callback_view():
        provider = None
        try:
            provider, claims, next_url = signin.answer(area, request.args.get("state"))
            user = signin.match(provider, area, claims)
        except signin.Refused as refusal:
            return refused(provider.label if provider else None, refusal)
        return signin.continue_sign_in(area, provider, user, claims, next_url)

    bp.add_url_rule("/login/sso/<int:provider_id>", "sso_start", start_view, methods=["POST"])
    bp.add_url_rule("/login/sso/callback", "sso_callback", callback_view, methods=["GET"])
