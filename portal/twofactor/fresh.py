"""Fresh proof: before a sensitive change (adding, renaming or removing a factor, new recovery codes, another
default method) the person proves it is them — their password or a current code — within the last few minutes
(FRESH_PROOF_SECONDS). Signing in with a second factor counts as proof.

Views either call `prove` themselves (a proof field on their own form) or wear `@fresh_required(AREA)`: a page is
shown after "Confirm it's you", a change is asked for the proof in place and then made.
"""
from functools import wraps

from datetime import timedelta

from flask import current_app, g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from .. import clock, sessions
from ..extensions import db
from ..models import User
from ..passwords import verify_password
from . import lock_notice, lockout, registry
from .areas import STATUS, me
from .base import MESSAGES, Outcome
from .forms import ProofForm

PROOF_MESSAGES = {**MESSAGES, Outcome.WRONG: _l("That password or code isn't right. Try again.")}
# Never echoed back into the page that asks for the proof: the proof itself, codes, and the CSRF token (a fresh one
# is issued).
NOT_CARRIED = {"csrf_token", "secret", "code"}


def is_fresh() -> bool:
    row = sessions.current()
    if row is None or row.fresh_at is None:
        return False
    age = clock.now() - row.fresh_at
    return timedelta(0) <= age <= timedelta(seconds=current_app.config["FRESH_PROOF_SECONDS"])


def mark_fresh() -> None:
    """The proof was just given: on the session row (never in the cookie). The caller commits."""
    row = sessions.current()
    if row is not None:
        row.fresh_at = clock.now()


def prove(user: User, secret: str) -> Outcome:
    """Accept the password or a current code from one of the person's authenticator apps (six digits are a
    code: passwords are longer). One answer is one attempt against the same failure budget as a code at
    sign-in (lockout.guarded)."""
    secret = (secret or "")[:1024]
    code = "".join(secret.split())
    provers = [(a, m) for a in user.confirmed_authenticators
               if (m := registry.method(a.method)) is not None and m.proves_freshness]
    is_code = bool(provers and code.isascii() and code.isdigit() and len(code) == 6)

    def check() -> Outcome:
        if not is_code:
            return Outcome.OK if verify_password(user.password_hash, secret) else Outcome.WRONG
        outcomes = [method.verify(authenticator, code, "reauth") for authenticator, method in provers]
        return next((o for o in (Outcome.OK, Outcome.REPLAY) if o in outcomes), Outcome.WRONG)

    slow = not is_code or not all(method.quick_check for _, method in provers)  # a password hash is slow
    outcome = lockout.guarded(user, "reauth", check, slow=slow)
    if outcome is Outcome.OK:
        mark_fresh()
        db.session.commit()
    return outcome


def check_proof(user: User, form) -> tuple[bool, int]:
    """Check the proof typed into `form` (a ProofForm); on failure put the message on its field.
    Returns (proved, HTTP status)."""
    if not form.validate_on_submit():
        return False, 400
    outcome = prove(user, form.secret.data)
    if outcome is Outcome.OK:
        return True, 200
    form.secret.errors.append(lock_notice.refused(user, outcome, str(PROOF_MESSAGES.get(outcome, PROOF_MESSAGES[Outcome.UNAVAILABLE]))))
    return False, STATUS.get(outcome, 401)


def this_url() -> str:
    query = request.query_string.decode()
    return request.path + (f"?{query}" if query else "")


def fresh_required(area, confirm_endpoint: str | None = None, base: str | None = None):
    """Decorate a view of `area` so it runs only with a fresh proof. A GET goes through the area's "Confirm it's
    you" page (`confirm_endpoint`) and comes back; a POST is asked for the proof in place and then carried out with
    exactly what was sent (nothing typed is lost, except a code: it is never echoed back). `base`: the layout of
    that in-place page, when not the area's."""
    confirm_endpoint = confirm_endpoint or f"{area.name}.fresh_proof"

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if is_fresh():
                return view(*args, **kwargs)
            if request.method == "GET":
                return redirect(url_for(confirm_endpoint, next=this_url()))
            form, status = ProofForm(), 401
            if "secret" in request.form:
                proved, status = check_proof(me(), form)
                if proved:
                    g.proved_in_place = True  # the view knows a code typed before the proof was not carried
                    return view(*args, **kwargs)
            carried = [(k, v) for k, v in request.form.items(multi=True) if k not in NOT_CARRIED]
            return render_template("security/confirm.html", area=area, base=base or area.base_template, user=me(),
                                   form=form, action=this_url(), carried=carried, keeps_change=True), status
        return wrapped
    return decorator
