"""portal.accounts: the one set of rules for a new account, used by `flask user create`, `flask demo` and /register."""
import pytest

from portal.accounts import (EmailTaken, InvalidAccount, check_password, clean_email, clean_name, create_account,
                             is_valid_email)
from portal.extensions import db
from portal.models import AGENT, END_USER, User
from portal.passwords import verify_password


@pytest.mark.parametrize("typed, stored", [
    ("Eve Customer", "Eve Customer"), ("  Eve Customer \t\n", "Eve Customer"), ("Zoë O'Brien-Łukasz", "Zoë O'Brien-Łukasz"),
    ("李小龍", "李小龍"), ("x" * 120, "x" * 120), ("Mehr\u200cnaz", "Mehr\u200cnaz"),  # ZWNJ belongs in Persian names
])
def test_names_are_stored_trimmed(typed, stored):
    assert clean_name(typed) == stored


@pytest.mark.parametrize("typed, message", [
    ("", "Enter a name."), ("   ", "Enter a name."), (None, "Enter a name."),
    ("x" * 121, "Names can be at most 120 characters."),
    ("Eve\nAdmin", "Names must be one line, without control characters."),
    ("Eve\r\nAdmin", "Names must be one line, without control characters."),
    ("Eve\tCustomer", "Names must be one line, without control characters."),
    ("Eve\x00", "Names must be one line, without control characters."),
    ("Eve\x1b[31m", "Names must be one line, without control characters."),
    ("Eve\x7f", "Names must be one line, without control characters."),
    ("Eve\x85Admin", "Names must be one line, without control characters."),  # C1 NEXT LINE
    ("Eve\u2028Admin", "Names must be one line, without control characters."),
    ("Eve\u2029Admin", "Names must be one line, without control characters."),
    ("Eve\udcff", "Names must be one line, without control characters."),  # an undecodable byte on a command line
])
def test_names_that_are_empty_too_long_or_not_one_line_are_refused(typed, message):
    with pytest.raises(InvalidAccount) as refused:
        clean_name(typed)
    assert (refused.value.field, refused.value.message) == ("name", message)


@pytest.mark.parametrize("typed, stored", [
    ("eve@example.com", "eve@example.com"), ("  Eve@Example.COM \n", "eve@example.com"),
    ("éve@exämple.com", "éve@exämple.com"), ("a@b.co", "a@b.co"),
])
def test_emails_are_stored_the_way_sign_in_looks_them_up(typed, stored):
    assert clean_email(typed) == stored


@pytest.mark.parametrize("typed, message", [
    ("", "Enter an email address."), ("  ", "Enter an email address."), (None, "Enter an email address."),
    ("x" * 243 + "@example.com", "Email addresses can be at most 254 characters."),
    ("not-an-email", "Enter an email address like name@example.com."),
    ("eve@example", "Enter an email address like name@example.com."),
    ("eve@localhost", "Enter an email address like name@example.com."),
    ("eve@@example.com", "Enter an email address like name@example.com."),
    ("ev e@example.com", "Enter an email address like name@example.com."),
    ("eve@example.com.", "Enter an email address like name@example.com."),
    ("eve@exa\nmple.com", "Enter an email address like name@example.com."),
    ("eve\x00@example.com", "Enter an email address like name@example.com."),
    ("eve@example.com\r\nBcc: all@example.com", "Enter an email address like name@example.com."),
])
def test_emails_that_are_not_addresses_are_refused(typed, message):
    with pytest.raises(InvalidAccount) as refused:
        clean_email(typed)
    assert (refused.value.field, refused.value.message) == ("email", message)


def test_the_email_rule_is_the_forms_rule():
    """The forms' WTForms Email() validator and the accounts rule agree (both are email-validator without DNS)."""
    from wtforms import Form, StringField
    from wtforms.validators import Email

    class EmailForm(Form):
        email = StringField(validators=[Email()])

    for address in ["eve@example.com", "éve@exämple.com", "eve@localhost", "eve@example", "a@b", "eve@x.test",
                    "eve@exa_mple.com", '"eve"@example.com', "eve@[127.0.0.1]", "eve@example.com."]:
        assert EmailForm(data={"email": address}).validate() is is_valid_email(address), address


@pytest.mark.parametrize("password, message", [
    ("", "Use a password of at least 8 characters."), (None, "Use a password of at least 8 characters."),
    ("1234567", "Use a password of at least 8 characters."), ("x" * 1025, "Passwords can be at most 1024 characters."),
])
def test_passwords_too_short_or_too_long_are_refused(password, message):
    with pytest.raises(InvalidAccount) as refused:
        check_password(password)
    assert (refused.value.field, refused.value.message) == ("password", message)


@pytest.mark.parametrize("password", ["12345678", "x" * 1024, " spaces kept "])
def test_passwords_of_8_to_1024_characters_are_kept_as_typed(password):
    assert check_password(password) == password


@pytest.mark.parametrize("role, kind, is_admin", [("admin", AGENT, True), ("agent", AGENT, False),
                                                  ("end-user", END_USER, False)])
def test_create_account_stores_a_normalised_person_with_a_hashed_password(app, role, kind, is_admin):
    with app.app_context():
        user_id = create_account("  Eve@Example.COM ", " Eve Customer ", role, "correct horse battery").id
        db.session.expire_all()
        user = db.session.get(User, user_id)
        assert (user.email, user.name, user.kind, user.is_admin) == ("eve@example.com", "Eve Customer", kind, is_admin)
        assert user.password_hash.startswith("$argon2id$") and "correct horse" not in user.password_hash
        assert verify_password(user.password_hash, "correct horse battery")
        assert (user.session_version, user.failure_count, user.enforce_2fa, user.admin_locked) == (1, 0, False, False)


def test_create_account_refuses_a_taken_email_however_it_is_written(app):
    with app.app_context():
        create_account("eve@example.com", "First Eve", "end-user", "correct horse battery")
        with pytest.raises(EmailTaken) as refused:
            create_account(" EVE@example.com", "Second Eve", "agent", "correct horse battery")
        assert refused.value.field == "email"
        assert refused.value.message == "An account with the email eve@example.com already exists."
        assert [u.name for u in db.session.scalars(db.select(User))] == ["First Eve"]


def test_create_account_refuses_bad_input_and_stores_nothing(app):
    with app.app_context():
        with pytest.raises(InvalidAccount, match="one line"):
            create_account("eve@example.com", "Eve\nAdmin", "end-user", "correct horse battery")
        with pytest.raises(InvalidAccount, match="like name@example.com"):
            create_account("eve@example", "Eve", "end-user", "correct horse battery")
        with pytest.raises(ValueError, match="role"):
            create_account("eve@example.com", "Eve", "owner", "correct horse battery")
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0
