"""Creating an account: the one place that decides what a valid account is, used by the command line
(`flask user create`, `flask demo`) and by help-center registration (/register).

`create_account` validates (one rule for email addresses, names on one line), normalises the email the way sign-in
looks it up, hashes the password with argon2id and commits the new User. It raises `InvalidAccount` with a
message for the field at fault, or `EmailTaken` when someone already has that address.

The address rule (`clean_email`): email-validator's syntax check without DNS look-ups, plus
- only ASCII before the @: the portal's mail goes out without SMTPUTF8, so jörg@example.com could never receive a
  code or a notice; it is refused with a message saying so;
- an internationalised domain is stored in its ASCII (IDNA 2008, punycode) form, which is what the mail is sent to
  and what sign-in looks up (`as_stored`);
- internal domains under `.local` and `.test` (email-validator refuses them as special-use names) are accepted
  where staff accounts are made (`flask user create`), not at help-center registration, whose link must reach a
  mailbox on the internet (`internal_domains=False`).
Sign-in forms never refuse an address on syntax: they look up `as_stored(typed)`.
"""
import unicodedata

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from . import clock
from .extensions import db
from .models import AGENT, END_USER, User
from .passwords import check_new_password, hash_password
from .twofactor.login import normalise_email

ROLES = {"admin": (AGENT, True), "agent": (AGENT, False), "end-user": (END_USER, False)}

NAME_MAX = 120  # users.name
EMAIL_MAX = 254  # users.email, and the longest address SMTP carries
PASSWORD_MIN = 8
PASSWORD_MAX = 1024

# Control characters (C0, DEL, C1), lone surrogates (undecodable bytes on a command line) and the Unicode line and
# paragraph separators: none belongs in a name shown on one line in lists, emails and the security log.
_NOT_IN_A_NAME = {"Cc", "Cs", "Zl", "Zp"}


class AccountError(ValueError):
    """An account that cannot be created; `field` ("name", "email" or "password") is the input at fault."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


class InvalidAccount(AccountError):
    pass


class EmailTaken(AccountError):
    def __init__(self, email: str):
        super().__init__("email", _("An account with the email %(email)s already exists.", email=email))
        self.email = email


# Special-use top-level names a helpdesk's own staff may have addresses under (name@helpdesk.local).
INTERNAL_DOMAINS = ("local", "test")

LIKE_AN_ADDRESS = _l("Enter an email address like name@example.com.")
ASCII_ONLY = _l("Use an address with only ASCII letters, digits and . _ + - before the @: we can't send email "
                 "to other characters there yet.")
NOT_INTERNAL = _l("Use an address that can receive email from the internet: addresses ending in .local or "
                   ".test can't be used here.")


def _internal_suffix(domain: str) -> str | None:
    """The internal top-level name (`.local`, `.test`) `domain` ends with, if it has one under a name of its own."""
    head, dot, tld = domain.rpartition(".")
    return tld if head and dot and tld in INTERNAL_DOMAINS else None


def _as_stored(email: str, internal_domains: bool) -> str:
    """`email` (already normalised) as accounts store it, or InvalidAccount with the message for the email field."""
    local, at, domain = email.rpartition("@")
    if at and local and not local.isascii():
        raise InvalidAccount("email", ASCII_ONLY)
    internal = _internal_suffix(domain) if at else None
    if internal and not internal_domains:
        raise InvalidAccount("email", NOT_INTERNAL)
    # email-validator refuses every special-use name; an internal one is checked as the same name under `.test`,
    # which its test_environment option allows, then given its own suffix back.
    checked = f"{local}@{domain[:-len(internal)]}test" if internal else email
    try:
        result = validate_email(checked, check_deliverability=False, allow_smtputf8=False,
                                test_environment=bool(internal))
    except EmailNotValidError:
        raise InvalidAccount("email", LIKE_AN_ADDRESS) from None
    stored = result.ascii_email or checked
    return f"{stored[:-len('test')]}{internal}" if internal else stored


def is_valid_email(email: str, internal_domains: bool = True) -> bool:
    """Whether `email` passes the one rule for an address (see the module docstring)."""
    try:
        clean_email(email, internal_domains=internal_domains)
    except InvalidAccount:
        return False
    return True


def as_stored(email: str | None) -> str:
    """How sign-in looks an address up: as accounts store it when it is one (an internationalised domain in its
    ASCII form), else simply normalised. Never refuses anything: an address that isn't one just isn't found."""
    email = normalise_email(email)
    if email.isascii():
        return email  # the common case, stored as typed (normalised): nothing to convert
    try:
        return clean_email(email)
    except InvalidAccount:
        return email


def clean_name(name: str | None) -> str:
    """The name as stored (surrounding whitespace dropped), or InvalidAccount."""
    name = (name or "").strip()
    if not name:
        raise InvalidAccount("name", _("Enter a name."))
    if len(name) > NAME_MAX:
        raise InvalidAccount("name", _("Names can be at most %(num)d characters.", num=NAME_MAX))
    if any(unicodedata.category(ch) in _NOT_IN_A_NAME for ch in name):
        raise InvalidAccount("name", _("Names must be one line, without control characters."))
    return name


def clean_email(email: str | None, internal_domains: bool = True) -> str:
    """The email as stored and looked up at sign-in (`as_stored`), or InvalidAccount. `internal_domains`: whether
    `.local` and `.test` addresses are accepted (staff accounts: yes; help-center registration: no)."""
    email = normalise_email(email)
    if not email:
        raise InvalidAccount("email", _("Enter an email address."))
    if len(email) > EMAIL_MAX:
        raise InvalidAccount("email", _("Email addresses can be at most %(num)d characters.", num=EMAIL_MAX))
    email = _as_stored(email, internal_domains)
    if len(email) > EMAIL_MAX:  # an internationalised domain grows in its ASCII form
        raise InvalidAccount("email", _("Email addresses can be at most %(num)d characters.", num=EMAIL_MAX))
    return email


def check_password(password: str | None) -> str:
    password = password or ""
    if len(password) < PASSWORD_MIN:
        raise InvalidAccount("password", _("Use a password of at least %(num)d characters.", num=PASSWORD_MIN))
    if len(password) > PASSWORD_MAX:
        raise InvalidAccount("password", _("Passwords can be at most %(num)d characters.", num=PASSWORD_MAX))
    return password


def create_account(email: str, name: str, role: str, password: str | None = None, *,
                   password_hash: str | None = None, internal_domains: bool = True,
                   language: str | None = None) -> User:
    """Validate, hash the password and commit a new account with `role` ("admin", "agent" or "end-user").
    `password_hash`: instead of `password`, the argon2id hash of one that passed the new-password rule when it was
    typed (a registration whose emailed link was just followed: portal.registrations). `language`: the account's
    language (portal.i18n), e.g. the one the person registered in, so their mails are in it too."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {sorted(ROLES)}")
    kind, is_admin = ROLES[role]
    name, email = clean_name(name), clean_email(email, internal_domains=internal_domains)
    if password_hash is None:
        reason = check_new_password(password, [email, name])  # the one rule for a new password (portal.passwords)
        if reason:
            raise InvalidAccount("password", reason)
    if db.session.scalar(db.select(User.id).where(User.email == email)) is not None:
        raise EmailTaken(email)  # before the deliberately slow hash
    user = User(email=email, name=name, kind=kind, is_admin=is_admin,
                password_hash=password_hash or hash_password(password),
                created_at=clock.now(), session_version=1, failure_count=0, enforce_2fa=False,
                skip_forfeited=False, admin_locked=False, language=language)
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:  # the same email registered by a parallel request a moment ago
        db.session.rollback()
        raise EmailTaken(email) from None
    return user
