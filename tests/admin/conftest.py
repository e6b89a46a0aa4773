"""People for the admin tests, each with their own browser (test client): an admin signed in with an
authenticator app, and agents or end users created as the admin's counterparts."""
from functools import cache

import pyotp
import pytest

from portal import clock as portal_clock
from portal import crypto
from portal.cli import ROLES
from portal.extensions import db
from portal.passwords import hash_password
from portal.models import Authenticator, PluginInstance, SecurityEvent, User
from tests.conftest import Person, csrf_token, page_text

PASSWORD = "correct horse battery"
AREAS = {"admin": "/agent", "agent": "/agent", "end-user": ""}


class Actor(Person):
    """Someone with an account, their own test client and (if they have one) their authenticator app's secret."""

    def __init__(self, app, clock, email, role, name, with_app=True):
        super().__init__(app, app.test_client(), clock)
        self.email, self.role, self.name = email, role, name
        self.area = AREAS[role]
        self.id = add_account(app, email, role, name)
        self.secret = give_app(app, self.id) if with_app else None

    def sign_in(self):
        r = self.login(self.email, PASSWORD, area=self.area)
        if self.secret:
            assert r.headers["Location"] == f"{self.area}/login/verify", r.headers.get("Location")
            r = self.post(f"{self.area}/login/verify", {"code": self.code(self.secret)})
        assert r.status_code == 302 and "/login" not in r.headers["Location"], r.headers.get("Location")
        return r

    def get(self, url, **kwargs):
        return self.client.get(url, **kwargs)

    def submit(self, url, data, page=None):
        """Post a form the way the browser does: with the CSRF token of the page it sits on."""
        token = csrf_token(self.client.get(page or url))
        return self.client.post(url, data={"csrf_token": token, **data})

    def user(self) -> User:
        return db.session.get(User, self.id)


@cache
def password_hash() -> str:
    """argon2id is deliberately slow: hash the shared test password once, not once per account."""
    return hash_password(PASSWORD)


def add_account(app, email, role, name) -> int:
    kind, is_admin = ROLES[role]
    with app.app_context():
        user = User(email=email, name=name, kind=kind, is_admin=is_admin, password_hash=password_hash(),
                    created_at=portal_clock.now(), session_version=1, failure_count=0, enforce_2fa=False,
                    skip_forfeited=False, admin_locked=False)
        db.session.add(user)
        db.session.commit()
        return user.id


def give_app(app, user_id) -> str:
    """A confirmed authenticator app for this person (as if set up earlier); returns its secret."""
    secret = pyotp.random_base32()
    with app.app_context():
        instance = db.session.scalar(db.select(PluginInstance).where(PluginInstance.plugin_key == "totp"))
        now = portal_clock.now()
        db.session.add(Authenticator(user_id=user_id, method="totp", instance_id=instance.id, name="Work phone",
                                     secret_enc=crypto.encrypt(secret), is_default=True, created_at=now,
                                     confirmed_at=now))
        db.session.commit()
    return secret


@pytest.fixture
def actor(app, clock):
    def make(email, role="agent", name="Sam Agent", with_app=False):
        return Actor(app, clock, email, role, name, with_app)
    return make


@pytest.fixture
def admin(app, clock):
    ada = Actor(app, clock, "ada@example.com", "admin", "Ada Admin")
    ada.sign_in()
    return ada


def events(app, event_type) -> list[SecurityEvent]:
    with app.app_context():
        return list(db.session.scalars(db.select(SecurityEvent).where(SecurityEvent.type == event_type)
                                       .order_by(SecurityEvent.id)))


def flashes(response) -> list[str]:
    import re
    return [m.strip() for m in re.findall(r'<p class="flash[^"]*"[^>]*>(.*?)</p>', page_text(response), re.S)]


def words(response) -> str:
    """The page's text as a person reads it: tags dropped, whitespace collapsed."""
    import re
    return " ".join(re.sub(r"<[^>]+>", " ", page_text(response)).split()).replace(" .", ".").replace(" ,", ",")
