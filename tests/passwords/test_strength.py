"""One rule for every new password (portal.passwords.check_new_password): 8 to 1024 characters, no composition
rules, refused when zxcvbn scores it below 3 or finds it common, with zxcvbn's reason; the person's own email and
name count as easy to guess. Registration, `flask user create`, change and reset all use it."""
import pytest

from portal.cli import DEMO
from portal.extensions import db
from portal.models import User
from portal.passwords import check_new_password
from tests.conftest import page_text

ME = ["sam@example.com", "Sam Agent"]


@pytest.mark.parametrize("password, reason", [
    ("", "Use a password of at least 8 characters."),
    (None, "Use a password of at least 8 characters."),
    ("1234567", "Use a password of at least 8 characters."),
    ("x" * 1025, "Passwords can be at most 1024 characters."),
    ("12345678", "That password is too easy to guess. This is a top-10 common password. Add another word or two. "
                 "Uncommon words are better."),
    ("password1234", "That password is too easy to guess. This is a very common password."),
    ("P@ssw0rd!", "That password is too easy to guess. This is similar to a commonly used password."),
    ("incorrect", "That password is too easy to guess. A word by itself is easy to guess."),
    ("aaaaaaaaaaaa", 'That password is too easy to guess. Repeats like "aaa" are easy to guess.'),
    ("x" * 1024, 'That password is too easy to guess. Repeats like "aaa" are easy to guess.'),
    ("sam@example.com!", "That password is too easy to guess. It contains your name or email address."),
    ("Sam Agent 1", "That password is too easy to guess. It contains your name or email address."),
    ("samagent2", "That password is too easy to guess. It contains your name or email address."),
])
def test_weak_passwords_are_refused_saying_why(password, reason):
    assert check_new_password(password, ME).startswith(reason)


@pytest.mark.parametrize("password", [
    "correct horse battery", "violet kettle harbour", "amber tractor whisper",
    "no Uppercase or digits needed here",  # no composition rules
    " spaces kept at both ends ",
    "plum orbit lantern ferry " * 40,  # long passphrases (over zxcvbn's own 72) are judged by their start
])
def test_strong_passwords_pass_whatever_their_composition(password):
    assert len(password) <= 1024
    assert check_new_password(password, ME) is None


def test_the_demo_logins_in_the_readme_pass_the_rule():
    for email, name, _role, password in DEMO:
        assert check_new_password(password, [email, name]) is None, email


def test_flask_user_create_uses_the_rule(app, runner):
    result = runner.invoke(args=["user", "create", "--email", "sam@example.com", "--name", "Sam Agent", "--role",
                                 "agent", "--password", "samagent2024"])
    assert result.exit_code == 1 and "It contains your name or email address." in result.output
    result = runner.invoke(args=["user", "create", "--email", "sam@example.com", "--name", "Sam Agent", "--role",
                                 "agent", "--password", "qwertyuiop"])
    assert result.exit_code == 1 and "This is a top-100 common password." in result.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0
    result = runner.invoke(args=["user", "create", "--email", "sam@example.com", "--name", "Sam Agent", "--role",
                                 "agent", "--password", "violet kettle harbour"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("password, message", [
    ("password1234", "That password is too easy to guess. This is a very common password."),
    ("Eve Customer 1", "It contains your name or email address."),
    ("short12", "Use a password of at least 8 characters."),
    ("x" * 1025, "Passwords can be at most 1024 characters."),
])
def test_registration_uses_the_rule(person, app, password, message):
    r = person.post("/register", {"name": "Eve Customer", "email": "eve@example.com", "password": password})
    assert r.status_code == 400 and message in page_text(r)
    assert 'value="eve@example.com"' in r.get_data(as_text=True)  # nothing else typed is lost
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0
