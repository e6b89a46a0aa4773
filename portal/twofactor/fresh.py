"""Fresh proof: before a sensitive change the person proves it is them (password or a current code)
within the last few minutes (FRESH_PROOF_SECONDS)."""
from flask import current_app, session

from .. import clock, security_log
from ..extensions import db
from ..models import User
from ..passwords import verify_password
from . import lockout
from .base import Outcome

SESSION_KEY = "fresh_at"


def is_fresh() -> bool:
    at = session.get(SESSION_KEY)
    if not isinstance(at, (int, float)):
        return False
    return 0 <= clock.epoch(clock.now()) - at <= current_app.config["FRESH_PROOF_SECONDS"]


def mark_fresh() -> None:
    session[SESSION_KEY] = clock.epoch(clock.now())


def prove(user: User, secret: str) -> Outcome:
    """Accept the password or a current code from any of the person's authenticators. A wrong answer counts
    against the same failure budget as a wrong code at sign-in."""
    from .login import verify_factor

    secret = secret or ""
    code = "".join(secret.split())
    if code.isdigit() and len(code) == 6:
        for authenticator in user.confirmed_authenticators:
            if authenticator.method == "totp":
                outcome = verify_factor(user, authenticator, code, "reauth")
                if outcome is Outcome.OK:
                    db.session.commit()
                    mark_fresh()
                return outcome
    if user.admin_locked:
        return Outcome.LOCKED
    charge = lockout.charge(user)
    if not charge.allowed:
        return Outcome.LOCKED if charge.admin_locked else Outcome.THROTTLED
    if verify_password(user.password_hash, secret):
        lockout.refund(user)
        db.session.commit()
        mark_fresh()
        return Outcome.OK
    security_log.record("2fa.challenge_failed", user, method="password")
    db.session.commit()
    return Outcome.WRONG
