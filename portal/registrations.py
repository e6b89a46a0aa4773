"""Help-center registration that proves the address (issue 20): the flows behind /register and its emailed link.

1. `start` (the form was sent): the name and address are checked by the account rules (portal.accounts,
   help-center registration: no `.local`/`.test` address), the password by the rule for new passwords
   (portal.passwords.check_new_password, as create_account does), the password is hashed, and a
   `PendingRegistration` row holds them with the SHA-256 of a random token; the token goes out by email as a link,
   valid 24 hours, once. No account exists yet. A newer registration for the same address voids the older links
   (only the newest row with a token is honoured).
   When the address already has an account the person sees the very same answer ("Check your email"), but the
   mail goes to that account's owner instead: someone tried to register with your address; sign in (or reset your
   password from the sign-in page). It is counted in the same table (a row with no token and no password), so
   the limits, the timing (the password is hashed either way) and the answer never tell which addresses exist.
2. `check` (the link is opened) says whether the link can still be used; `activate` (its button is pressed)
   claims it with one conditional UPDATE (unused, unexpired, not voided by a newer one: two requests with the same
   link can never both win) and creates the account through `accounts.create_account` in the same transaction.
   The view then continues into the shared sign-in state machine (login.begin + areas.advance), so the mandatory
   2FA setup follows when it is required.

Limits per address, counted in the table: one mail a minute, five an hour (`RESEND_AFTER`, `HOURLY_CAP`), as well
as the per-IP `auth_limit` on the views. A send decides under a lock on the address (PostgreSQL: a transaction
advisory lock on its hash; SQLite: the transaction's first statement is a write, which takes the database's one
write lock), so parallel registrations for one address never get past the limits together. The mail is sent after
the commit; if it can't be sent, the new row is deleted (no link left valid, nothing counted) and the person is
told. Only hashes of tokens are stored; no token, password or link is ever logged.
"""
import hashlib
import logging
import secrets
from datetime import timedelta

from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import delete, exists, func, select, text, update
from sqlalchemy.orm import aliased

from . import clock
from .accounts import EmailTaken, InvalidAccount, clean_email, clean_name, create_account
from .extensions import db
from .i18n import language_code
from .mail import MailUnavailable, send_email
from .models import AGENT, PendingRegistration, User
from .passwords import check_new_password, hash_password
from .public_url import public_url

log = logging.getLogger(__name__)

LINK_LIFETIME = timedelta(hours=24)
RESEND_AFTER = timedelta(seconds=60)
HOURLY_CAP = 5
KEEP_ROWS = timedelta(days=1)  # rows are deleted once this long past their expiry (and the hour they count in)
PURGE_BATCH = 100  # at most this many old rows are deleted by one registration

TOKEN_MIN, TOKEN_MAX = 20, 100  # what a link's token can look like (token_urlsafe(32) is 43 characters)

SUBJECT = _l("Confirm your email address")
TAKEN_SUBJECT = _l("Someone tried to register with your email address")


def N_(message: str) -> str:
    """Marks a message for the catalog (pybabel's N_ keyword) and leaves it as it is: these stay English strings
    (the tests compare pages with them) and are translated where they are raised, with gettext."""
    return message


THROTTLED = N_("We sent an email to this address less than a minute ago. Check your inbox and spam folder, or wait "
               "a minute before trying again.")
CAPPED = N_("We've sent 5 emails to this address in the last hour. Check your inbox and spam folder, or try again "
            "later.")  # HOURLY_CAP
SEND_FAILED = N_("We couldn't send the email. Nothing was saved: try again in a few minutes.")

UNKNOWN = N_("This link isn't valid. Check that you opened the whole link from the email, or register again.")
USED = N_("This link has already been used. Your account is ready: sign in with your email address and password.")
VOIDED = N_("A newer link was sent to this address, so this one no longer works. Use the link in the newest email.")
EXPIRED = N_("This link has expired: links work for 24 hours. Register again to get a new one.")
TAKEN = N_("An account with this email address already exists. Sign in with it instead.")


class RegistrationError(Exception):
    """A registration step that was refused: `message` for the person (one of the messages above, said in the
    page's language), `status` for the page."""

    def __init__(self, message: str, status: int):
        message = _(message)
        super().__init__(message)
        self.message, self.status = message, status


class Refused(RegistrationError):
    """The form was fine but no mail was sent: too soon, too many, or the mail server failed."""


class LinkProblem(RegistrationError):
    """The link can't be used (unknown, used, voided by a newer one, expired, or its address is taken by now)."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _lock(email: str) -> None:
    """Take the address's lock for the rest of the transaction (module docstring). On SQLite the purge below is
    the transaction's first write and takes the database's write lock."""
    if db.session.get_bind().dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(f"registration:{email}".encode()).digest()[:8], "big", signed=True)
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def _purge(now) -> None:
    """Delete a bounded batch of rows long past their expiry (and their hour of counting). Rows another
    registration is deleting at this moment are skipped (PostgreSQL), so two purges never wait for each other."""
    old = (select(PendingRegistration.id).where(PendingRegistration.expires_at < now - KEEP_ROWS)
           .limit(PURGE_BATCH).with_for_update(skip_locked=True))
    db.session.execute(delete(PendingRegistration).where(PendingRegistration.id.in_(old))
                       .execution_options(synchronize_session=False))


def _refusal(email: str, now) -> str | None:
    """Why no mail may go to `email` now (the newest was under a minute ago, or five in the last hour), or None."""
    recent = db.session.execute(
        select(func.count(), func.max(PendingRegistration.created_at))
        .where(PendingRegistration.email == email, PendingRegistration.created_at > now - timedelta(hours=1))).one()
    count, last = recent
    if last is not None and now - last < RESEND_AFTER:
        return THROTTLED
    return CAPPED if count >= HOURLY_CAP else None


def start(email: str, name: str, password: str) -> str:
    """Check the registration, store it pending and mail the link (or, for an address that already has an
    account, mail its owner). Returns the normalised address the mail went to. Raises InvalidAccount (a field at
    fault) or Refused (limits, mail server)."""
    name = clean_name(name)
    email = clean_email(email, internal_domains=False)
    reason = check_new_password(password, [email, name])  # the rule create_account applies to a typed password
    if reason:
        raise InvalidAccount("password", reason)
    password_hash = hash_password(password)  # either way, so both answers take as long
    now = clock.now()
    _lock(email)
    _purge(now)
    refused = _refusal(email, now)
    if refused:
        db.session.commit()  # ends the transaction: the lock goes
        raise Refused(refused, 429)
    owner = db.session.scalar(select(User).where(User.email == email))
    token = None if owner is not None else secrets.token_urlsafe(32)
    if owner is None:
        row = PendingRegistration(email=email, name=name, password_hash=password_hash, token_hash=_hash(token),
                                  created_at=now, expires_at=now + LINK_LIFETIME)
    else:  # counted, never usable: no token, no password, already expired
        row = PendingRegistration(email=email, name="", password_hash=None, token_hash=None, created_at=now,
                                  expires_at=now)
    db.session.add(row)
    db.session.flush()
    row_id = row.id
    db.session.commit()
    try:
        if owner is None:
            send_email(email, SUBJECT, "registration", language=language_code(), user={"name": name}, email=email,
                       link=public_url("helpcenter.activate", token=token),
                       hours=int(LINK_LIFETIME.total_seconds() // 3600))
        else:
            area = "agent" if owner.kind == AGENT else "helpcenter"
            send_email(owner.email, TAKEN_SUBJECT, "registration_taken", user=owner,
                       sign_in_url=public_url(f"{area}.login"))
    except MailUnavailable:
        db.session.rollback()
        db.session.execute(delete(PendingRegistration).where(PendingRegistration.id == row_id))
        db.session.commit()
        log.warning("registration mail (row %s) could not be sent; no link left valid", row_id)
        raise Refused(SEND_FAILED, 503) from None
    db.session.commit()  # the development outbox's copy, when there is one
    return email


def _row(token) -> PendingRegistration | None:
    if not isinstance(token, str) or not TOKEN_MIN <= len(token) <= TOKEN_MAX:
        return None
    return db.session.scalar(select(PendingRegistration).where(PendingRegistration.token_hash == _hash(token)))


def _newer_link(row_id: int, email: str):
    """A newer registration with a link for the same address: it voids this one."""
    newer = aliased(PendingRegistration)
    return exists().where(newer.email == email, newer.id > row_id, newer.token_hash.is_not(None))


def _problem(row: PendingRegistration | None, now) -> LinkProblem | None:
    if row is None:
        return LinkProblem(UNKNOWN, 404)
    if row.used_at is not None:
        return LinkProblem(USED, 410)
    if db.session.scalar(select(_newer_link(row.id, row.email))):
        return LinkProblem(VOIDED, 410)
    if now >= row.expires_at:
        return LinkProblem(EXPIRED, 410)
    return None


def check(token) -> PendingRegistration:
    """The pending registration a link stands for while it can still be used, or LinkProblem."""
    row = _row(token)
    problem = _problem(row, clock.now())
    if problem:
        raise problem
    return row


def activate(token) -> User:
    """Use the link once: create the account it stands for and return it (committed). Raises LinkProblem."""
    row = check(token)
    now = clock.now()
    row_id, email, name, password_hash = row.id, row.email, row.name, row.password_hash
    claimed = db.session.execute(
        update(PendingRegistration)
        .where(PendingRegistration.id == row_id, PendingRegistration.used_at.is_(None),
               PendingRegistration.expires_at > now, ~_newer_link(row_id, email))
        .values(used_at=now, password_hash=None)  # the hash moves to the account; none is left behind
        .execution_options(synchronize_session=False)).rowcount
    if claimed != 1:  # another request used it a moment ago, or a newer registration voided it
        db.session.rollback()
        db.session.expire_all()
        raise _problem(_row(token), now) or LinkProblem(USED, 410)
    try:
        # The language the person registered in is theirs from now on (their mails too); My Profile changes it.
        return create_account(email, name, "end-user", password_hash=password_hash, internal_domains=False,
                              language=language_code())
    except EmailTaken:  # an account was made for this address since (e.g. by `flask user create`)
        _spend(row_id, now)
        raise LinkProblem(TAKEN, 409) from None
    except InvalidAccount as error:  # the account rules changed since the link was sent
        _spend(row_id, now)
        raise LinkProblem(_("This registration can't be finished: %(message)s Register again.",
                            message=error.message), 400) from None


def _spend(row_id: int, now) -> None:
    """Mark a link used when it could not make an account (whatever the failed attempt left is rolled back)."""
    db.session.rollback()
    db.session.execute(update(PendingRegistration).where(PendingRegistration.id == row_id)
                       .values(used_at=now, password_hash=None).execution_options(synchronize_session=False))
    db.session.commit()
