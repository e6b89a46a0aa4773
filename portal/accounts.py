"""Creating an account: the one place that decides what a valid account is, used by the command line
(`flask user create`, `flask demo`) and by help-center registration (/register).

`create_account` validates (one rule for email addresses, names on one line), normalises the email the way sign-in
looks it up, hashes the password with argon2id and commits the new User. It raises `InvalidAccount` with a
message for the field at fault, or `EmailTaken` when someone already has that address.
"""
import unicodedata

from email_validator import EmailNotValidError, validate_email
from sqlalchemy.exc import IntegrityError

from . import clock
from .extensions import db
from .models import AGENT, END_USER, User
from .passwords import hash_password
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
        super().__init__("email", f"An account with the email {email} already exists.")
        self.email = email


def is_valid_email(email: str) -> bool:
    """The one rule for an email address: email-validator's syntax check without DNS look-ups, which is also what
    the forms' WTForms `Email()` validator applies."""
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def clean_name(name: str | None) -> str:
    """The name as stored (surrounding whitespace dropped), or InvalidAccount."""
    name = (name or "").strip()
    if not name:
        raise InvalidAccount("name", "Enter a name.")
    if len(name) > NAME_MAX:
        raise InvalidAccount("name", f"Names can be at most {NAME_MAX} characters.")
    if any(unicodedata.category(ch) in _NOT_IN_A_NAME for ch in name):
        raise InvalidAccount("name", "Names must be one line, without control characters.")
    return name


def clean_email(email: str | None) -> str:
    """The email as stored and looked up at sign-in (login.normalise_email), or InvalidAccount."""
    email = normalise_email(email)
    if not email:
        raise InvalidAccount("email", "Enter an email address.")
    if len(email) > EMAIL_MAX:
        raise InvalidAccount("email", f"Email addresses can be at most {EMAIL_MAX} characters.")
    if not is_valid_email(email):
        raise InvalidAccount("email", "Enter an email address like name@example.com.")
    return email


def check_password(password: str | None) -> str:
    password = password or ""
    if len(password) < PASSWORD_MIN:
        raise InvalidAccount("password", f"Use a password of at least {PASSWORD_MIN} characters.")
    if len(password) > PASSWORD_MAX:
        raise InvalidAccount("password", f"Passwords can be at most {PASSWORD_MAX} characters.")
    return password


def create_account(email: str, name: str, role: str, password: str) -> User:
    """Validate, hash the password and commit a new account with `role` ("admin", "agent" or "end-user")."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {sorted(ROLES)}")
    kind, is_admin = ROLES[role]
    name, email, password = clean_name(name), clean_email(email), check_password(password)
    if db.session.scalar(db.select(User.id).where(User.email == email)) is not None:
        raise EmailTaken(email)  # before the deliberately slow hash
    user = User(email=email, name=name, kind=kind, is_admin=is_admin, password_hash=hash_password(password),
                created_at=clock.now(), session_version=1, failure_count=0, enforce_2fa=False,
                skip_forfeited=False, admin_locked=False)
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:  # the same email registered by a parallel request a moment ago
        db.session.rollback()
        raise EmailTaken(email) from None
    return user
