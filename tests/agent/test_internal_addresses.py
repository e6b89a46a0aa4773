"""Accounts at internal domains (`flask user create` accepts name@helpdesk.local and .test) sign in: sign-in forms
only look an address up, they never refuse one on syntax."""
import pytest

from portal.extensions import db
from portal.models import User
from tests.conftest import page_text

PASSWORD = "correct horse battery"


def cli_create(runner, email, role):
    result = runner.invoke(args=["user", "create", "--email", email, "--name", "Sam Internal", "--role", role,
                                 "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    return result


@pytest.mark.parametrize("email", ["sam@helpdesk.local", "Sam@Desk.Example.LOCAL", "sam@support.test"])
def test_an_agent_made_by_the_cli_at_an_internal_domain_signs_in(app, runner, person, client, email):
    assert cli_create(runner, email, "agent").output == f"Created agent {email.lower()}.\n"
    r = person.login(email=email)
    assert r.status_code == 302 and r.headers["Location"] == "/agent/"
    assert "Sam Internal" in page_text(client.get("/agent/"))


def test_an_end_user_made_by_the_cli_at_an_internal_domain_signs_in_to_the_help_center(app, runner, person, client):
    cli_create(runner, "eve@helpdesk.local", "end-user")
    r = person.login(email="eve@helpdesk.local", area="")
    assert r.status_code == 302 and r.headers["Location"] == "/"
    assert "You are signed in as <strong>eve@helpdesk.local</strong>" in page_text(client.get("/"))


@pytest.mark.parametrize("typed", ["nobody@helpdesk.local", "not-an-email", "jörg@example.com", "x@localhost"])
def test_any_other_address_is_looked_up_and_simply_not_found(app, person, typed):
    r = person.login(email=typed)
    assert r.status_code == 401 and "Email or password is incorrect." in page_text(r)
    assert f'value="{typed}"' in r.get_data(as_text=True)  # kept as typed
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0
