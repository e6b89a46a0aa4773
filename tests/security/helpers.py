"""What an attacker and their victim do, step by step, through the test client."""
import re

from portal.extensions import db
from portal.models import User
from tests.conftest import csrf_token, page_text

EMAIL = "agent@example.com"
PASSWORD = "correct horse battery"
RECOVERY_CODE = re.compile(r"\b[0-9A-Z]{5}-[0-9A-Z]{5}\b")


def recovery_codes_on(response) -> list[str]:
    return RECOVERY_CODE.findall(page_text(response))


def enrolled_agent(person, email=EMAIL, name="Sam Agent"):
    """An agent with an authenticator app and the recovery codes they were shown, signed out, a step later.
    Returns (totp secret, recovery codes)."""
    person.create(email=email, name=name)
    person.login(email=email)
    secret = person.setup_totp()
    codes = recovery_codes_on(person.client.get("/agent/security/recovery-codes"))
    assert len(codes) == 10
    sign_out(person)
    person.clock.advance(30)
    return secret, codes


def sign_out(person, area="/agent"):
    home = "/agent/" if area == "/agent" else "/"
    person.post_from(home, f"{area}/logout", {})


def signed_in_agent(person, secret, email=EMAIL):
    """Password, then a fresh code from the app: the person is in the console."""
    person.login(email=email)
    person.clock.advance(30)
    r = person.post("/agent/login/verify", {"code": person.code(secret)})
    assert r.status_code == 302 and r.headers["Location"] == "/agent/", r.get_data(as_text=True)
    return r


def in_console(client) -> bool:
    return client.get("/agent/").status_code == 200


def user_row(app, email=EMAIL) -> User:
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == email))
        db.session.expunge(user)
        return user


def wrong_code(person, secret) -> str:
    """A 6-digit code that is not valid at any step in the drift window."""
    valid = {person.code(secret, step) for step in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in valid)


def token(client, url) -> str:
    return csrf_token(client.get(url))
