"""An end user of the help center, acting through the test client as a person would."""
import re

import pytest

from portal.extensions import db
from portal.models import Authenticator, User
from tests.conftest import Person, csrf_token, setup_secret

PASSWORD = "correct horse battery"


class EndUser(Person):
    def register(self, email="eve@example.com", name="Eve Customer", password=PASSWORD, follow=False,
                 activate=True):
        """Fill in /register; when the email with the link comes (to a new address), open the link and select
        "Activate my account", as the person would. Returns the last response: the form with its errors, "Check
        your email" (activate=False, or no link was mailed), or where activating leads."""
        from portal.extensions import mail
        with mail.record_messages() as sent:
            r = self.post("/register", {"name": name, "email": email, "password": password})
        links = [activation_link(m.body) for m in sent]
        if not (activate and r.status_code == 200 and links and links[-1]):
            return r
        page = self.client.get(links[-1])
        assert page.status_code == 200, page.get_data(as_text=True)
        return self.client.post(links[-1], data={"csrf_token": csrf_token(page)}, follow_redirects=follow)

    def sign_in(self, email="eve@example.com", password=PASSWORD):
        return self.post("/login", {"email": email, "password": password})

    def sign_out(self):
        return self.post_from("/", "/logout", {})

    def start_app_setup(self, instance_id=1):
        """Open Set up authentication app; returns (page, secret read from the Setup Key)."""
        page = self.client.get(f"/profile/2fa/setup/{instance_id}?new=1")
        assert page.status_code == 200, page.status_code
        return page, setup_secret(page)

    def add_app(self, name="Phone", instance_id=1):
        page, secret = self.start_app_setup(instance_id)
        r = self.client.post(f"/profile/2fa/setup/{instance_id}",
                             data={"csrf_token": csrf_token(page), "name": name, "code": self.code(secret)})
        self.after_setup(r)
        self.clock.advance(30)  # the next code is a fresh time step
        return secret

    def after_setup(self, r):
        """A confirmed setup goes back to Your 2FA — by way of the recovery codes, shown once, after the first."""
        assert r.status_code == 302, r.get_data(as_text=True)
        if r.headers["Location"] == "/security/recovery-codes?next=/profile/2fa":
            page = self.client.get(r.headers["Location"])
            assert "Save them now: they are shown only this once." in page.get_data(as_text=True)
            r = self.client.post("/security/recovery-codes/done",
                                 data={"csrf_token": csrf_token(page), "next": "/profile/2fa"})
        assert r.status_code == 302 and r.headers["Location"] == "/profile/2fa"

    def user(self, email="eve@example.com") -> User:
        with self.app.app_context():
            user = db.session.scalar(db.select(User).where(User.email == email))
            db.session.expunge(user)
            return user

    def authenticators(self, email="eve@example.com") -> list[tuple[str, str]]:
        """(name, method) of the person's authenticators, as the database holds them."""
        with self.app.app_context():
            return [(a.name, a.method) for a in db.session.scalars(
                db.select(Authenticator).join(User).where(User.email == email).order_by(Authenticator.id))]

    def authenticator_id(self, name, email="eve@example.com") -> int:
        with self.app.app_context():
            return db.session.scalar(db.select(Authenticator.id).join(User)
                                     .where(User.email == email, Authenticator.name == name))


@pytest.fixture
def end_user(app, client, clock):
    return EndUser(app, client, clock)


@pytest.fixture
def registered(end_user):
    """Eve has registered, followed the link in the email and is signed in to the help center (2FA not required,
    none set up)."""
    r = end_user.register()
    assert r.status_code == 302 and r.headers["Location"] == "/"
    return end_user


def activation_link(text: str) -> str | None:
    """The path of the activation link in a registration email's text, if it has one."""
    match = re.search(r"https?://[^/\s]+(/register/activate/[A-Za-z0-9_-]+)", text or "")
    return match.group(1) if match else None


def edit_links(html: str) -> list[str]:
    return re.findall(r'href="(/profile/2fa/\d+/edit)"', html)
