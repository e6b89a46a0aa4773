"""When 2FA is required, an agent without one can choose email at the sign-in setup step (seed 002)."""
from portal.extensions import db
from portal.models import Authenticator
from portal.settings import set_setting
from tests.conftest import csrf_token, page_text
from tests.email.flows import EMAIL, email_instance_id


def test_required_agent_sets_up_email_while_signing_in(app, person, client, smtp_sink):
    person.create()
    with app.app_context():
        set_setting("require_agents_2fa", True)
        db.session.commit()
    assert person.login().headers["Location"] == "/agent/login/setup"
    instance = email_instance_id(app)
    page = client.get(f"/agent/login/setup?instance={instance}")
    assert page.status_code == 200 and "Send Verification Code" in page_text(page)
    response = client.post(f"/agent/login/setup/send-code?instance={instance}",
                           data={"csrf_token": csrf_token(page), "name": "Email"})
    assert response.status_code == 200  # the setup page, the same as in every other place, with the code field
    page = response
    assert "We sent a verification code to agent@example.com. It is valid for 10 minutes." in page_text(page)
    assert f'action="/agent/login/setup?instance={instance}"' in page.get_data(as_text=True)
    response = client.post(f"/agent/login/setup?instance={instance}", data={
        "csrf_token": csrf_token(page), "name": "Email", "code": smtp_sink.latest_code(EMAIL)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/agent/")
    with app.app_context():
        assert db.session.scalar(db.select(Authenticator.method)) == "email"


def test_send_at_setup_needs_a_pending_sign_in_and_a_sending_method(app, person, client, smtp_sink):
    person.create()
    token = csrf_token(client.get("/agent/login"))
    response = client.post(f"/agent/login/setup/send-code?instance={email_instance_id(app)}",
                           data={"csrf_token": token})
    assert response.headers["Location"] == "/agent/login"  # no password given yet
    with app.app_context():
        set_setting("require_agents_2fa", True)
        db.session.commit()
    person.login()
    page = client.get("/agent/login/setup")
    assert client.post("/agent/login/setup/send-code?instance=1",
                       data={"csrf_token": csrf_token(page)}).status_code == 404
    assert client.post("/agent/login/setup/send-code?instance=junk",
                       data={"csrf_token": csrf_token(page)}).status_code == 404
    assert smtp_sink.messages == []
