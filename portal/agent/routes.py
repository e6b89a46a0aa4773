"""Agent console: the home page (the request queue) and Preferences > Security. Views parse and render; flows live in the core."""
from flask import render_template

from ..requests.agent_views import queue_page
from ..twofactor import registry
from ..twofactor.areas import area_required, me
from ..twofactor.forms import ActionForm
from . import AREA, bp


@bp.route("/")
@area_required(AREA)
def home():
    return queue_page(AREA)  # the request queue (portal.requests)


@bp.route("/preferences/security")
@area_required(AREA)
def security():
    user = me()
    options = []
    for instance in registry.active_instances():
        mine = [a for a in user.confirmed_authenticators if a.instance_id == instance.id]
        options.append({"instance": instance, "method": registry.method(instance.plugin_key), "mine": mine})
    return render_template("agent/security.html", area=AREA, base=AREA.base_template, user=user,
                           options=options, form=ActionForm())
