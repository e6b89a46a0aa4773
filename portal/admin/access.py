"""Who may use the admin pages, and the fresh proof asked for before a sensitive change.

`admin_required`: signed in to the agent console with the second factor done, meeting today's 2FA rules, and an
admin; anyone else signed in gets 403. `fresh_proof_required`: when the admin's last proof (sign-in, password or
code) is older than FRESH_PROOF_SECONDS, the password or a current code is asked for first. A POST is asked for
in place and then carried out with exactly what was sent, so nothing typed is lost; a GET (a page that shows a
secret) goes through the confirm page and comes back.
"""
from functools import wraps

from flask import abort, render_template
from flask_login import current_user

from ..twofactor import fresh
from ..twofactor.areas import AGENT_CONSOLE, area_required, me


def admin_required(view):
    from .security_keys import key_required  # "Require a security key or passkey for admins" (issue 21)
    guarded = area_required(AGENT_CONSOLE)(key_required(view))

    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_user.is_authenticated and not current_user.is_admin:
            abort(403)
        return guarded(*args, **kwargs)
    return wrapped


def render(template: str, status: int = 200, **context):
    return render_template(template, area=AGENT_CONSOLE, base="admin/base.html", user=me(), **context), status


# The shared "Confirm it's you", with the admin's own page and layout.
fresh_proof_required = fresh.fresh_required(AGENT_CONSOLE, confirm_endpoint="admin.confirm", base="admin/base.html")
