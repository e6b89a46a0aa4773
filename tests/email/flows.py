"""What a person does with email codes, step by step, through the test client (and a real SMTP server)."""
import re

from portal.extensions import db
from portal.models import Authenticator, EmailCode, PluginInstance
from tests.conftest import csrf_token, page_text

EMAIL = "agent@example.com"
PASSWORD = "correct horse battery"
SEND_FAILED = "We couldn't send the email — try again or use another method."


def challenge_message(outcome) -> str:
    """What the sign-in challenge shows for a refused email code."""
    from portal.twofactor.email import EmailMethod
    return EmailMethod().code_message(outcome)


def email_instance_id(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(PluginInstance.id).where(PluginInstance.plugin_key == "email"))


def setup_url(app) -> str:
    return f"/agent/preferences/security/setup/{email_instance_id(app)}"


def send_setup_code(person, name="Work email"):
    """On the setup page: type a name and select "Send Verification Code"."""
    url = setup_url(person.app)
    return person.post_from(url, f"{url}/send-code", {"name": name})


def submit_setup_code(person, code, name="Work email"):
    url = setup_url(person.app)
    return person.post_from(url, url, {"name": name, "code": code})


def set_up_email(person, sink, email=EMAIL, name="Work email"):
    """A signed-in agent adds email authentication in Preferences > Security with the code the mail brought."""
    assert person.client.get(f"{setup_url(person.app)}?new=1").status_code == 200
    assert send_setup_code(person, name).status_code == 200
    response = submit_setup_code(person, sink.latest_code(email), name)
    # Back to Preferences > Security (by way of the new recovery codes when this is the first factor).
    assert response.status_code == 302 and response.headers["Location"].endswith("/agent/preferences/security")
    with person.app.app_context():
        row = db.session.scalar(db.select(Authenticator).where(Authenticator.name == name,
                                                               Authenticator.target == email))
        assert row.method == "email" and row.confirmed_at is not None and row.secret_enc is None


def agent_with_email(person, sink, email=EMAIL, name="Sam Agent"):
    """An agent whose only second factor is email, signed out again. Returns the user id."""
    user_id = person.create(email=email, name=name)
    person.login(email=email)
    set_up_email(person, sink, email)
    person.post_from("/agent/", "/agent/logout", {})
    return user_id


def authenticator_id(page) -> str:
    match = re.search(r'name="authenticator_id"[^>]*value="(\d+)"', page.get_data(as_text=True))
    assert match, "no authenticator on the challenge page"
    return match.group(1)


def ask_for_code(person):
    """At the challenge: select "Email me a code". Returns the page shown after it (redirects followed)."""
    page = person.client.get("/agent/login/verify")
    assert page.status_code == 200, page.status_code
    return person.client.post("/agent/login/send-code", follow_redirects=True,
                              data={"csrf_token": csrf_token(page), "authenticator_id": authenticator_id(page)})


def enter_code(person, code):
    page = person.client.get("/agent/login/verify")
    assert page.status_code == 200, page.status_code
    return person.client.post("/agent/login/verify", data={
        "csrf_token": csrf_token(page), "authenticator_id": authenticator_id(page), "code": code})


def live_codes(app, user_id) -> int:
    """How many of this person's codes could still be accepted."""
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(EmailCode).where(
            EmailCode.user_id == user_id, EmailCode.voided.is_(False), EmailCode.used_at.is_(None)))


def shown(response) -> str:
    return page_text(response)
