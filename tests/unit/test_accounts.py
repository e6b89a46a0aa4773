"""portal.accounts: the one set of rules for a new account, used by `flask user create`, `flask demo` and /register."""
import pytest

from portal.accounts import (ASCII_ONLY, NOT_INTERNAL, EmailTaken, InvalidAccount, as_stored, check_password,
                             clean_email, clean_name, create_account, is_valid_email)
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
    ("eve@example.com", "eve@example.com"), ("  Eve@Example.COM \n", "eve@example.com"), ("a@b.co", "a@b.co"),
    # An internationalised domain in its ASCII form (IDNA 2008: ß stays ß, not "ss"), which mail is sent to.
    ("eve@exämple.com", "eve@xn--exmple-cua.com"), ("Eve@Bücher.DE", "eve@xn--bcher-kva.de"),
    ("eve@straße.de", "eve@xn--strae-oqa.de"), ("eve@xn--bcher-kva.de", "eve@xn--bcher-kva.de"),
    # Internal domains, for accounts made by `flask user create`.
    ("sam@helpdesk.local", "sam@helpdesk.local"), ("Sam@Desk.Example.LOCAL", "sam@desk.example.local"),
    ("sam@example.test", "sam@example.test"), ("sam@bücher.local", "sam@xn--bcher-kva.local"),
])
def test_emails_are_stored_the_way_sign_in_looks_them_up(typed, stored):
    assert clean_email(typed) == stored
    assert as_stored(typed) == stored  # what sign-in looks up for what was typed


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
    ("eve@local", "Enter an email address like name@example.com."),
    ("eve@x.invalid", "Enter an email address like name@example.com."),
    ("eve@x.onion", "Enter an email address like name@example.com."),
    ("eve@exa_mple.local", "Enter an email address like name@example.com."),
    ("jörg@example.com", ASCII_ONLY), ("éve@exämple.com", ASCII_ONLY), ("李@example.com", ASCII_ONLY),
])
def test_emails_that_are_not_addresses_are_refused(typed, message):
    with pytest.raises(InvalidAccount) as refused:
        clean_email(typed)
    assert (refused.value.field, refused.value.message) == ("email", message)
    assert not is_valid_email(typed)


def test_a_non_ascii_local_part_is_refused_with_a_message_that_says_why():
    assert ASCII_ONLY == ("Use an address with only ASCII letters, digits and . _ + - before the @: we can't send "
                          "email to other characters there yet.")


@pytest.mark.parametrize("address", ["sam@helpdesk.local", "sam@example.test", "sam@a.b.local"])
def test_internal_domains_are_for_accounts_made_by_staff_not_for_registration(address):
    assert is_valid_email(address) and clean_email(address) == address
    with pytest.raises(InvalidAccount) as refused:
        clean_email(address, internal_domains=False)
    assert refused.value.message == NOT_INTERNAL
    assert not is_valid_email(address, internal_domains=False)


@pytest.mark.parametrize("typed", ["", "not-an-email", "jörg@example.com", "x" * 300, "eve@localhost", "\x00é"])
def test_sign_in_looks_up_anything_without_refusing_it(typed):
    assert as_stored(typed) == typed.strip().lower()


def test_no_form_has_an_address_rule_of_its_own():
    """The accounts rule is the only one: the sign-in form only looks addresses up, the registration form leaves
    the rule to portal.accounts."""
    from wtforms.validators import Email

    from portal.helpcenter.forms import RegisterForm
    from portal.twofactor.forms import LoginForm

    for form in (LoginForm, RegisterForm):
        assert not any(isinstance(v, Email) for v in form.email.kwargs["validators"]), form


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


def test_create_account_takes_a_hash_made_when_the_password_was_typed(app):
    """A registration whose link was followed: the password was checked and hashed when it was typed."""
    from portal.passwords import hash_password

    with app.app_context():
        hashed = hash_password("correct horse battery")
        user = create_account("eve@example.com", "Eve", "end-user", password_hash=hashed, internal_domains=False)
        assert user.password_hash == hashed and verify_password(user.password_hash, "correct horse battery")
        with pytest.raises(InvalidAccount, match=".local or .test"):
            create_account("sam@helpdesk.local", "Sam", "end-user", password_hash=hashed, internal_domains=False)
        assert create_account("sam@helpdesk.local", "Sam", "agent", "correct horse battery").email == \
            "sam@helpdesk.local"
