"""Verify requester: an agent asks, and the requester confirms it is them with one of their OWN second factors —
through the same method interface (registry, Method.verify / send_code), the same failure budget and replay
guard (login.verify_factor → lockout.guarded) and the same security log as a sign-in. The agent never sees a
code, only what was used and when.

A requester without any second factor can confirm only with a code emailed to their account's address: the
request says so ("email only — weaker"). The answer counts for VALID_MINUTES, then shows as "verified earlier".
The requester can also answer "This wasn't me": the agent sees it and it is logged.
"""
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import force_locale, gettext as _, lazy_gettext as _l
from sqlalchemy import update

from .. import clock, dates, security_log
from ..extensions import db
from ..mail import MailUnavailable, send_email
from ..models import Authenticator, RequesterVerification, SupportRequest, User
from ..twofactor import email_codes, lockout, login, registry
from ..twofactor.base import Outcome
from ..public_url import public_url

log = logging.getLogger(__name__)

VALID_MINUTES = 15  # a confirmation counts this long
ANSWER_WITHIN = timedelta(hours=1)  # an ask the requester has not answered by then lapses
# What the agent reads a confirmation was made with. Stored (and logged) in English, shown in the reader's language.
EMAIL_ONLY_LABEL = "an emailed code"
_WORDS = (_l("an emailed code"),)  # for the catalog: shown with gettext(row.method_label)


def purpose(ask: RequesterVerification) -> str:
    """What codes sent and checked for this ask are bound to."""
    return f"verify:{ask.id}"


def ask(req: SupportRequest, agent: User) -> RequesterVerification:
    """The agent's "Verify requester": an earlier unanswered ask on this request is replaced; the requester is told
    in the help center and by mail (with a link that leads through sign-in). Commits."""
    now = clock.now()
    db.session.execute(update(RequesterVerification)
                       .where(RequesterVerification.request_id == req.id, RequesterVerification.state == "asked")
                       .values(state="replaced").execution_options(synchronize_session=False))
    row = RequesterVerification(request_id=req.id, asked_by=agent, asked_at=now, expires_at=now + ANSWER_WITHIN,
                                state="asked", method_label="", email_only=False)
    db.session.add(row)
    db.session.flush()
    security_log.record("request.verify_asked", req.requester, actor=agent, request=req.id)
    db.session.commit()
    link = public_url("helpcenter.request_verify", request_id=req.id)
    try:
        send_email(req.requester.email, lambda: _("Confirm it is you, for request #%(id)s", id=req.id),
                   "request_verify", user=req.requester, request=req, agent_name=agent.name, link=link,
                   minutes=int(ANSWER_WITHIN.total_seconds() // 60))
    except MailUnavailable:  # the ask also shows in the help center, on the request
        log.warning("the verify-requester mail for request %s could not be sent", req.id)
    return row


def open_ask(req: SupportRequest) -> RequesterVerification | None:
    """The ask the requester can answer now, if any."""
    return db.session.scalar(db.select(RequesterVerification)
                             .where(RequesterVerification.request_id == req.id, RequesterVerification.state == "asked",
                                    RequesterVerification.expires_at > clock.now())
                             .order_by(RequesterVerification.id.desc()).limit(1))


def latest(req: SupportRequest) -> RequesterVerification | None:
    """The newest ask on the request, whatever became of it (what the agent sees)."""
    return db.session.scalar(db.select(RequesterVerification)
                             .where(RequesterVerification.request_id == req.id,
                                    RequesterVerification.state != "replaced")
                             .order_by(RequesterVerification.id.desc()).limit(1))


def factors(user: User) -> list[Authenticator]:
    """The requester's second factors a method is installed for (an uninstalled method cannot check a code)."""
    return [a for a in user.confirmed_authenticators if registry.method(a.method) is not None]


def email_only(user: User) -> bool:
    """A requester without a second factor confirms with a code emailed to their account's address."""
    return not factors(user)


def send_code(user: User, row: RequesterVerification, authenticator: Authenticator | None) -> tuple[Outcome, str]:
    """Send a code for this ask: through the chosen factor's method when it sends codes, or (email only) to the
    account's address. Returns the outcome and the message to show."""
    if authenticator is None:
        outcome = email_codes.issue(user, user.email, purpose(row))
        sent = _("We sent a code to %(target)s. It is valid for 10 minutes.", target=user.email)
        return outcome, sent if outcome is Outcome.OK else _send_refused(outcome)
    method = registry.method(authenticator.method)
    outcome = method.send_code(user, authenticator.target, purpose(row))
    sent = _("We sent a code to %(target)s. It is valid for 10 minutes.", target=authenticator.target)
    return outcome, sent if outcome is Outcome.OK else method.send_failure_message(outcome)


def _send_refused(outcome: Outcome) -> str:
    if outcome is Outcome.THROTTLED:
        return _("A code was sent less than a minute ago. Wait a moment before asking again.")
    if outcome is Outcome.USED_UP:
        return _("Too many codes were sent in the last hour. Try again later.")
    return _("We couldn't send the email. Try again in a few minutes.")


# The one answer an ask gets: a conditional UPDATE from "asked", so two answers can never both count.
def _answer(row_id: int, **values) -> bool:
    now = clock.now()
    return db.session.execute(
        update(RequesterVerification)
        .where(RequesterVerification.id == row_id, RequesterVerification.state == "asked",
               RequesterVerification.expires_at > now)
        .values(answered_at=now, **values).execution_options(synchronize_session=False)).rowcount == 1


def confirm(user: User, req: SupportRequest, row: RequesterVerification, authenticator: Authenticator | None,
            code: str) -> Outcome:
    """Check the requester's code for this ask, against the account's failure budget, exactly as at sign-in
    (a wrong code is charged and logged, a replayed one refused and the owner told). `authenticator` None: the
    email-only code. On OK the ask is answered "verified" and the security log says with what. Commits."""
    if authenticator is None:
        label, only_email = EMAIL_ONLY_LABEL, True
        outcome = lockout.guarded(user, "email_only", lambda: email_codes.check(user.id, purpose(row), code),
                                  slow=True)
    else:
        method = registry.method(authenticator.method)
        with force_locale("en"):  # stored and logged in English; shown translated
            label, only_email = str(method.type_label), False
        outcome = login.verify_factor(user, authenticator, code, purpose(row))
    if outcome is not Outcome.OK:
        return outcome
    if not _answer(row.id, state="verified", method_label=label[:80], email_only=only_email):
        db.session.commit()  # the budget's refund stands; the ask was answered or lapsed meanwhile
        return Outcome.EXPIRED
    security_log.record("request.verified", user, actor=user, request=req.id, method=label, email_only=only_email)
    db.session.commit()
    return outcome


def deny(user: User, req: SupportRequest, row: RequesterVerification) -> bool:
    """"This wasn't me": the agent sees it on the request, and it is logged. Commits."""
    if not _answer(row.id, state="denied"):
        db.session.rollback()
        return False
    security_log.record("request.verify_denied", user, actor=user, request=req.id,
                        asked_by=row.asked_by_id)
    db.session.commit()
    return True


@dataclass
class Shown:
    """What the agent reads about the newest ask: a sentence and its tone ("ok", "warn", "info")."""
    text: str
    tone: str
    current: bool = False  # a confirmation within VALID_MINUTES


def _at(moment: datetime) -> str:
    """ "1 Mar 2026, 09:00 Europe/Berlin": on the reader's clock."""
    return dates.when(moment)


def shown(row: RequesterVerification | None, now: datetime | None = None) -> Shown | None:
    """What the agent reads about the newest ask (in the page's language and the reader's zone)."""
    if row is None:
        return None
    now = now or clock.now()
    by = row.asked_by.name if row.asked_by else _("a removed agent")
    if row.state == "verified":
        values = {"method": _(row.method_label) if row.method_label else "", "at": _at(row.answered_at), "by": by}
        if now - row.answered_at <= timedelta(minutes=VALID_MINUTES):
            if row.email_only:
                return Shown(_("Identity verified with %(method)s at %(at)s (asked by %(by)s) — email only, weaker",
                               **values), "warn", True)
            return Shown(_("Identity verified with %(method)s at %(at)s (asked by %(by)s)", **values), "ok", True)
        if row.email_only:
            text = _("Verified earlier: with %(method)s at %(at)s (asked by %(by)s) — email only, weaker. It is more "
                     "than %(minutes)s minutes old: ask again before acting on it.", minutes=VALID_MINUTES, **values)
        else:
            text = _("Verified earlier: with %(method)s at %(at)s (asked by %(by)s). It is more than %(minutes)s "
                     "minutes old: ask again before acting on it.", minutes=VALID_MINUTES, **values)
        return Shown(text, "info")
    if row.state == "denied":
        return Shown(_("The requester answered “This wasn't me” at %(at)s (asked by %(by)s). Do not act on this "
                       "request's claims.", at=_at(row.answered_at), by=by), "warn")
    if row.expires_at <= now:
        return Shown(_("Not verified: the requester did not answer the ask of %(at)s (asked by %(by)s).",
                       at=_at(row.asked_at), by=by), "info")
    return Shown(_("Waiting for the requester to confirm (asked by %(by)s at %(at)s).", by=by, at=_at(row.asked_at)),
                 "info")
