"""The command line's account commands (`flask user create`, `flask demo`) on portal.accounts."""
import pytest

from portal.extensions import db
from portal.models import User


def accounts(app):
    with app.app_context():
        return [(u.email, u.name, u.kind, u.is_admin) for u in db.session.scalars(db.select(User).order_by(User.id))]


def test_user_create_creates_the_account(app, runner):
    result = runner.invoke(args=["user", "create", "--email", " Ada@Example.com", "--name", "Ada Admin",
                                 "--role", "admin", "--password", "correct horse battery"])
    assert result.exit_code == 0, result.output
    assert result.output == "Created admin ada@example.com.\n"
    assert accounts(app) == [("ada@example.com", "Ada Admin", "agent", True)]


def test_user_create_asks_for_the_password_twice_when_it_is_omitted(app, runner):
    result = runner.invoke(args=["user", "create", "--email", "sam@example.com", "--name", "Sam", "--role", "agent"],
                           input="correct horse battery\ncorrect horse battery\n")
    assert result.exit_code == 0, result.output
    assert accounts(app) == [("sam@example.com", "Sam", "agent", False)]


@pytest.mark.parametrize("email, name, password, message", [
    ("sam@example.com", "Sam", "short", "Use a password of at least 8 characters."),
    ("sam@example", "Sam", "correct horse battery", "Enter an email address like name@example.com."),
    ("sam@example.com", "Sam\nAdmin", "correct horse battery", "Names must be one line, without control characters."),
    ("sam@example.com", "  ", "correct horse battery", "Enter a name."),
])
def test_user_create_refuses_bad_input_with_a_message(app, runner, email, name, password, message):
    result = runner.invoke(args=["user", "create", "--email", email, "--name", name, "--role", "agent",
                                 "--password", password])
    assert result.exit_code == 1 and f"Error: {message}" in result.output
    assert accounts(app) == []


def test_user_create_refuses_an_email_that_is_taken(app, runner):
    args = ["user", "create", "--name", "Sam", "--role", "agent", "--password", "correct horse battery"]
    assert runner.invoke(args=[*args, "--email", "sam@example.com"]).exit_code == 0
    result = runner.invoke(args=[*args, "--email", "SAM@example.com"])
    assert result.exit_code == 1
    assert "Error: An account with the email sam@example.com already exists." in result.output
    assert accounts(app) == [("sam@example.com", "Sam", "agent", False)]


def test_demo_creates_the_three_accounts_once(app, runner):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "admin@example.com" in first.output and "demo-user-pass" in first.output
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0 and again.output == first.output
    assert accounts(app) == [("admin@example.com", "Ada Admin", "agent", True),
                             ("agent@example.com", "Sam Agent", "agent", False),
                             ("user@example.com", "Eve Customer", "end_user", False)]
