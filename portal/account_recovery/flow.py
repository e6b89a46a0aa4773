"""The recovery rules, in one place (see the package docstring)."""
import hashlib
import logging
import secrets
from datetime import timedelta

from flask import has_request_context, request
from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import bindparam, func, update

from .. import clock, crypto, security_log
from ..extensions import db
from ..mail import MailUnavailable, send_email
from ..models import AGENT, RECOVERY_UNDER_WAY, AccountRecovery, User
from ..settings import get_setting
from ..twofactor import setup
from ..twofactor.base import FlowError
from ..twofactor.devices import browser_label
from ..public_url import public_url

log = logging.getLogger(__name__)

ACTIVE = RECOVERY_UNDER_WAY
# Sign-ins that prove a second factor (login.success's `how` is a method key, or one of these ways): any of them
# by the owner stops a recovery. A password alone, a remembered device, a skipped or first setup do not.
NOT_A_FACTOR = {"password", "remembered_device", "skipped", "setup"}
WAIT_HOURS_MAX = 24 * 30


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def wait_hours() -> int:
    value = get_setting("recovery_wait_hours")
    return value if isinstance(value, int) and 0 <= value <= WAIT_HOURS_MAX else 24


def active(user: User) -> AccountRecovery | None:
    return db.session.scalar(db.select(AccountRecovery).where(AccountRecovery.user_id == user.id,
                                                              AccountRecovery.state.in_(ACTIVE))
                             .order_by(AccountRecovery.id.desc()).limit(1))


def _new(user: User, kind: str, state: str) -> AccountRecovery:
    token = secrets.token_urlsafe(32)
    ip = (request.remote_addr or "")[:64] if has_request_context() else ""
    agent = (request.user_agent.string or "")[:300] if has_request_context() else ""
    row = AccountRecovery(user=user, kind=kind, state=state, created_at=clock.now(), ip=ip, user_agent=agent,
                          token_hash=_hash(token), token_enc=crypto.encrypt(token), finished_how="")
    db.session.add(row)
    db.session.flush()
    return row


def ask(user: User) -> tuple[AccountRecovery, bool]:
    """"I can't use any of my methods", after the password: a recovery request, the owner mailed at once (what,
    from where, the cancel link). One at a time: returns (the active one, False) when there is one already."""
    current = active(user)
    if current is not None:
        return current, False
    row = _new(user, "lost_device", "requested")
    security_log.record("recovery.requested", user, ip=row.ip)
    db.session.commit()
    _mail(row, "requested")
    return row, True


def schedule_admin_removal(admin: User, person: User) -> AccountRecovery:
    """An admin's "Remove 2FA" while Auth & SSO delays it: the waiting period starts now, the owner is told and
    can cancel; when it ends the factors are removed as Remove 2FA does."""
    if active(person) is not None:
        raise FlowError(_("A recovery is already under way for this account: see Admin › Account recovery."))
    row = _new(person, "admin_removal", "waiting")
    now = clock.now()
    row.approved_by_id, row.approved_at, row.ends_at = admin.id, now, now + timedelta(hours=wait_hours())
    security_log.record("recovery.waiting", person, actor=admin, ends=row.ends_at.isoformat(), kind=row.kind)
    db.session.commit()
    _mail(row, "waiting")
    return row


def approvals_needed(row: AccountRecovery) -> int:
    """An end user's recovery needs one admin; a staff account's needs two different admins, as long as there are
    two admins other than its owner (one when there are fewer)."""
    if row.user.kind != AGENT:
        return 1
    others = db.session.scalar(db.select(func.count()).select_from(User)
                               .where(User.is_admin.is_(True), User.kind == AGENT, User.id != row.user_id))
    return 2 if others >= 2 else 1


def approve(row: AccountRecovery, admin: User) -> str:
    """One admin's approval; the last one needed starts the waiting period. Returns "approved" (another admin
    must approve too) or "waiting". Raises FlowError when this admin may not approve it."""
    if row.state != "requested":
        raise FlowError(_("This recovery is no longer waiting for approval."))
    if row.user_id == admin.id:
        raise FlowError(_("You can't approve the recovery of your own account: another admin must."))
    if row.approved_by_id == admin.id:
        raise FlowError(_("You have approved it already: a second, different admin must approve it too."))
    now = clock.now()
    if row.approved_by_id is None:
        row.approved_by_id, row.approved_at, given = admin.id, now, 1
    else:
        row.second_approved_by_id, row.second_approved_at, given = admin.id, now, 2
    security_log.record("recovery.approved", row.user, actor=admin, approval=given, needed=approvals_needed(row))
    if given < approvals_needed(row):
        db.session.commit()
        _mail(row, "approved")
        return "approved"
    row.state, row.ends_at = "waiting", now + timedelta(hours=wait_hours())
    security_log.record("recovery.waiting", row.user, actor=admin, ends=row.ends_at.isoformat(), kind=row.kind)
    db.session.commit()
    _mail(row, "waiting")
    return "waiting"


def _stop(row: AccountRecovery, state: str, how: str, actor=None) -> bool:
    """End an active recovery with one conditional UPDATE (two stops, or a stop and the run, never both win)."""
    done = db.session.execute(
        update(AccountRecovery).where(AccountRecovery.id == row.id, AccountRecovery.state.in_(ACTIVE))
        .values(state=state, finished_at=clock.now(), finished_how=how)
        .execution_options(synchronize_session=False)).rowcount == 1
    if not done:
        db.session.rollback()
        return False
    security_log.record("recovery.refused" if state == "refused" else "recovery.cancelled", row.user_id,
                        actor=actor, how=how)
    db.session.commit()
    db.session.refresh(row)
    _mail(row, "refused" if state == "refused" else "cancelled")
    return True


def refuse(row: AccountRecovery, admin: User) -> bool:
    if row.user_id == admin.id:
        raise FlowError(_("You can't decide the recovery of your own account: another admin must."))
    return _stop(row, "refused", "refused by an admin", actor=admin)


def by_token(token: str) -> AccountRecovery | None:
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return None
    return db.session.scalar(db.select(AccountRecovery).where(AccountRecovery.token_hash == _hash(token)))


def cancel_by_owner(row: AccountRecovery) -> bool:
    """The cancel link: works once, while the recovery is active; no sign-in needed."""
    return _stop(row, "cancelled", "cancel link", actor=row.user_id)


# On the table, not the mapped class: it runs at every sign-in, and nothing loaded needs synchronising.
_recoveries = AccountRecovery.__table__
_STOP_OWNERS = (update(_recoveries)
                .where(_recoveries.c.user_id == bindparam("owner_id"), _recoveries.c.state.in_(ACTIVE))
                .values(state="cancelled", finished_at=bindparam("now"), finished_how="owner signed in"))


def owner_signed_in(user: User, how: str) -> None:
    """A successful second-factor sign-in by the owner stops their recovery (login.complete calls this, in its
    transaction; only when a recovery was under way does it write or mail anything)."""
    if how in NOT_A_FACTOR:
        return
    stopped = db.session.execute(_STOP_OWNERS, {"owner_id": user.id, "now": clock.now()}).rowcount
    if stopped:
        security_log.record("recovery.cancelled", user, actor=user, how="owner signed in")
        try:
            send_email(user.email, SUBJECTS["cancelled"], "recovery_notice", user=user,
                       step="signed_in", row=None, link=None, when=clock.now())
        except MailUnavailable:
            log.warning("recovery notice for user %s could not be sent", user.id)


def run_due(user: User | None = None) -> int:
    """Carry out the recoveries whose waiting period has ended (all, or this person's): every factor removed,
    every session ended, no new grace period (twofactor.setup.reset, which also tells the owner). Each one is
    claimed with a conditional UPDATE first, so two runs never both carry it out. Returns how many."""
    now = clock.now()
    due = db.select(AccountRecovery.id, AccountRecovery.user_id).where(
        AccountRecovery.state == "waiting", AccountRecovery.ends_at <= now)
    if user is not None:
        due = due.where(AccountRecovery.user_id == user.id)
    done = 0
    for row_id, user_id in db.session.execute(due).all():
        claimed = db.session.execute(
            update(AccountRecovery).where(AccountRecovery.id == row_id, AccountRecovery.state == "waiting")
            .values(state="completed", finished_at=now, finished_how="waiting period ended")
            .execution_options(synchronize_session=False)).rowcount == 1
        if not claimed:
            db.session.rollback()
            continue
        person = db.session.get(User, user_id)
        security_log.record("recovery.completed", person)
        setup.reset(person, actor=None)  # commits: factors, recovery codes, remembered devices, sessions; mailed
        done += 1
    if done:
        db.session.expire_all()  # whoever holds these people (a sign-in in progress) reads them afresh
    return done


def cancel_link(row: AccountRecovery) -> str:
    return public_url("account_recovery.cancel", token=crypto.decrypt(row.token_enc))


SUBJECTS = {
    "requested": _l("Someone asked to recover your account"),
    "approved": _l("An administrator approved the recovery of your account"),
    "waiting": _l("Your two-factor authentication will be removed"),
    "cancelled": _l("Your account recovery was stopped"),
    "refused": _l("Your account recovery was refused"),
}


def _mail(row: AccountRecovery, step: str) -> None:
    """Every step is mailed to the owner; the mail of an active recovery carries the cancel link. Never raises."""
    link = cancel_link(row) if row.state in ACTIVE else None
    try:
        send_email(row.user.email, SUBJECTS[step], "recovery_notice", user=row.user, step=step, row=row, link=link,
                   browser=lambda: browser_label(row.user_agent) if row.user_agent else _("an unknown browser"),
                   when=clock.now())
    except MailUnavailable:
        log.warning("recovery notice %s for user %s could not be sent", step, row.user_id)
