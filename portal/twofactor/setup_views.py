"""The one setup page, registered for the four places a second factor is set up: the mandatory step at sign-in,
Preferences › Security (agents), Your 2FA (help center) and an admin setting one up for an agent.

Each place is a SetupPlace: who is being set up, what guards the page, the page around the method's own setup
partial (Method.setup_template) and where a finished setup goes. The page itself — the name, the method's steps,
"Send Verification Code" for a method that sends codes, the first code, the errors — is the same everywhere.
"""
from abc import ABC, abstractmethod

from flask import abort, current_app, flash, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l, ngettext

from ..models import PluginInstance, User
from ..rate_limits import auth_limit
from . import login, policy, registry, setup
from .areas import EXPIRED, Area, after_setup, area_required, finish, me, pending_at, sign_in_again
from .base import FlowError, Method, Outcome
from .forms import ActionForm, SetupForm, for_method
from .fresh import fresh_required


class SetupPlace(ABC):
    """What differs between the places a method is set up. Subclasses fill in the blanks."""

    area: Area
    endpoint: str  # the setup page; "<endpoint>_send_code" sends a code
    template: str  # the page around the method's partial
    form_class = SetupForm
    submit_label = _l("Verify and finish setup")
    show_name = True
    sends = False  # whether this place has a "Send Verification Code" route (register())
    base: str | None = None  # the layout, when not the area's

    def guard(self, view):
        return view

    def subject(self, **kwargs) -> User:
        """The person whose factor is set up (aborts with a redirect when this page is not theirs to see)."""
        return me()

    def actor(self) -> User | None:
        """Who sets it up when it is not the person themselves."""
        return None

    def instance(self, **kwargs) -> PluginInstance:
        return setup.instance_or_404(kwargs["instance_id"])

    def allows(self, method: Method) -> bool:
        return True

    def url(self, instance: PluginInstance, send: bool = False, **kwargs) -> str:
        return url_for(self.endpoint + ("_send_code" if send else ""), instance_id=instance.id, **kwargs)

    def cancel_url(self, **kwargs) -> str | None:
        return None

    def context(self, user: User, **kwargs) -> dict:
        return {}

    @abstractmethod
    def done(self, user: User, authenticator, **kwargs):
        """The response once the setup is confirmed (a flash and a redirect)."""

    def register(self, bp, rule: str, send_rule: str | None) -> None:
        """Add the page at `rule`, and "Send Verification Code" at `send_rule` (None where nothing is sent)."""
        self.sends = bool(send_rule)
        name = self.endpoint.rpartition(".")[2]
        bp.add_url_rule(rule, name, auth_limit(self.guard(self._page)), methods=["GET", "POST"])
        if send_rule:
            bp.add_url_rule(send_rule, name + "_send_code", auth_limit(self.guard(self._send)), methods=["POST"])

    # --- the page, the same in every place ----------------------------------------------------------------------

    def _setting_up(self, kwargs) -> tuple[User, PluginInstance, Method]:
        user, instance = self.subject(**kwargs), self.instance(**kwargs)
        method = registry.method(instance.plugin_key)
        if not self.allows(method):
            abort(404, _("That method sends codes to the person, so only they can set it up."))
        return user, instance, method

    def _page(self, **kwargs):
        user, instance, method = self._setting_up(kwargs)
        form, status = for_method(self.form_class, method)(), 200
        if request.method == "GET" and not form.name.data:
            form.name.data = setup.default_name(user, method)
        if request.method == "POST" and g.get("proved_in_place") and not form.code.data:
            # "Confirm it's you" came in between: the name and the setup are kept, the code typed before is not.
            flash(str(PROVED_MESSAGE), "info")
        elif request.method == "POST":
            status = 400
            if form.validate_on_submit():
                try:
                    authenticator = setup.confirm(user, instance, form.name.data, form.code.data,
                                                  actor=self.actor(), code_again=form.code_again.data)
                    return self.done(user, authenticator, **kwargs)
                except FlowError as exc:
                    form.code.errors.append(str(exc))
        restart = request.method == "GET" and request.args.get("new") == "1"
        return self._render(user, instance, form, status, restart=restart, **kwargs)

    def _send(self, **kwargs):
        """"Send Verification Code": the name is checked first, then the code is emailed for this setup."""
        user, instance, method = self._setting_up(kwargs)
        if not method.sends_code:
            abort(404)
        form = self.form_class()
        form.validate_on_submit()  # only the token and the name matter here: no code was typed yet
        if "csrf_token" in form.errors:
            abort(400)
        form.code.errors = []
        try:
            form.name.data = setup.check_name(user, form.name.data)
        except FlowError as exc:
            form.name.errors = [str(exc)]
            return self._render(user, instance, form, 400, **kwargs)
        form.name.errors = []
        outcome = setup.send_setup_code(user, instance)
        if outcome is Outcome.OK:
            flash(_("We sent a verification code to %(address)s. It is valid for 10 minutes.",
                    address=setup.begin(user, instance).target), "success")
        else:
            flash(method.send_failure_message(outcome), "error")
        status = {Outcome.OK: 200, Outcome.UNAVAILABLE: 503}.get(outcome, 429)
        return self._render(user, instance, form, status, **kwargs)

    def _render(self, user: User, instance: PluginInstance, form, status: int, restart: bool = False, **kwargs):
        view = setup.begin(user, instance, restart=restart)
        context = {"user": user, "form": form, "view": view, "action": self.url(instance, **_query(kwargs)),
                   "send_action": self.url(instance, send=True, **_query(kwargs)) if self.sends else None,
            "show_name": self.show_name,
                   "submit_label": self.submit_label, "cancel_url": self.cancel_url(**kwargs),
                   "base": self.base or self.area.base_template}
        context.update(self.context(user, **kwargs))
        return render_template(self.template, area=self.area, **context), status


def _query(kwargs: dict) -> dict:
    """The view arguments that go into the page's own URLs (all but the instance, which url() adds)."""
    return {k: v for k, v in kwargs.items() if k != "instance_id"}


class OwnSetup(SetupPlace):
    """A signed-in person adds a factor to their own account (Preferences › Security, Your 2FA)."""

    def __init__(self, area: Area, endpoint: str, template: str, back: str, form_class=SetupForm,
                 submit_label: str = SetupPlace.submit_label, done_messages: tuple[str, str] | None = None):
        self.area, self.endpoint, self.template, self.back = area, endpoint, template, back
        self.form_class, self.submit_label = form_class, submit_label
        self.done_messages = done_messages or DONE_MESSAGES

    def guard(self, view):
        return area_required(self.area)(fresh_required(self.area)(view))

    def cancel_url(self, **kwargs) -> str:
        return url_for(self.back)

    def done(self, user: User, authenticator, **kwargs):
        as_default, added = self.done_messages
        flash(done_message(as_default if authenticator.is_default else added, authenticator.name), "success")
        # The first authenticator comes with recovery codes: they are shown once, before the area's 2FA page.
        return redirect(after_setup(self.area, url_for(self.back)))


PROVED_MESSAGE = _l("Thanks, that's you. Your setup was kept while you confirmed, but the code you typed has expired "
                    "meanwhile: enter the current code to finish.")


def expired_setup_message() -> str:
    minutes = current_app.config["PENDING_LOGIN_SECONDS"] // 60
    return ngettext("Your sign-in expired before the setup was finished (a sign-in lasts %(num)d minute), so nothing "
                    "was set up. Enter your password again, then start the setup afresh with the new QR code or code.",
                    "Your sign-in expired before the setup was finished (a sign-in lasts %(num)d minutes), so "
                    "nothing was set up. Enter your password again, then start the setup afresh with the new QR code "
                    "or code.", minutes)


# What a finished setup says: (it became the default, it was added). `%(name)s` is the authenticator's name.
DONE_MESSAGES = (_l("Setup complete: “%(name)s” is your default 2FA method."),
                 _l("Setup complete: “%(name)s” is added. Make it your default to be asked for it first."))


def done_message(message, name: str) -> str:
    """One of the done messages (lazy, from DONE_MESSAGES or an area's own) with the authenticator's name; an
    area's message may name it `%(name)s` or `{name}`."""
    text = str(message)
    return text.replace("{name}", name) if "{name}" in text else text.replace("%(name)s", name)


class MandatorySetup(SetupPlace):
    """The setup step of a sign-in whose person must have a second factor and has none (the pop-up)."""

    template = "auth/setup.html"
    show_name = False

    def __init__(self, area: Area):
        self.area, self.endpoint = area, f"{area.name}.login_setup"

    def subject(self, **kwargs) -> User:
        pending, user, elsewhere = pending_at(self.area, "setup",
                                              expired_setup_message() if request.method == "POST" else EXPIRED)
        if elsewhere:
            abort(elsewhere)
        return user

    def instance(self, **kwargs) -> PluginInstance:
        instances = registry.active_instances()
        if not instances:
            abort(make_response(*self.area.render("auth/setup_unavailable.html", 503)))
        return setup.instance_or_404(request.values.get("instance", instances[0].id))

    def url(self, instance: PluginInstance, send: bool = False, **kwargs) -> str:
        return url_for(self.endpoint + ("_send_code" if send else ""), instance=instance.id)

    def context(self, user: User, **kwargs) -> dict:
        return {"instances": registry.active_instances(), "requirement": policy.requirement(user),
                "skip_form": ActionForm()}

    def done(self, user: User, authenticator, **kwargs):
        pending = login.current(self.area.name)
        return finish(self.area, pending, "setup") if pending else sign_in_again(self.area)


def register_mandatory_setup(bp, area: Area) -> None:
    MandatorySetup(area).register(bp, "/login/setup", "/login/setup/send-code")
