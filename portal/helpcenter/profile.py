"""Avatar > My Profile, and Your 2FA: the person's authenticators by name with Edit (portal.twofactor.
authenticator_views, shared with the agent console) and the methods they can add."""
from flask_babel import gettext as _

from ..twofactor import registry
from ..twofactor.areas import area_required
from ..twofactor.areas import me as _me
from ..twofactor.authenticator_views import type_label
from . import AREA, bp
from .routes import render


@bp.route("/profile")
@area_required(AREA)
def profile():
    return render("helpcenter/profile.html", user=_me(), tab="profile")


@bp.route("/profile/2fa")
@area_required(AREA)
def two_factor():
    user = _me()
    instances = registry.active_instances()
    offers = []
    for instance in instances:
        method = registry.method(instance.plugin_key)
        several = sum(i.plugin_key == instance.plugin_key for i in instances) > 1
        label = (_("%(label)s (%(name)s)", label=method.set_up_label, name=instance.name) if several
                 else str(method.set_up_label))
        offers.append({"instance": instance, "label": label})
    return render("helpcenter/two_factor.html", user=user, tab="2fa", offers=offers,
                  authenticators=user.confirmed_authenticators, type_label=type_label)
