"""The grace period as people meet it (issue 22): a banner on every page after "Skip for now" until 2FA is set up,
reminder mails 7 days and 1 day before the date (`flask grace remind`, run daily by the operator), and an admin
giving one person a grace period of their own (User.grace_until; the rule itself is in twofactor.policy)."""
import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import click
from flask import g, url_for
from flask.cli import AppGroup
from flask_babel import force_locale, gettext as _, ngettext

from . import clock, dates, security_log
from .extensions import db
from .mail import MailUnavailable, send_email
from .models import AGENT, Authenticator, User
from .notify import security_notice
from .twofactor import policy
from .twofactor.base import FlowError

log = logging.getLogger(__name__)

REMIND_AT = (7, 1)  # days before the date
LONGEST_EXTENSION = timedelta(days=90)
REASON_MAX = 200


@dataclass
class Banner:
    text: str
    url: str


def days_left(deadline: datetime, now: datetime) -> int:
    return max(0, math.ceil((deadline - now) / timedelta(days=1)))


def left_in_words(deadline: datetime, now: datetime) -> str:
    n = days_left(deadline, now)
    return _("less than a day left") if n == 0 else ngettext("%(num)d day left", "%(num)d days left", n)


def banner() -> Banner | None:
    """For a person who skipped the setup: until when, and the way to set it up. None for everyone else."""
    row = g.get("portal_session")  # only what this request already loaded: an error page asks nothing more
    if row is None or row.how != "skipped":
        return None
    user = row.user
    req = policy.requirement(user)
    if user.confirmed_authenticators or not (req.required and req.skip_allowed and req.deadline):
        return None
    now = clock.now()
    setup = "agent.security" if user.kind == AGENT else "helpcenter.two_factor"
    return Banner(_("Set up 2FA before %(date)s — %(left)s.", date=dates.day_in_words(req.deadline),
                    left=left_in_words(req.deadline, now)), url_for(setup))


def extend(admin: User, person: User, until: datetime, reason: str) -> None:
    """Give `person` until `until` (naive UTC) to set up 2FA: logged with the reason, the person is mailed."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise FlowError(_("Say why: the reason is kept in the security log."))
    if len(reason) > REASON_MAX:
        raise FlowError(_("Keep the reason under %(max)s characters.", max=REASON_MAX))
    now = clock.now()
    if until <= now:
        raise FlowError(_("Choose an end date in the future."))
    if until > now + LONGEST_EXTENSION:
        raise FlowError(_("A grace period can be extended by at most 90 days."))
    person.grace_until = until
    person.grace_reminded = None
    with force_locale("en_GB"):  # the security log's details stay in English
        words = dates.in_words(until)
    security_log.record("2fa.grace_extended", person, actor=admin, until=words, reason=reason)
    security_notice(person, "2fa.grace_extended", until=until, admin=admin.name)  # said in the person's zone
    db.session.commit()


def _reminder_due(deadline: datetime, now: datetime) -> int | None:
    """Which reminder is due now (7 or 1 days before), or None."""
    if deadline <= now:
        return None
    left = deadline - now
    due = [days for days in REMIND_AT if left <= timedelta(days=days)]
    return min(due) if due else None


def remind_all() -> int:
    """Mail everyone who must set up 2FA, has not, and whose date is 7 days or 1 day away (each reminder once
    per date). Returns how many were mailed."""
    now = clock.now()
    has_factor = db.select(Authenticator.user_id).where(Authenticator.confirmed_at.is_not(None))
    sent = 0
    for person in db.session.scalars(db.select(User).where(User.id.not_in(has_factor)).order_by(User.id)):
        req = policy.requirement(person)
        if not (req.required and req.skip_allowed and req.deadline):
            continue
        due = _reminder_due(req.deadline, now)
        key = f"{req.deadline.isoformat()}/{due}"
        if due is None or person.grace_reminded == key:
            continue
        try:
            deadline = req.deadline
            send_email(person.email, lambda: _("Set up 2FA before %(date)s", date=dates.day_in_words(deadline)),
                       "grace_reminder", user=person, deadline=deadline,
                       left=lambda: left_in_words(deadline, now))
        except MailUnavailable:
            log.warning("grace reminder for user %s could not be sent", person.id)
            continue
        person.grace_reminded = key
        db.session.commit()
        sent += 1
    return sent


def register(app) -> None:
    app.add_template_global(banner, "grace_banner")
    app.add_template_global(dates.in_words, "when_words")  # "09:15 on Sunday, 1 March 2026 (Europe/Berlin)"
    group = AppGroup("grace", help="The 2FA grace period.")

    @group.command("remind")
    def remind_command():
        """Mail the reminders due now (7 days and 1 day before each person's date). Run it once a day."""
        click.echo(f"Sent {remind_all()} grace period reminder(s).")

    app.cli.add_command(group)
