"""Email one-time codes, issued and checked in one place for sign-in and for setup (docs/architecture.md, "Methods").

A code is 6 digits from `secrets`. Only a keyed hash is stored, bound to the person and to the purpose it was
sent for ("login:<pending id>" or "setup:<nonce>"). It is valid for 10 minutes, gets at most 5 tries and one
success, and a newer code for the same purpose voids it. A person may ask again after 60 s, at most 5 times an
hour. Every try and the success are conditional UPDATEs: the database decides, so two concurrent submissions
can never both win and parallel guesses never get more than 5 tries.

The send limits hold under parallel requests on any number of workers and hosts: a send first takes the person's
row lock (`LOCK_PERSON`, an UPDATE of their `users` row that changes nothing), then reads the limits and writes the
new code in that same transaction. On PostgreSQL the row lock makes a second send for the same person wait until
the first commits, and its reads (READ COMMITTED: a fresh snapshot per statement) then see the first's code. On
SQLite the UPDATE is the transaction's first write, so it takes the database's one write lock before anything is
read (BEGIN IMMEDIATE in effect) and the reads see every earlier send. No schema change: the lock is the person's
existing row, and sends for different people never wait for each other. Nothing else is done while the lock is
held: voiding older codes (which may wait on a code being checked, whose transaction then wants the same
`users` row) comes after it is released, and the mail is sent after that.
"""
import logging
import secrets
from datetime import timedelta
from typing import NamedTuple

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, delete, func, update

from .. import clock, crypto, security_log
from ..extensions import db
from ..mail import MailUnavailable, send_email
from ..models import EmailCode, User
from .base import Outcome

log = logging.getLogger(__name__)

LIFETIME = timedelta(minutes=10)
MAX_TRIES = 5
RESEND_AFTER = timedelta(seconds=60)
HOURLY_CAP = 5
KEEP_ROWS = timedelta(days=1)  # spent rows older than this are cleared when the person asks for a new code



class Wording(NamedTuple):
    """Lazy strings: the mail is rendered in its recipient's language (mail.send_email), and so are these."""
    subject: str
    use_code: str  # "Use this code to ...:", one whole sentence (%(portal)s: the portal's name, filled in by the mail)
    not_you: str   # what to do when the person did not ask for it


# What each kind of code (the purpose before its ":") is for, as its email says it.
WORDING = {
    "login": Wording(_l("Your sign-in code"), _l("Use this code to finish signing in to %(portal)s:"),
                     _l("If you didn't try to sign in, someone may know your password: change it and tell your "
                        "helpdesk administrator.")),
    "setup": Wording(_l("Your verification code"),
                     _l("Use this code to finish setting up email authentication on your %(portal)s account:"),
                     _l("If you didn't ask for this, you can ignore this email: nothing changes on your account.")),
    "password": Wording(_l("Your code to change your password"), _l("Use this code to change the password of your %(portal)s account:"),
                        _l("If you didn't ask to change your password, someone may be signed in to your account: "
                           "sign out everywhere in Your sessions and tell your helpdesk administrator.")),
    # A support request's "Verify requester" (portal.requests).
    "verify": Wording(_l("Your code to confirm it is you"),
                      _l("Use this code to confirm to %(portal)s support that it is you. Type it only into the help "
                         "center, never give it to anyone:"),
                      _l("Support never sees this code. If you didn't ask support for anything, select “This wasn't "
                         "me” on the request.")),
}


def _hash(user_id: int, purpose: str, code: str) -> str:
    return crypto.code_hash(code, f"{user_id}:{purpose}")


def _kind(purpose: str) -> str:
    return purpose.partition(":")[0]


# Takes the person's row lock until the transaction ends: every send for one person decides one after another.
# `id = id` writes nothing new (PostgreSQL takes its weaker FOR NO KEY UPDATE lock: other tables' rows that refer
# to the person are not held up); on SQLite any UPDATE opens the write transaction.
LOCK_PERSON = (update(User).where(User.id == bindparam("user_id")).values(id=User.id)
               .execution_options(synchronize_session=False))


def refusal(user: User, purpose: str) -> Outcome | None:
    """Why a new code can't be sent now: THROTTLED within 60 s of the last one for this purpose, USED_UP once
    5 were sent in the last hour. None when one may be sent. Only a decision while the person's row lock is
    held (issue() takes it first); on its own it is advice that a parallel send can overtake."""
    now = clock.now()
    last = db.session.scalar(db.select(func.max(EmailCode.created_at))
                             .where(EmailCode.user_id == user.id, EmailCode.purpose == purpose))
    if last is not None and now - last < RESEND_AFTER:
        return Outcome.THROTTLED
    sent = db.session.scalar(db.select(func.count()).select_from(EmailCode)
                             .where(EmailCode.user_id == user.id, EmailCode.created_at > now - timedelta(hours=1)))
    return Outcome.USED_UP if sent >= HOURLY_CAP else None


def issue(user: User, target: str, purpose: str) -> Outcome:
    """Make a new code for `purpose`, void the older ones and email it to `target`.

    Under the person's row lock (module docstring) the limits are read and the new row is written and committed:
    of any number of parallel sends, only those the limits allow get a row. Older codes are voided after the
    lock is released, and the mail is sent after that (no database lock is held while a mail server is slow). If
    the mail cannot be sent the new row is deleted, so no code is left valid, and the failure is logged without
    the code. Returns OK, THROTTLED, USED_UP or UNAVAILABLE."""
    user_id, kind = user.id, _kind(purpose)
    db.session.execute(LOCK_PERSON, {"user_id": user_id})
    refused = refusal(user, purpose)
    if refused is not None:
        db.session.commit()  # ends the transaction: the lock goes
        return refused
    now = clock.now()
    code = f"{secrets.randbelow(10 ** 6):06d}"
    row = EmailCode(user_id=user_id, purpose=purpose, code_hash=_hash(user_id, purpose, code), created_at=now,
                    expires_at=now + LIFETIME, attempts=0, voided=False)
    db.session.add(row)
    db.session.flush()
    row_id = row.id
    # Spent rows are never checked (check() stops at an expired code), so no other request holds them.
    db.session.execute(delete(EmailCode).where(
        EmailCode.user_id == user_id, EmailCode.created_at < now - KEEP_ROWS))
    db.session.commit()
    # Lower ids only: of two racing sends, the newer one always survives. Until this commits, the older code is
    # already refused: check() compares only against the newest live code.
    db.session.execute(update(EmailCode).where(
        EmailCode.user_id == user_id, EmailCode.purpose == purpose, EmailCode.id < row_id,
        EmailCode.used_at.is_(None)).values(voided=True).execution_options(synchronize_session=False))
    db.session.commit()
    try:
        wording = WORDING.get(kind, WORDING["login"])
        # The subject and wording are lazy: send_email renders them in the recipient's language.
        send_email(target, wording.subject, "email_code", user=user, code=code, wording=wording,
                   minutes=int(LIFETIME.total_seconds() // 60))
    except MailUnavailable:
        db.session.rollback()
        db.session.execute(delete(EmailCode).where(EmailCode.id == row_id))
        security_log.record("2fa.email_failed", user_id, purpose=kind)
        db.session.commit()
        log.warning("email code for user %s (%s) could not be sent; no code left valid", user_id, kind)
        return Outcome.UNAVAILABLE
    security_log.record("2fa.email_sent", user_id, purpose=kind)
    db.session.commit()
    return Outcome.OK


def pending(user_id: int, purpose: str) -> bool:
    """Whether a code was sent for `purpose` and can still be entered (not used, voided or expired)."""
    return db.session.scalar(
        db.select(EmailCode.id).where(EmailCode.user_id == user_id, EmailCode.purpose == purpose,
                                      EmailCode.voided.is_(False), EmailCode.used_at.is_(None),
                                      EmailCode.expires_at > clock.now()).limit(1)) is not None


def check(user_id: int, purpose: str, code: str) -> Outcome:
    """Try `code` against the person's newest live code for `purpose`. A try is spent before the code is
    compared. Returns OK, WRONG, EXPIRED, USED_UP (5 tries spent), REPLAY (already used) or NO_CODE."""
    code = "".join((code or "").split())
    now = clock.now()
    live = db.session.scalar(
        db.select(EmailCode).where(EmailCode.user_id == user_id, EmailCode.purpose == purpose,
                                   EmailCode.voided.is_(False), EmailCode.used_at.is_(None))
        .order_by(EmailCode.id.desc()).limit(1))
    if live is None:
        return _without_live_code(user_id, purpose, code)
    live_id, live_hash = live.id, live.code_hash
    if now >= live.expires_at:
        return Outcome.EXPIRED
    spent = db.session.execute(
        update(EmailCode).where(EmailCode.id == live_id, EmailCode.attempts < MAX_TRIES,
                                EmailCode.used_at.is_(None), EmailCode.voided.is_(False))
        .values(attempts=EmailCode.attempts + 1).execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    if spent != 1:
        return _without_live_code(user_id, purpose, code) if _gone(live_id) else Outcome.USED_UP
    if not crypto.codes_equal(_hash(user_id, purpose, code), live_hash):
        return Outcome.WRONG
    won = db.session.execute(
        update(EmailCode).where(EmailCode.id == live_id, EmailCode.used_at.is_(None), EmailCode.voided.is_(False))
        .values(used_at=now).execution_options(synchronize_session=False)).rowcount
    return Outcome.OK if won == 1 else Outcome.REPLAY


def _gone(code_id: int) -> bool:
    """The code was used or voided by another request meanwhile (rather than running out of tries)."""
    row = db.session.execute(db.select(EmailCode.used_at, EmailCode.voided).where(EmailCode.id == code_id)).first()
    return row is None or row.used_at is not None or row.voided


def _without_live_code(user_id: int, purpose: str, code: str) -> Outcome:
    """No live code: the one entered was used already (REPLAY), another earlier code (WRONG), or none was sent."""
    rows = db.session.execute(db.select(EmailCode.code_hash, EmailCode.used_at)
                              .where(EmailCode.user_id == user_id, EmailCode.purpose == purpose)).all()
    if not rows:
        return Outcome.NO_CODE
    entered = _hash(user_id, purpose, code)
    if any(r.used_at is not None and crypto.codes_equal(entered, r.code_hash) for r in rows):
        return Outcome.REPLAY
    if all(r.used_at is None for r in rows):
        return Outcome.NO_CODE  # every code was voided (a failed send): ask for a new one
    return Outcome.WRONG

