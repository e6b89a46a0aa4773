"""Sign-in with a recovery code ("Use a recovery code" on the challenge), registered per area with the other
sign-in pages. The rules live in login.attempt_recovery and recovery; this view parses and renders."""
from flask import flash, request
from flask_babel import gettext as _, ngettext

from ..rate_limits import auth_limit
from . import lock_notice, login, recovery
from .account_forms import RecoveryLoginForm
from .base import MESSAGES, Outcome
from .areas import STATUS, finish, pending_at, sign_in_again, signed_in


def register_recovery_login(bp, area) -> None:
    @auth_limit
    def recovery_view():
        pending, user, elsewhere = pending_at(area, "challenge")
        if elsewhere:
            return elsewhere
        form, status = RecoveryLoginForm(), 200
        if request.method == "POST":
            status, valid = 400, form.validate_on_submit()
            if valid and not recovery.well_formed(form.code.data):
                form.code.errors.append(str(recovery.FORMAT_MESSAGE))
            elif valid:
                outcome = login.attempt_recovery(pending, form.code.data)
                if outcome is Outcome.OK:
                    left = recovery.remaining(user)
                    response = finish(area, pending, "recovery")
                    if signed_in(area):
                        flash(_left_message(left), "success" if left > 2 else "error")
                    return response
                if login.current(area.name) is None:
                    return sign_in_again(area, lock_notice.explain(user))
                form.code.errors.append(lock_notice.refused(
                    user, outcome, str(recovery.MESSAGES.get(outcome) or MESSAGES[outcome])))
                status = STATUS[outcome]
        return area.render("security/recovery_login.html", status, form=form, user=user)

    bp.add_url_rule("/login/recovery", "login_recovery", recovery_view, methods=["GET", "POST"])


def _left_message(left: int) -> str:
    if left == 0:
        return _("You have used your last recovery code. Make a new set now under your security settings, "
                 "and set up your authenticator again.")
    return ngettext("You signed in with a recovery code. %(num)d recovery code left.",
                    "You signed in with a recovery code. %(num)d recovery codes left.", left)
