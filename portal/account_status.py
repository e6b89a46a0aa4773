"""Disabled accounts: an admin disables an account (someone leaving, a compromised account under investigation)
and enables it again; the command line can do both.

A disabled account cannot sign in by any path — every sign-in goes through `login.begin`, which refuses it — and
any session it still had is refused at its next request (`sessions`), besides being ended at once here. The
answer only names the state after a right password, so it tells a stranger nothing about which addresses exist.
Nothing else about the account changes: its factors, recovery codes and history stay for when it is enabled.
"""
from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import delete, func, select
from werkzeug.exceptions import Forbidden

from . import clock, security_log, sessions
from .extensions import db
from .models import PendingLogin, User
from .notify import security_notice
from .twofactor.base import FlowError

DISABLED = _l("This account is disabled. Ask your helpdesk administrator if you need it again.")


class AccountDisabled(Forbidden):
    """Raised by a sign-in of a disabled account: a clear 403 page wherever it happens."""
    description = DISABLED


def refuse_if_disabled(user: User) -> None:
    if user.disabled_at is not None:
        raise AccountDisabled()


def disable(person: User, actor: User | None = None) -> int:
    """Disable `person`: every session and pending sign-in ends, logged, the owner mailed. Returns how many
    sessions ended. An admin can't disable themselves, nor the last admin who can still sign in."""
    if actor is not None and actor.id == person.id:
        raise FlowError(_("You can't disable your own account. Another admin can."))
    if person.disabled_at is not None:
        raise FlowError(_("%(name)s's account is already disabled.", name=person.name))
    if person.is_admin and _other_enabled_admins(person) == 0:
        raise FlowError(_("%(name)s is the only admin who can sign in: make someone else an admin first.",
                          name=person.name))
    person.disabled_at = clock.now()
    ended = sessions.end_all(person)
    db.session.execute(delete(PendingLogin).where(PendingLogin.user_id == person.id)
                       .execution_options(synchronize_session=False))
    security_log.record("account.disabled", person, actor=actor, sessions_ended=ended)
    db.session.commit()
    security_notice(person, "account.disabled")
    return ended


def enable(person: User, actor: User | None = None) -> None:
    if person.disabled_at is None:
        raise FlowError(_("%(name)s's account is not disabled.", name=person.name))
    person.disabled_at = None
    security_log.record("account.enabled", person, actor=actor)
    db.session.commit()
    security_notice(person, "account.enabled")


def _other_enabled_admins(person: User) -> int:
    return db.session.scalar(select(func.count()).select_from(User).where(
        User.is_admin.is_(True), User.disabled_at.is_(None), User.id != person.id))
