"""Before an admin requires 2FA: who will be asked (how many agents or admins, how many have no second factor yet,
who relies on email codes only), whether mail is going out, and whether the admin themselves will be asked.
Auth & SSO shows it beside the switches, before anything is saved."""
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import case, func

from .. import clock, dates
from ..extensions import db
from ..models import AGENT, Authenticator, SecurityEvent, User
from ..twofactor import registry


@dataclass
class Group:
    people: int  # agents (or admins) in all
    without: int  # with no confirmed second factor: asked to set one up
    codes_only: int  # whose only second factors send codes by email: they depend on mail


@dataclass
class Preview:
    agents: Group
    admins: Group
    mail: str  # how mail goes out, in words
    mail_ok: bool
    me_without: bool  # the admin looking has no second factor themselves


def _group(admins_only: bool) -> Group:
    sending = [key for key, method in registry.discovered().items() if method.sends_code] or [""]
    per_person = (db.select(Authenticator.user_id,
                            func.max(case((Authenticator.method.in_(sending), 0), else_=1)).label("other"))
                  .where(Authenticator.confirmed_at.is_not(None)).group_by(Authenticator.user_id).subquery())
    query = (db.select(func.count(User.id),
                       func.coalesce(func.sum(case((per_person.c.user_id.is_(None), 1), else_=0)), 0),
                       func.coalesce(func.sum(case((per_person.c.other == 0, 1), else_=0)), 0))
             .select_from(User).outerjoin(per_person, per_person.c.user_id == User.id).where(User.kind == AGENT))
    if admins_only:
        query = query.where(User.is_admin.is_(True))
    people, without, codes_only = db.session.execute(query).one()
    return Group(int(people), int(without), int(codes_only))


def _mail() -> tuple[str, bool]:
    server = current_app.config.get("MAIL_SERVER")
    failed = db.session.scalar(db.select(func.max(SecurityEvent.created_at)).where(
        SecurityEvent.type == "2fa.email_failed", SecurityEvent.created_at >= clock.now() - timedelta(days=1)))
    if server and failed:
        return (_("Mail goes out through %(server)s, but an email code could not be sent at %(when)s: check the "
                  "mail server before relying on email codes.", server=server, when=dates.in_words(failed)), False)
    if server:
        return _("Mail goes out through %(server)s; no email code failed to send in the last day.", server=server), True
    if current_app.debug:
        return _("Mail is kept in the development outbox (no MAIL_SERVER is set)."), False
    return _("Mail is not set up (no MAIL_SERVER is set): nobody can get a code by email."), False


def preview(admin: User) -> Preview:
    mail, mail_ok = _mail()
    return Preview(agents=_group(False), admins=_group(True), mail=mail, mail_ok=mail_ok,
                   me_without=not admin.confirmed_authenticators)
