"""An agent and customers, each with their own browser (test client), for the requests' flow tests."""
import re

import pytest

from portal.extensions import db
from portal.models import SecurityEvent, SupportRequest
from tests.admin.conftest import Actor, flashes, words  # noqa: F401  (re-exported for the tests)
from tests.conftest import csrf_token


class Person(Actor):
    def send(self, url, data, page=None):
        """Post the form on `page` (default: `url`) with its CSRF token, as the browser does."""
        token = csrf_token(self.client.get(page or url))
        return self.client.post(url, data={"csrf_token": token, **data})

    def ask_support(self, subject="Printer on fire", body="It is on fire.\nPlease help.") -> int:
        r = self.send("/requests/new", {"subject": subject, "body": body})
        assert r.status_code == 303, r.get_data(as_text=True)
        return int(re.search(r"/requests/(\d+)$", r.headers["Location"]).group(1))


@pytest.fixture
def agent(app, clock):
    sam = Person(app, clock, "sam@example.com", "agent", "Sam Agent", with_app=False)
    sam.sign_in()
    return sam


@pytest.fixture
def customer(app, clock):
    """Eve, an end user with an authenticator app, signed in to the help center."""
    eve = Person(app, clock, "eve@example.com", "end-user", "Eve Customer", with_app=True)
    eve.sign_in()
    clock.advance(30)  # her next code is a fresh time step
    return eve


@pytest.fixture
def make_customer(app, clock):
    def make(email, name="Someone Else", with_app=False):
        person = Person(app, clock, email, "end-user", name, with_app=with_app)
        person.sign_in()
        return person
    return make


def events(app, event_type) -> list[SecurityEvent]:
    with app.app_context():
        rows = list(db.session.scalars(db.select(SecurityEvent).where(SecurityEvent.type == event_type)
                                       .order_by(SecurityEvent.id)))
        db.session.expunge_all()
        return rows


def status_of(app, request_id) -> str:
    with app.app_context():
        return db.session.get(SupportRequest, request_id).status
