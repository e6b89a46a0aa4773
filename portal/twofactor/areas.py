"""The two places people sign in to (the agent console and the help center) and what every page of an area
shares: who is signed in there, the guard of its pages, and where a finished sign-in goes.

The sign-in pages (login_views), the person's own security pages (account_views), the recovery-code sign-in
(recovery_login) and the setup pages (setup_views) all build on this module and never on each other
(docs/architecture.md, "Areas").
"""
from dataclasses import dataclass
from functools import wraps

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user

from .. import sessions
from ..extensions import db
from ..models import AGENT, END_USER, User
from . import devices, login, policy, recovery
from .base import Outcome

PROVIDER_MFA = "provider_mfa"  # a session whose second factor the identity provider did (portal.sso)

# The HTTP status of a page that refuses a code, by why it was refused.
STATUS = {Outcome.WRONG: 401, Outcome.REPLAY: 401, Outcome.EXPIRED: 401, Outcome.USED_UP: 401,
          Outcome.NO_CODE: 400, Outcome.THROTTLED: 429, Outcome.LOCKED: 403, Outcome.UNAVAILABLE: 503}


@dataclass(frozen=True)
class Area:
    name: str  # "agent" or "helpcenter"; also the blueprint name
    kind: str  # which kind of person signs in here
    title: str  # "Agent console", "Help Center" (lazy: in the reader's language)
    base_template: str
    home: str  # endpoint of the area's home page

    def url(self, view: str, **values) -> str:
        return url_for(f"{self.name}.{view}", **values)

    def render(self, template: str, status: int = 200, **context):
        """A page of this area in its own layout."""
        return render_template(template, area=self, base=self.base_template, **context), status


AGENT_CONSOLE = Area(name="agent", kind=AGENT, title=_l("Agent console"), base_template="agent/base.html",
                     home="agent.home")  # admin pages are agent-console pages too
HELP_CENTER = Area(name="helpcenter", kind=END_USER, title=_l("Help Center"), base_template="helpcenter/base.html",
                   home="helpcenter.home")


def me() -> User:
    """The signed-in person (the object itself, not Flask-Login's proxy)."""
    return current_user._get_current_object()


def signed_in(area: Area) -> bool:
    row = sessions.current()
    return row is not None and row.area == area.name and row.user.kind == area.kind


def area_required(area: Area):
    """Pages of an area: signed in there with the second factor done, and meeting today's 2FA rules."""
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if current_user.is_authenticated and current_user.kind != area.kind:
                abort(403)
            if not signed_in(area):
                next_path = request.full_path if request.method == "GET" else None
                return redirect(area.url("login", next=next_path))
            req = policy.requirement(current_user)
            if req.required and not current_user.confirmed_authenticators:
                how = sessions.current().how  # the provider's MFA (portal.sso) meets the rule for this session
                if not (req.skip_allowed and how == "skipped") and how != PROVIDER_MFA:
                    # The rules changed under a live session: it ends, and only the password leads on (to the
                    # mandatory setup step). A cookie alone never gets to set up a factor.
                    kept = session.get("_flashes", [])  # what the person was just told ("Saved: …") stays
                    sessions.sign_out()
                    db.session.commit()
                    for category, message in kept:
                        flash(message, category)
                    flash(_("Your helpdesk now requires two-factor authentication. Sign in again to set it up."),
                          "info")
                    return redirect(area.url("login", next=request.full_path if request.method == "GET" else None))
            return view(*args, **kwargs)
        return wrapped
    return decorator


# --- Where a sign-in stands, and where it goes when it is done ------------------------------------------------

EXPIRED = _l("Your sign-in has expired. Enter your email and password again.")


def pending_at(area: Area, step: str | None, expired: str = EXPIRED):
    """(pending login, its person, None) when this sign-in is waiting at `step` (any step when None);
    otherwise (None, None, the redirect to where it really stands). `expired`: what to say if it has expired
    (the sign-in page keeps the address)."""
    pending = login.current(area.name)
    if pending is None:
        flash(str(expired), "error")
        return None, None, redirect(area.url("login"))
    user = login.pending_user(pending)
    if step is not None and login.next_step(user) != step:
        return None, None, advance(area, pending)
    return pending, user, None


def sign_in_again(area: Area, notice: str | None = None):
    """After a refused code ended the pending login (too many wrong codes, or used by another request). `notice`:
    why the account may not try now (lock_notice), said instead."""
    flash(str(notice or _("This sign-in can't continue (too many wrong codes, or it was already used). "
                          "Enter your email and password again.")), "error")
    return redirect(area.url("login"))


def advance(area: Area, pending):
    """The next step of a sign-in whose password was right."""
    user = login.pending_user(pending)
    step = login.next_step(user)
    if step == "challenge" and devices.recognised(user) is not None:
        return finish(area, pending, "remembered_device")  # this browser proved the second factor before
    if step == "challenge":
        return redirect(area.url("login_verify"))
    if step == "setup":
        return redirect(area.url("login_setup"))
    return finish(area, pending, "password")


def finish(area: Area, pending, how: str):
    """Complete the sign-in (login.complete) and go on to the new recovery codes or the safe `next`."""
    try:
        user = login.pending_user(pending)
        next_url = login.complete(pending, how)
    except login.AlreadyCompleted:
        flash(_("This sign-in was already completed or has expired. Sign in again."), "error")
        return redirect(area.url("login"))
    target = after_setup(area, next_url or url_for(area.home))
    if user.recovery_codes_due and user.confirmed_authenticators:
        # An admin set up their 2FA: the recovery codes are theirs to make, now that they are signed in.
        flash(str(recovery.DUE_MESSAGE), "info")
        return redirect(area.url("recovery_codes", next=target))
    return redirect(target)


def after_setup(area: Area, default_url: str) -> str:
    """Where to go once an authenticator is confirmed: to the new recovery codes first if a set was just made."""
    if recovery.unseen() is None:
        return default_url
    return area.url("recovery_codes", next=default_url)
