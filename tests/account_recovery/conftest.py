"""The owner, admins and the recovery's emails, for the account recovery flow tests."""
import re

import pytest

from portal.extensions import db
from portal.models import AccountRecovery
from tests.admin.conftest import Actor, admin, events, flashes, words  # noqa: F401  (fixtures and helpers)
from tests.conftest import csrf_token


class Owner(Actor):
    def enter_password(self):
        r = self.login(self.email, "correct horse battery", area=self.area)
        assert r.headers["Location"] == f"{self.area}/login/verify", r.headers.get("Location")
        return r

    def ask_recovery(self):
        url = f"{self.area}/login/account-recovery"
        return self.client.post(url, data={"csrf_token": csrf_token(self.client.get(url))})


@pytest.fixture
def owner(app, clock):
    """Eve, an end user with an authenticator app, who has lost her phone."""
    return Owner(app, clock, "eve@example.com", "end-user", "Eve Customer", with_app=True)


@pytest.fixture
def make_owner(app, clock):
    def make(email, role="agent", name="Sam Agent", with_app=True):
        return Owner(app, clock, email, role, name, with_app)
    return make


def cancel_path(text: str) -> str:
    match = re.search(r"https?://[^/\s]+(/account-recovery/cancel/[A-Za-z0-9_-]+)", text)
    assert match, "no cancel link in the mail"
    return match.group(1)


def recovery(app) -> AccountRecovery:
    with app.app_context():
        row = db.session.scalar(db.select(AccountRecovery).order_by(AccountRecovery.id.desc()))
        db.session.expunge(row)
        return row
