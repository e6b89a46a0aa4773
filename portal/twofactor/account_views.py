"""The person's own security pages, registered once per area (like login_views.register_login_routes).

"Confirm it's you" (fresh proof), recovery codes (a new set shown once with download and print, a count of
those left, a new set on request), remembered devices (list, forget one or all) and recent security activity.
The area's own 2FA page (Preferences > Security, Your 2FA) includes the panels in templates/security/.
"""
from dataclasses import dataclass, field

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l, ngettext

from .. import clock, security_log, sessions
from ..extensions import db
from ..models import SecurityEvent, User
from ..rate_limits import auth_limit
from ..safe_url import local_path
from ..security_log import describe
from ..settings import get_setting
from ..sso import words as sso_words
from . import devices, fresh, recovery, registry
from .account_forms import NextForm
from .areas import area_required, me
from .forms import ActionForm, ProofForm
RECENT = 8  # events shown on the security page; the activity page shows more
ACTIVITY_PAGE = 50


@dataclass
class Overview:
    """What the security panels show for one person."""
    has_factor: bool
    recovery_left: int
    recovery_total: int
    recovery_made: int  # codes in the current set, used or not: 0 when the person never made one
    unseen_codes: bool
    remember_days: int
    devices: list = field(default_factory=list)  # (RememberedDevice, "Firefox on Windows")
    sessions: list = field(default_factory=list)  # (UserSession, "Firefox on Windows", how, is this browser)
    activity: list = field(default_factory=list)  # (SecurityEvent, "what happened")


def overview(user: User, recent: int = RECENT) -> Overview:
    return Overview(
        has_factor=bool(user.confirmed_authenticators), recovery_left=recovery.remaining(user),
        recovery_total=recovery.COUNT, recovery_made=recovery.made(user), unseen_codes=recovery.unseen() is not None, remember_days=devices.days(),
        devices=[(d, devices.browser_label(d.user_agent)) for d in devices.active(user)],
        sessions=session_list(user),
        activity=activity(user, recent))


def session_list(user: User) -> list:
    """The person's signed-in sessions as their pages show them (this browser's first)."""
    mine = sessions.current()
    rows = sorted(sessions.of(user), key=lambda s: mine is None or s.id != mine.id)
    return [(s, devices.browser_label(s.user_agent), sso_words.session_how(s) or how_signed_in(s.how),
             mine is not None and s.id == mine.id) for s in rows]


HOW = {"password": _l("Password only"), "remembered_device": _l("Password, on a remembered device"),
       "recovery": _l("Password and a recovery code"), "setup": _l("Password, then set up 2FA"),
       "skipped": _l("Password only (2FA setup skipped for now)")}


def how_signed_in(how: str) -> str:
    """How a session signed in, in words: "Password and Authenticator app"."""
    if how in HOW:
        return str(HOW[how])
    method = registry.method(how)
    return _("Password and %(method)s", method=method.label) if method else how


def activity(user: User, limit: int) -> list:
    events = db.session.scalars(db.select(SecurityEvent).where(SecurityEvent.user_id == user.id)
                                .order_by(SecurityEvent.created_at.desc(), SecurityEvent.id.desc()).limit(limit))
    return [(e, describe(e)) for e in events]


def register_account_routes(bp, area, back: str) -> None:
    """Add the pages to `bp`; `back` is the endpoint of the area's own 2FA page."""
    def render(template: str, status: int = 200, **context):
        return area.render(template, status, user=me(), **context)

    def back_url() -> str:
        return url_for(back)

    def next_or_back(value) -> str:
        return local_path(value) or back_url()

    @auth_limit
    def confirm_view():
        form, status = ProofForm(), 200
        target = next_or_back(request.args.get("next"))
        if request.method == "POST":
            proved, status = fresh.check_proof(me(), form)
            if proved:
                return redirect(target)
        return render("security/confirm.html", status, form=form, cancel=back_url())

    def codes_view():
        target = next_or_back(request.args.get("next"))
        return render("security/recovery_codes.html", codes=recovery.unseen(), target=target,
                      done_form=NextForm(next=target), new_form=ActionForm(), info=overview(me(), recent=0))

    @fresh.fresh_required(area)
    def new_codes_view():
        user = me()
        if not user.confirmed_authenticators:
            flash(_("Set up an authenticator first: recovery codes come with it."), "error")
            return redirect(area.url("recovery_codes"))
        first = not recovery.made(user)
        recovery.generate(user, replacing=True)
        db.session.commit()
        flash(_("Here are your recovery codes.") if first else
              _("Here are your new recovery codes. The old ones no longer work."), "success")
        return redirect(area.url("recovery_codes", next=local_path(request.args.get("next"))))

    def download_view():
        codes = recovery.unseen()
        if codes is None:
            abort(404, _("Recovery codes can be downloaded only just after they are made. "
                         "If you have lost yours, make a new set."))
        body = render_template("security/recovery_codes.txt", codes=codes, user=me(), made=clock.now(),
                               portal_name=get_setting("portal_name"))
        return Response(body, mimetype="text/plain",
                        headers={"Content-Disposition": 'attachment; filename="recovery-codes.txt"'})

    def done_view():
        form = NextForm()
        if not form.validate_on_submit():
            abort(400)
        recovery.forget()
        db.session.commit()
        return redirect(next_or_back(form.next.data))

    def revoke_view(device_id):
        device = devices.owned(me(), device_id)
        if device is None:
            abort(404, _("That device isn't remembered for your account."))
        label = devices.browser_label(device.user_agent)
        devices.revoke(me(), device)
        flash(_("%(browser)s is forgotten: it will be asked for a second factor at its next sign-in.", browser=label),
              "success")
        return redirect(back_url())

    def revoke_all_view():
        count = devices.revoke_all(me(), "forgotten by the person")
        db.session.commit()
        flash(_("No device was remembered.") if count == 0 else
              ngettext("The remembered device is forgotten.", "All %(num)d remembered devices are forgotten.", count),
              "success")
        return redirect(back_url())

    def end_session_view(session_id):
        user = me()
        row = sessions.owned(user, session_id)
        if row is None:
            abort(404, _("That session has already ended, or isn't yours."))
        if not ActionForm().validate_on_submit():
            abort(400)
        this_browser = row is sessions.current()
        label, logged = devices.browser_label(row.user_agent), devices.browser_label(row.user_agent, translated=False)
        if this_browser:
            sessions.sign_out()
        else:
            db.session.delete(row)
        security_log.record("session.ended", user, browser=logged)
        db.session.commit()
        if this_browser:
            flash(_("You have signed out."), "success")
            return redirect(area.url("login"))
        flash(_("%(browser)s is signed out.", browser=label), "success")
        return redirect(back_url())

    def end_others_view():
        if not ActionForm().validate_on_submit():
            abort(400)
        count = sessions.end_all(me(), keep_current=True)
        security_log.record("session.ended", me(), browser="every other browser", count=count)
        db.session.commit()
        flash(_("No other session was signed in.") if count == 0 else
              ngettext("Your other session is signed out.", "Your %(num)d other sessions are signed out.", count),
              "success")
        return redirect(back_url())

    def activity_view():
        return render("security/activity.html", events=activity(me(), ACTIVITY_PAGE))

    guard = area_required(area)
    for rule, endpoint, view, methods in [
        ("/security/confirm", "fresh_proof", confirm_view, ["GET", "POST"]),
        ("/security/recovery-codes", "recovery_codes", codes_view, ["GET"]),
        ("/security/recovery-codes/new", "recovery_codes_new", new_codes_view, ["POST"]),
        ("/security/recovery-codes/download", "recovery_codes_download", download_view, ["GET"]),
        ("/security/recovery-codes/done", "recovery_codes_done", done_view, ["POST"]),
        ("/security/devices/<device_id>/forget", "device_revoke", revoke_view, ["POST"]),
        ("/security/devices/forget-all", "devices_revoke_all", revoke_all_view, ["POST"]),
        ("/security/activity", "security_activity", activity_view, ["GET"]),
        ("/security/sessions/<session_id>/end", "session_end", end_session_view, ["POST"]),
        ("/security/sessions/end-others", "sessions_end_others", end_others_view, ["POST"]),
    ]:
        bp.add_url_rule(rule, endpoint, guard(view), methods=methods)
    bp.add_app_template_global(overview, "security_overview")
