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

from sqlalchemy import update

from .. import clock, security_log
from ..extensions import db
from ..mail import MailUnavailable, send_email
from ..models import Authenticator, RequesterVerification, SupportRequest, User
from ..twofactor import email_codes, lockout, login, registry
from ..twofactor.base import Outcome
from ..public_url import public_url

log = logging.getLogger(__name__)

VALID_MINUTES = 15  # a confirmation counts this long
ANSWER_WITHIN = timedelta(hours=1)  # an ask the requester has not answered by then lapses
EMAIL_ONLY_LABEL = "an emailed code"


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
        send_email(req.requester.email, f"Confirm it is you, for request #{req.id}", "request_verify",
                   user=req.requester, request=req, agent_name=agent.name, link=link,
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
        sent = f"We sent a code to {user.email}. It is valid for 10 minutes."
        return outcome, sent if outcome is Outcome.OK else _send_refused(outcome)
    method = registry.method(authenticator.method)
    outcome = method.send_code(user, authenticator.target, purpose(row))
    sent = f"We sent a code to {authenticator.target}. It is valid for 10 minutes."
    return outcome, sent if outcome is Outcome.OK else method.send_failure_message(outcome)


def _send_refused(outcome: Outcome) -> str:
    return {Outcome.THROTTLED: "A code was sent less than a minute ago. Wait a moment before asking again.",
            Outcome.USED_UP: "Too many codes were sent in the last hour. Try again later."}.get(
        outcome, "We couldn't send the email. Try again in a few minutes.")


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
        label, only_email = method.type_label, False
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
    return moment.strftime("%H:%M") + " UTC"


def shown(row: RequesterVerification | None, now: datetime | None = None) -> Shown | None:
    if row is None:
        return None
    now = now or clock.now()
    by = row.asked_by.name if row.asked_by else "a removed agent"
    if row.state == "verified":
        weaker = " — email only, weaker" if row.email_only else ""
        if now - row.answered_at <= timedelta(minutes=VALID_MINUTES):
            return Shown(f"Identity verified with {row.method_label} at {_at(row.answered_at)} (asked by {by})"
                         f"{weaker}", "warn" if row.email_only else "ok", True)
        return Shown(f"Verified earlier: with {row.method_label} at {_at(row.answered_at)} (asked by {by}){weaker}. "
                     f"It is more than {VALID_MINUTES} minutes old: ask again before acting on it.", "info")
    if row.state == "denied":
        return Shown(f"The requester answered “This wasn't me” at {_at(row.answered_at)} (asked by {by}). "
                     "Do not act on this request's claims.", "warn")
    if row.expires_at <= now:
        return Shown(f"Not verified: the requester did not answer the ask of {_at(row.asked_at)} "
                     f"(asked by {by}).", "info")
    return Shown(f"Waiting for the requester to confirm (asked by {by} at {_at(row.asked_at)}).", "info")
