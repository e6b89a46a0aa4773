"""Adding, renaming, removing and choosing the default authenticator: one set of flows for every area.

The secret of a setup in progress is kept on the server (portal.sessions.state), encrypted, bound to this browser's
session or pending sign-in, until the first code confirms it;
nothing half-made is ever stored as an authenticator. The pages that call these flows are setup_views.
"""
import secrets
from dataclasses import dataclass, field

from flask import abort
from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError

from .. import clock, crypto, security_log, sessions
from ..extensions import db
from ..models import Authenticator, PluginInstance, User
from ..notify import security_notice
from ..safe_url import row_id
from . import devices, recovery, registry
from .base import FlowError, Method, Outcome, SetupState

STATE_KEY = "setup"  # the setup in progress, kept on the server (portal.sessions)
NAME_MAX = 60
MISMATCH = _l("The two entries don't match. Type the same in both fields.")



@dataclass
class SetupView:
    """A setup in progress as its page shows it: the method's details (a QR code, whether a code was sent)."""
    instance: PluginInstance
    method: Method
    target: str = ""
    details: dict = field(default_factory=dict)


def usable_instance(instance_id) -> PluginInstance:
    instance = db.session.get(PluginInstance, row_id(instance_id)) if row_id(instance_id) else None
    if instance is None or instance not in registry.active_instances():
        raise FlowError(_("That sign-in method is not available."))
    return instance


def instance_or_404(instance_id) -> PluginInstance:
    """The usable instance for a setup page; any other id (another's, disabled, junk) is a 404 with the reason."""
    try:
        return usable_instance(instance_id)
    except FlowError as exc:
        abort(404, str(exc))


def begin(user: User, instance: PluginInstance, restart: bool = False) -> SetupView:
    """Start (or continue) setting up `instance` for `user`; the same secret is shown until it is confirmed."""
    state = _in_progress()
    if restart or not state or state.get("user_id") != user.id or state.get("instance_id") != instance.id:
        method = registry.method(instance.plugin_key)
        fresh = method.begin_setup(user, registry.instance_config(instance))
        state = {"user_id": user.id, "instance_id": instance.id, "method": instance.plugin_key,
                 "secret": crypto.encrypt(fresh.secret) if fresh.secret else "",
                 "target": fresh.target, "extra": fresh.extra, "nonce": secrets.token_urlsafe(16)}
        if not sessions.keep(STATE_KEY, state):
            abort(400)  # neither signed in nor signing in: nothing to set up
        db.session.commit()
    return _view(user, instance, state)


def _in_progress() -> dict | None:
    state = sessions.state(STATE_KEY)
    return state if isinstance(state, dict) else None


def _state(state: dict) -> SetupState:
    return SetupState(secret=crypto.decrypt(state["secret"]) if state["secret"] else "", target=state["target"],
                      extra=state["extra"])


def _view(user: User, instance: PluginInstance, state: dict) -> SetupView:
    method = registry.method(state["method"])
    return SetupView(instance=instance, method=method, target=state["target"],
                     details=method.setup_details(user, _state(state), purpose(state)))


def default_name(user: User, method: Method) -> str:
    """The name a new authenticator of `method` gets unless the person types another: the method's label,
    numbered when the person has one of that name already."""
    names = {a.name for a in user.authenticators}
    label = str(method.label)  # in the person's language when it is made; a name is theirs from then on
    name, n = label, 2
    while name in names:
        name, n = f"{label} {n}", n + 1
    return name


def purpose(state: dict) -> str:
    return f"setup:{state['nonce']}"


def send_setup_code(user: User, instance: PluginInstance) -> Outcome:
    """Email a verification code for `user`'s setup in progress of `instance` (started if there is none), bound
    to that setup and sent to the address fixed when it began (the person's login email). Every area calls this
    for its "Send Verification Code" button; `confirm` then checks the code.

    Returns Outcome.OK when sent; otherwise why not, to show with
    `registry.method(instance.plugin_key).send_failure_message(outcome)`: THROTTLED (asked again within 60 s),
    USED_UP (hourly cap reached), UNAVAILABLE (mail could not be sent; no code is left valid) — or
    UNAVAILABLE too for a method that sends nothing."""
    begin(user, instance)
    state = _in_progress()
    method = registry.method(state["method"])
    if method is None or not method.sends_code:
        return Outcome.UNAVAILABLE
    return method.send_code(user, state["target"], purpose(state))


def check_name(user: User, name: str, exclude_id: int | None = None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise FlowError(_("Give this authenticator a name."))
    if len(name) > NAME_MAX:
        raise FlowError(_("Names can be at most %(max)s characters.", max=NAME_MAX))
    clash = db.session.scalar(
        db.select(func.count()).select_from(Authenticator)
        .where(Authenticator.user_id == user.id, Authenticator.name == name, Authenticator.id != (exclude_id or 0))
    )
    if clash:
        raise FlowError(_name_taken(name))
    return name


def _name_taken(name: str) -> str:
    return _("You already have an authenticator named “%(name)s”. Choose another name.", name=name)


def _store_name(name: str) -> None:
    """Write the new or renamed authenticator now: when two requests give one person the same name at the same
    instant, the unique (person, name) constraint lets only one through and the other is told, before anything is
    logged or mailed."""
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise FlowError(_name_taken(name)) from None


def confirm(user: User, instance: PluginInstance, name: str, code: str, actor: User | None = None,
            code_again: str | None = None) -> Authenticator:
    """Confirm the setup in progress with its first code and store the authenticator. `code_again`: the second
    entry of a method whose code is typed twice at setup (a PIN)."""
    state = _in_progress()
    if not state or state.get("user_id") != user.id or state.get("instance_id") != instance.id:
        raise FlowError(_("This setup has expired. Start again."))
    name = check_name(user, name)
    method = registry.method(state["method"])
    setup_state = _state(state)
    outcome, fields = method.confirm_setup(user, setup_state, code, purpose(state))
    if outcome is not Outcome.OK:
        messages = {**SETUP_MESSAGES, **method.setup_messages}  # a method may word its own
        raise FlowError(str(messages.get(outcome) or _("That code isn't right. Check the code and try again.")))
    if method.code_input.confirm_at_setup and (code or "") != (code_again or ""):
        raise FlowError(str(MISMATCH))
    now = clock.now()
    first = not user.confirmed_authenticators
    authenticator = Authenticator(user_id=user.id, method=state["method"], instance_id=instance.id, name=name,
                                  target=setup_state.target or None, is_default=first, created_at=now,
                                  confirmed_at=now, **fields)  # last used: at its first sign-in
    db.session.add(authenticator)
    _store_name(name)
    event = "2fa.admin_setup" if actor is not None and actor.id != user.id else "2fa.setup"
    security_log.record(event, user, actor=actor or user, method=state["method"], name=name)
    security_notice(user, event, authenticator=name, admin=actor.name if event == "2fa.admin_setup" else None)
    devices.revoke_all(user, "factor added", notify=False)
    sessions.end_all(user, keep_current=True)  # a new factor: every other browser signs in again
    sessions.drop(STATE_KEY)
    if first and (actor is None or actor.id == user.id):
        recovery.generate(user)  # shown once, next (see areas.after_setup)
    elif first:
        user.recovery_codes_due = True  # the admin can't hold them: the owner is asked at their next sign-in
    db.session.commit()
    return authenticator


SETUP_MESSAGES = {
    Outcome.WRONG: _l("That code isn't right. Check that your phone's clock is set automatically, then try the "
                      "newest code."),
    Outcome.EXPIRED: _l("That code has expired. Send a new one."),
    Outcome.USED_UP: _l("Too many tries for that code. Send a new one."),
    Outcome.NO_CODE: _l("Send a verification code first."),
}


def owned(user: User, authenticator_id) -> Authenticator | None:
    """The person's own confirmed authenticator with this id, or None (another person's id is never found)."""
    if row_id(authenticator_id) is None:
        return None
    return db.session.scalar(db.select(Authenticator).where(
        Authenticator.id == row_id(authenticator_id), Authenticator.user_id == user.id,
        Authenticator.confirmed_at.is_not(None)))


def rename(user: User, authenticator: Authenticator, name: str) -> None:
    authenticator.name = check_name(user, name, exclude_id=authenticator.id)
    _store_name(authenticator.name)
    security_log.record("2fa.renamed", user, actor=user, name=authenticator.name)
    security_notice(user, "2fa.renamed", authenticator=authenticator.name)
    db.session.commit()


def set_default(user: User, authenticator: Authenticator) -> None:
    for other in user.confirmed_authenticators:
        other.is_default = other.id == authenticator.id
    security_log.record("2fa.default_changed", user, actor=user, name=authenticator.name)
    security_notice(user, "2fa.default_changed", authenticator=authenticator.name)
    db.session.commit()


def removal_refused(user: User, authenticator: Authenticator) -> str | None:
    """Why `authenticator` can't be removed now (shown before asking for proof), or None if it can."""
    from .policy import requirement

    others = [a for a in user.confirmed_authenticators if a.id != authenticator.id]
    if not others and requirement(user).required:
        return _("Two-factor authentication is required for your account, so you can't remove your "
                 "last authenticator. Add another one first.")
    return None


def remove(user: User, authenticator: Authenticator) -> None:
    """Remove one of the person's own authenticators; the last one is kept while 2FA is required for them."""
    refused = removal_refused(user, authenticator)
    if refused:
        raise FlowError(refused)
    was_default = authenticator.is_default
    name = authenticator.name
    db.session.delete(authenticator)
    db.session.flush()
    db.session.refresh(user)
    if was_default and user.confirmed_authenticators:
        user.confirmed_authenticators[0].is_default = True
    security_log.record("2fa.removed", user, actor=user, name=name)
    security_notice(user, "2fa.removed", authenticator=name)
    devices.revoke_all(user, "factor removed", notify=False)
    sessions.end_all(user, keep_current=True)
    db.session.commit()


def reset(user: User, actor: User | None) -> int:
    """Remove every second factor of a person (lost device): their sessions are signed out, they are told, and
    no fresh grace period is handed out. Returns how many authenticators were removed."""
    from ..models import RecoveryCode, RememberedDevice

    count = len(user.authenticators)
    for authenticator in list(user.authenticators):
        db.session.delete(authenticator)
    db.session.execute(db.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(db.update(RememberedDevice).where(RememberedDevice.user_id == user.id,
                                                         RememberedDevice.revoked_at.is_(None))
                       .values(revoked_at=clock.now()))
    user.session_version += 1  # remembered-device cookies name it: they stop working too
    sessions.end_all(user)
    user.skip_forfeited = True
    user.recovery_codes_due = False
    security_log.record("2fa.admin_reset", user, actor=actor, removed=count)
    security_notice(user, "2fa.admin_reset", admin=getattr(actor, "name", None))
    db.session.commit()
    return count
