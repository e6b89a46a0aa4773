"""People changing, forgetting and mistyping their passwords, through the test client."""
import re

from portal.extensions import db
from portal.models import PasswordReset, SecurityEvent, User
from portal.passwords import verify_password
from tests.conftest import csrf_token, page_text

EMAIL = "agent@example.com"
PASSWORD = "correct horse battery"
NEW_PASSWORD = "violet kettle harbour"
EVE = "eve@example.com"
LINK = re.compile(r"https?://[^/\s\"]+(/(?:agent/)?reset-password/[A-Za-z0-9_-]+)")


def user_row(app, email=EMAIL) -> User:
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == email))
        db.session.expunge(user)
        return user


def password_is(app, password, email=EMAIL) -> bool:
    return verify_password(user_row(app, email).password_hash, password)


def events(app, email=EMAIL) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(db.select(SecurityEvent.type).join(User, SecurityEvent.user_id == User.id)
                                       .where(User.email == email).order_by(SecurityEvent.id)))


def reset_rows(app) -> list[PasswordReset]:
    with app.app_context():
        rows = list(db.session.scalars(db.select(PasswordReset).order_by(PasswordReset.id)))
        for row in rows:
            db.session.expunge(row)
        return rows


def sign_in(person, email=EMAIL, password=PASSWORD, area="/agent", ip="203.0.113.5"):
    """The sign-in page, as a browser at `ip` sends it."""
    page = person.client.get(f"{area}/login", environ_base={"REMOTE_ADDR": ip})
    return person.client.post(f"{area}/login", environ_base={"REMOTE_ADDR": ip},
                              data={"csrf_token": csrf_token(page), "email": email, "password": password})


def reset_link(sink, email=EMAIL) -> str:
    """The path of the reset link in the newest mail to `email`; the HTML part carries the same link."""
    message = sink.latest(email)
    text_link = LINK.search(sink.text(message))
    assert text_link, "the mail has no reset link"
    assert text_link.group(0) in sink.html(message)
    return text_link.group(1)


def ask_for_link(person, email=EMAIL, area="/agent"):
    return person.post(f"{area}/forgot-password", {"email": email})


SENT = ("If an account uses that address, we sent a link to it. The link works once, for 30 minutes. "
        "Nothing arrived? Check your spam folder, or wait a minute and ask again.")


def said(response, text) -> bool:
    return text in page_text(response)
