"""Who may use the admin pages, and the fresh proof asked for before a sensitive change.

`admin_required`: signed in to the agent console with the second factor done, meeting today's 2FA rules, and an
admin; anyone else signed in gets 403. `fresh_proof_required`: when the admin's last proof (sign-in, password or
code) is older than FRESH_PROOF_SECONDS, the password or a current code is asked for first. A POST is asked for
in place and then carried out with exactly what was sent, so nothing typed is lost; a GET (a page that shows a
secret) goes through the confirm page and comes back.
"""
from functools import wraps

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user

from ..agent import AREA as AGENT_AREA
from ..twofactor import fresh
from ..twofactor.base import MESSAGES, Outcome
from ..twofactor.forms import ProofForm
from ..twofactor.login_views import STATUS, area_required

# Never echoed back into the re-ask page: the proof itself, codes, and the token (a fresh one is issued).
NOT_CARRIED = {"csrf_token", "secret", "code"}
PROOF_MESSAGES = {**MESSAGES, Outcome.WRONG: "That password or code isn't right. Try again."}


def admin_required(view):
    guarded = area_required(AGENT_AREA)(view)

    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_user.is_authenticated and not current_user.is_admin:
            abort(403)
        return guarded(*args, **kwargs)
    return wrapped


def me():
    return current_user._get_current_object()


def render(template: str, status: int = 200, **context):
    return render_template(template, area=AGENT_AREA, base="admin/base.html", user=me(), **context), status


def this_url() -> str:
    query = request.query_string.decode()
    return request.path + (f"?{query}" if query else "")


def check_proof(form: ProofForm) -> tuple[bool, int]:
    """Check the proof in `form`; on failure put the message on the field. Returns (proved, status)."""
    if not form.validate_on_submit():
        return False, 400
    outcome = fresh.prove(me(), form.secret.data)
    if outcome is Outcome.OK:
        return True, 200
    form.secret.errors.append(PROOF_MESSAGES.get(outcome, PROOF_MESSAGES[Outcome.UNAVAILABLE]))
    return False, STATUS.get(outcome, 401)


def fresh_proof_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if fresh.is_fresh():
            return view(*args, **kwargs)
        if request.method == "GET":
            return redirect(url_for("admin.confirm", next=this_url()))
        form, status = ProofForm(), 401
        if "secret" in request.form:
            proved, status = check_proof(form)
            if proved:
                return view(*args, **kwargs)
        carried = [(k, v) for k, v in request.form.items(multi=True) if k not in NOT_CARRIED]
        return render("security/confirm.html", status, form=form, action=this_url(), carried=carried,
                      keeps_change=True)
    return wrapped
