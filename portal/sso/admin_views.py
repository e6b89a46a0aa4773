"""Auth & SSO › Single sign-on: the identity providers (list, add, edit, remove). Every change needs a fresh proof."""
from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _

from ..admin import bp
from ..admin.access import admin_required, fresh_proof_required, me, render
from ..models import SsoProvider
from ..public_url import public_url
from ..twofactor.forms import ActionForm
from . import providers
from .forms import ProviderForm


def _redirect_uris() -> list[tuple[str, str]]:
    return [(_("Agent console"), public_url("agent.sso_callback")),
            (_("Help Center"), public_url("helpcenter.sso_callback"))]


def _provider(provider_id: int) -> SsoProvider:
    return providers.get(provider_id) or abort(404)


def _page(form: ProviderForm, provider: SsoProvider | None, status: int = 200, error: str | None = None):
    return render("sso/admin_provider.html", status, form=form, provider=provider, error=error,
                  redirect_uris=_redirect_uris(), delete_form=ActionForm(),
                  linked=providers.linked_count(provider) if provider else 0)


@bp.route("/auth/sso")
@admin_required
def sso_providers():
    return render("sso/admin_providers.html", providers=[(p, providers.linked_count(p)) for p in providers.listed()],
                  redirect_uris=_redirect_uris(), areas=providers.AREAS)


@bp.route("/auth/sso/new")
@bp.route("/auth/sso/<int:provider_id>")
@admin_required
def sso_provider(provider_id: int | None = None):
    provider = _provider(provider_id) if provider_id is not None else None
    return _page(ProviderForm(formdata=None, obj=provider), provider)


@bp.route("/auth/sso/new", methods=["POST"])
@bp.route("/auth/sso/<int:provider_id>", methods=["POST"])
@admin_required
@fresh_proof_required
def sso_provider_save(provider_id: int | None = None):
    provider = _provider(provider_id) if provider_id is not None else None
    form = ProviderForm()
    if not form.validate_on_submit():
        return _page(form, provider, 400)
    choices = providers.ProviderChoices(**{name: form[name].data for name in (
        "label", "issuer", "client_id", "client_secret", "areas", "email_domains", "create_accounts", "mfa_rule",
        "trusted_acr", "sso_only", "enabled")})
    choices.client_secret = choices.client_secret or ""
    try:
        saved = providers.save(me(), provider, choices)
    except providers.ProviderError as exc:
        return _page(form, provider, 400, error=str(exc))
    flash(_("Saved %(provider)s.", provider=saved.label), "success")
    return redirect(url_for("admin.sso_providers"), code=303)


@bp.route("/auth/sso/<int:provider_id>/delete", methods=["POST"])
@admin_required
@fresh_proof_required
def sso_provider_delete(provider_id: int):
    provider = _provider(provider_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    label = provider.label
    providers.remove(me(), provider)
    flash(_("Removed %(provider)s. The people it signed in use their password again.", provider=label), "success")
    return redirect(url_for("admin.sso_providers"), code=303)
