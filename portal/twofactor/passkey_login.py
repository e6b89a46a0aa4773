"""Passkey sign-in without a password, on both sign-in pages ("Sign in with a passkey", and the passkeys the
browser offers in the email field's autofill).

A discoverable credential used with user verification is both factors: who it is (the credential, its user handle)
and that it is really them (the key, unlocked by a fingerprint, face or PIN). It goes through every rule a password
sign-in does: the account's failure budget (lockout.guarded), the pending sign-in and its one-time claim
(login.begin / areas.finish), a new session, the new-browser notice, and the log ("Signed in with a passkey").
The challenge is bound to this browser's session (a hash of its CSRF token: nothing new in the cookie) and to the
area.
"""
import hashlib

from flask import abort, current_app, redirect, request, session, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf
from sqlalchemy import update
from sqlalchemy.orm import joinedload
from webauthn.helpers import bytes_to_base64url

from .. import clock, security_log
from ..extensions import db
from ..models import Authenticator, User, WebAuthnCredential
from ..rate_limits import auth_limit
from . import lockout, login, registry, webauthn_rp
from .areas import STATUS, Area, finish, signed_in
from .base import MESSAGES, Outcome
from .forms import LoginForm, credential_field
from .webauthn_method import WebAuthnMethod, claim_sign_count

HOW = "passkey"  # login.success's `how`: "Signed in with a passkey" (security_log.SIGN_INS)
REFUSED = _l("That passkey can't sign you in here. Try again, or sign in with your email and password.")
OUTCOME_MESSAGES = {**MESSAGES, **WebAuthnMethod.MESSAGES, Outcome.WRONG: REFUSED}


class PasskeyForm(FlaskForm):
    credential = credential_field(_l("Passkey"))


def purpose(area: Area) -> str:
    """This browser's passkey sign-in at `area`: bound to its session through the session's CSRF token."""
    generate_csrf()  # makes sure the session has one
    token = session[current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")]
    return f"passkey:{area.name}:{hashlib.sha256(token.encode()).hexdigest()[:40]}"


def available() -> bool:
    return registry.is_active(WebAuthnMethod.key)


def options(area: Area) -> str:
    """The request options: no allowed keys (the browser offers this site's passkeys), user verification required."""
    return webauthn_rp.authentication_options(purpose(area), [], passwordless=True)


def _credential(credential_id: str) -> WebAuthnCredential | None:
    return db.session.scalar(
        db.select(WebAuthnCredential).where(WebAuthnCredential.credential_id == credential_id)
        .options(joinedload(WebAuthnCredential.authenticator).joinedload(Authenticator.user)
                 .joinedload(User.authenticators)))


def check(area: Area, data: str) -> tuple[User | None, Outcome]:
    """Who this passkey response signs in, and whether it does (OK). Whose passkey it is, and for which area, is
    decided by the stored credential; a response that names no one of this area is WRONG and charges no one."""
    try:
        assertion = webauthn_rp.parse_assertion(data)
    except webauthn_rp.Refused:
        return None, Outcome.WRONG
    stored = _credential(assertion.id)
    if stored is None or stored.authenticator.confirmed_at is None:
        return None, Outcome.WRONG
    user, authenticator = stored.authenticator.user, stored.authenticator
    handle = assertion.response.user_handle
    if user.kind != area.kind or handle is None or bytes_to_base64url(handle) != stored.user_handle:
        return None, Outcome.WRONG  # another area's person, or not a passkey (a key that does not say whose it is)

    def verify() -> Outcome:
        try:
            verified = webauthn_rp.verify_assertion(assertion, stored, purpose(area), require_user_verification=True)
        except webauthn_rp.Refused as refused:
            return refused.outcome
        return Outcome.OK if claim_sign_count(stored, verified) else Outcome.WRONG

    outcome = lockout.guarded(user, WebAuthnMethod.key, verify, slow=True, authenticator=authenticator.name)
    if outcome is Outcome.OK:
        db.session.execute(update(Authenticator).where(Authenticator.id == authenticator.id)
                           .values(last_used_at=clock.now()).execution_options(synchronize_session=False))
    return user, outcome


def register_passkey_routes(bp, area: Area) -> None:
    """"Sign in with a passkey" on `area`'s sign-in page: its options (JSON) and the sign-in itself."""

    @bp.context_processor
    def passkey_sign_in():
        def form():
            if not available():
                return None
            return {"form": PasskeyForm(), "options_url": area.url("login_passkey_options"),
                    "action": area.url("login_passkey", next=request.args.get("next"))}
        return {"passkey_sign_in": form}

    @auth_limit
    def options_view():
        if not available():
            abort(404)
        response = current_app.response_class(options(area), mimetype="application/json")
        response.headers["Cache-Control"] = "no-store"
        return response

    @auth_limit
    def sign_in_view():
        if not available():
            abort(404)
        if signed_in(area):
            return redirect(url_for(area.home))
        form = PasskeyForm()
        if not form.validate_on_submit():
            message = (_("This form has expired. Reload the page and try again.") if "csrf_token" in form.errors
                       else form.credential.errors[0])
            return area.render("auth/login.html", 400, form=LoginForm(), passkey_error=message)
        user, outcome = check(area, form.credential.data)
        if outcome is Outcome.OK:
            pending = login.begin(user, area.name, request.args.get("next"), event=None)
            return finish(area, pending, HOW)
        if user is None:
            security_log.record("login.passkey_failed", None)
            db.session.commit()
        return area.render("auth/login.html", STATUS.get(outcome, 401), form=LoginForm(),
                           passkey_error=str(OUTCOME_MESSAGES.get(outcome, REFUSED)))

    bp.add_url_rule("/login/passkey/options", "login_passkey_options", options_view, methods=["POST"])
    bp.add_url_rule("/login/passkey", "login_passkey", sign_in_view, methods=["POST"])
