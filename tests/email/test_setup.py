"""An agent sets up email authentication in Preferences > Security and can make it the default method."""
import pytest

from portal.extensions import db
from portal.models import Authenticator, EmailCode, SecurityEvent
from tests.conftest import csrf_token, page_text
from tests.email.flows import (EMAIL, agent_with_email, ask_for_code, enter_code, live_codes, send_setup_code,
                               set_up_email, setup_url, submit_setup_code)


@pytest.fixture
def agent(person):
    user_id = person.create()
    person.login()
    return user_id


def test_setup_page_shows_the_login_email_fixed_and_keeps_the_name(app, person, client, smtp_sink, agent):
    security = page_text(client.get("/agent/preferences/security"))
    assert "Email" in security and "A 6-digit code sent to your email address when you sign in." in security
    page = client.get(f"{setup_url(app)}?new=1")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Set up Email" in page_text(page)
    assert 'id="email-target" type="email" value="agent@example.com" readonly' in html
    assert 'name="email' not in html  # the address is shown, never posted
    # The setup page is the same in every place: the code field comes once a code was sent.
    assert ">Send Verification Code</button>" in html and ">Verify and finish setup</button>" not in html

    response = send_setup_code(person, name="Work email")
    assert response.status_code == 200 and ">Verify and finish setup</button>" in response.get_data(as_text=True)
    assert "We sent a verification code to agent@example.com. It is valid for 10 minutes." in page_text(response)
    assert 'value="Work email"' in response.get_data(as_text=True)
    mail = smtp_sink.latest(EMAIL)
    assert mail["Subject"] == "[Helpdesk] Your verification code"
    assert "finish setting up email authentication" in smtp_sink.text(mail)


def test_code_from_the_mail_creates_the_authenticator_and_the_owner_is_told(app, person, smtp_sink, agent):
    set_up_email(person, smtp_sink, name="Work email")
    notice = smtp_sink.latest(EMAIL)
    assert notice["Subject"] == "[Helpdesk] A sign-in method was added to your account"
    assert "“Work email” was added to your account." in smtp_sink.text(notice)
    assert "“Work email” was added to your account." in smtp_sink.html(notice)
    with app.app_context():
        event = db.session.scalar(db.select(SecurityEvent).where(SecurityEvent.type == "2fa.setup"))
        assert event.user_id == agent and '"method": "email"' in event.detail
        assert live_codes(app, agent) == 0


def test_submitting_before_a_code_was_sent_asks_to_send_one(app, person, agent, smtp_sink):
    person.client.get(f"{setup_url(app)}?new=1")
    response = submit_setup_code(person, "123456")
    assert response.status_code == 400 and "Send a verification code first." in page_text(response)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Authenticator)) == 0


def test_sixth_try_at_setup_is_refused_and_a_new_code_works(app, person, agent, smtp_sink):
    person.client.get(f"{setup_url(app)}?new=1")
    send_setup_code(person)
    code = smtp_sink.latest_code(EMAIL)
    wrong = f"{(int(code) + 1) % 10 ** 6:06d}"
    for _ in range(5):
        response = submit_setup_code(person, wrong)
        assert response.status_code == 400
        assert "That code isn't right. Check the newest email we sent you and try again." in page_text(response)
    response = submit_setup_code(person, code)
    assert response.status_code == 400 and "Too many tries for that code. Ask for a new one." in page_text(response)

    person.clock.advance(61)
    send_setup_code(person)
    assert submit_setup_code(person, smtp_sink.latest_code(EMAIL)).status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(Authenticator.method)) == "email"


def test_setup_code_expires_after_ten_minutes(app, person, agent, smtp_sink):
    person.client.get(f"{setup_url(app)}?new=1")
    send_setup_code(person)
    person.clock.advance(10 * 60 + 1)
    person.post_from("/agent/security/confirm", "/agent/security/confirm", {"secret": "correct horse battery"})
    response = submit_setup_code(person, smtp_sink.latest_code(EMAIL))
    assert response.status_code == 400 and "That code has expired. Ask for a new one." in page_text(response)


def test_resend_at_setup_waits_a_minute(app, person, agent, smtp_sink):
    person.client.get(f"{setup_url(app)}?new=1")
    send_setup_code(person)
    response = send_setup_code(person, name="Kept name")
    assert response.status_code == 429
    assert "We sent you a code less than a minute ago. Wait a minute before asking for another one." in \
        page_text(response)
    assert 'value="Kept name"' in response.get_data(as_text=True)
    assert len(smtp_sink.to(EMAIL)) == 1


def test_forged_and_unknown_requests_are_refused(app, person, client, agent, smtp_sink):
    page = client.get(f"{setup_url(app)}?new=1")
    assert client.post(f"{setup_url(app)}/send-code", data={"name": "x"}).status_code == 400  # no CSRF token
    token = csrf_token(page)
    assert client.post("/agent/preferences/security/setup/999/send-code",
                       data={"csrf_token": token}).status_code == 404
    assert client.post("/agent/preferences/security/setup/1/send-code",  # the app method sends nothing
                       data={"csrf_token": token}).status_code == 404
    assert smtp_sink.messages == []
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(EmailCode)) == 0


def test_end_user_cannot_use_the_agent_send_route(app, person, client, smtp_sink):
    person.create(email="customer@example.com", role="end-user", name="Casey")
    person.login(email="customer@example.com", area="")
    response = client.post(f"{setup_url(app)}/send-code", data={"csrf_token": "x"})
    assert response.status_code in (400, 403) and smtp_sink.messages == []


def test_agent_makes_email_the_default_method(app, person, client, smtp_sink):
    person.create()
    person.login()
    secret = person.setup_totp(name="Phone")
    person.clock.advance(30)
    set_up_email(person, smtp_sink, name="Work email")
    with app.app_context():
        email_id = db.session.scalar(db.select(Authenticator.id).where(Authenticator.method == "email"))
    security = client.get("/agent/preferences/security")
    response = client.post(f"/agent/preferences/security/{email_id}/default",
                           data={"csrf_token": csrf_token(security)})
    assert response.status_code == 302
    assert "“Work email” is now your default 2FA method." in page_text(client.get("/agent/preferences/security"))

    person.post_from("/agent/", "/agent/logout", {})
    person.clock.advance(61)
    person.login()
    challenge = page_text(client.get("/agent/login/verify"))
    assert "with <strong>Work email</strong>" in challenge and "Email me a code" in challenge
    ask_for_code(person)
    assert enter_code(person, smtp_sink.latest_code(EMAIL)).headers["Location"] == "/agent/"
    assert secret  # the app stays set up as the other method


def test_agent_with_email_sees_it_configured(app, person, client, smtp_sink):
    agent_with_email(person, smtp_sink)
    assert person.login().headers["Location"] == "/agent/login/verify"


def test_sending_from_a_stale_session_asks_for_proof_first(app, person, client, agent, smtp_sink):
    token = csrf_token(client.get(f"{setup_url(app)}?new=1"))
    person.clock.advance(11 * 60)  # the sign-in no longer counts as a fresh proof
    response = client.post(f"{setup_url(app)}/send-code", data={"csrf_token": token, "name": "Work email"})
    assert response.status_code == 401 and "Confirm it's you" in page_text(response)
    assert 'name="name" value="Work email"' in response.get_data(as_text=True)  # kept for when the proof is given
    assert smtp_sink.messages == []
