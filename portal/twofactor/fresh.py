"""Fresh proof: before a sensitive change (adding, renaming or removing a factor, new recovery codes, another
default method) the person proves it is them — their password or a current code — within the last few minutes
(FRESH_PROOF_SECONDS). Signing in with a second factor counts as proof.

Views either call `prove` themselves (a proof field on their own form) or wear `@fresh_required(AREA)`, which
sends the person to the area's "Confirm it's you" page and back.
"""
from functools import wraps

from flask import current_app, flash, redirect, request, session, url_for

from .. import clock
from ..extensions import db
from ..models import User
from ..passwords import verify_password
from . import lockout, registry
from .base import Outcome

SESSION_KEY = "fresh_at"
ASK = "For your security, confirm it's you first."


def is_fresh() -> bool:
    at = session.get(SESSION_KEY)
    if not isinstance(at, (int, float)):
        return False
    return 0 <= clock.epoch(clock.now()) - at <= current_app.config["FRESH_PROOF_SECONDS"]


def mark_fresh() -> None:
    session[SESSION_KEY] = clock.epoch(clock.now())


def prove(user: User, secret: str) -> Outcome:
    """Accept the password or a current code from one of the person's authenticator apps (six digits are a
    code: passwords are longer). One answer is one attempt against the same failure budget as a code at
    sign-in (lockout.guarded)."""
    secret = (secret or "")[:1024]
    code = "".join(secret.split())
    apps = [a for a in user.confirmed_authenticators if a.method == "totp"]
    is_code = bool(apps and code.isascii() and code.isdigit() and len(code) == 6)

    def check() -> Outcome:
        if not is_code:
            return Outcome.OK if verify_password(user.password_hash, secret) else Outcome.WRONG
        outcomes = [registry.method("totp").verify(authenticator, code, "reauth") for authenticator in apps]
        return next((o for o in (Outcome.OK, Outcome.REPLAY) if o in outcomes), Outcome.WRONG)

    outcome = lockout.guarded(user, "reauth", check, slow=not is_code)  # a password hash is slow
    if outcome is Outcome.OK:
        db.session.commit()
        mark_fresh()
    return outcome


def fresh_required(area, back: str | None = None):
    """Decorate a view of `area` so it runs only with a fresh proof. A GET comes back to itself after the
    proof; a refused POST changes nothing and comes back to `back` (an endpoint; default the area's home)."""
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if is_fresh():
                return view(*args, **kwargs)
            if request.method == "GET":
                target = request.full_path.rstrip("?")
            else:
                target = url_for(back or area.home)
                flash(ASK + " Nothing was changed yet.", "info")
            return redirect(area.url("fresh_proof", next=target))
        return wrapped
    return decorator
