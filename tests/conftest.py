"""Fixtures: a fresh app and database per test (SQLite file by default, PostgreSQL when TEST_DATABASE_URL is
set: one schema per run, emptied between tests), a settable clock, and helpers that act as a person would."""
import contextlib
import os
import re
import secrets
from datetime import datetime

import pyotp
import pytest
from sqlalchemy import create_engine, text

from portal import create_app
from portal.clock import FrozenClock, set_clock
from portal.config import TestConfig
from portal.extensions import db
from portal.twofactor.registry import seed_builtin_plugins

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
PG_SCHEMA = f"t_{os.getpid()}_{secrets.token_hex(3)}"
T0 = datetime(2026, 3, 1, 9, 0, 0)  # a fixed start time: tests set the clock, they never sleep


@pytest.fixture(scope="session")
def pg_schema():
    if not PG_URL:
        yield None
        return
    engine = create_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{PG_SCHEMA}"'))
    yield PG_SCHEMA
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{PG_SCHEMA}" CASCADE'))
    engine.dispose()


def database_config(tmp_path, pg_schema) -> dict:
    if pg_schema:
        return {"SQLALCHEMY_DATABASE_URI": PG_URL,
                "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": f"-csearch_path={pg_schema}"}}}
    return {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.db'}"}


_created = set()


def make_app(tmp_path, pg_schema, **overrides):
    config = {**database_config(tmp_path, pg_schema), **overrides}
    app = create_app(TestConfig, **config)
    if pg_schema:  # the engine options are dropped for SQLite only
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = config["SQLALCHEMY_ENGINE_OPTIONS"]
    with app.app_context():
        if pg_schema and pg_schema in _created:
            tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            db.session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            db.session.commit()
        else:
            db.create_all()
            _created.add(pg_schema)
        with db.engine.begin() as conn:
            seed_builtin_plugins(conn)
    return app


@pytest.fixture
def clock():
    return FrozenClock(T0)


@pytest.fixture
def app(tmp_path, pg_schema, clock):
    app = make_app(tmp_path, pg_schema)
    set_clock(app, clock)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def csrf_token(response) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', response.get_data(as_text=True)) or \
        re.search(r'name="csrf_token" value="([^"]+)"', response.get_data(as_text=True))
    assert match, "page has no CSRF token"
    return match.group(1)


class Person:
    """Acts in the browser as a person would: reads the form, sends it with its CSRF token."""

    def __init__(self, app, client, clock):
        self.app, self.client, self.clock = app, client, clock

    def create(self, email="agent@example.com", role="agent", password="correct horse battery", name="Sam Agent"):
        from portal.cli import create_user
        with self.app.app_context():
            user = create_user(email, name, role, password)
            return user.id

    def post(self, url, data, follow=False):
        page = self.client.get(url)
        token = csrf_token(page) if page.status_code == 200 else ""
        return self.client.post(url, data={"csrf_token": token, **data}, follow_redirects=follow)

    def post_from(self, page_url, action, data, follow=False):
        token = csrf_token(self.client.get(page_url))
        return self.client.post(action, data={"csrf_token": token, **data}, follow_redirects=follow)

    def login(self, email="agent@example.com", password="correct horse battery", area="/agent"):
        return self.post(f"{area}/login", {"email": email, "password": password})

    def code(self, secret, offset_steps=0):
        at = (self.clock.now() - datetime(1970, 1, 1)).total_seconds()
        return pyotp.TOTP(secret).at(int(at) + 30 * offset_steps)

    def setup_totp(self, area="/agent", instance_id=1, name="Phone"):
        """Go through Preferences > Security set-up; returns the secret read from the page."""
        page = self.client.get(f"{area}/preferences/security/setup/{instance_id}?new=1")
        assert page.status_code == 200
        secret = setup_secret(page)
        response = self.client.post(f"{area}/preferences/security/setup/{instance_id}",
                                    data={"csrf_token": csrf_token(page), "name": name, "code": self.code(secret)})
        assert response.status_code == 302, response.get_data(as_text=True)
        return secret


def setup_secret(page) -> str:
    match = re.search(r'<code id="setup-key"[^>]*>([A-Z2-7 ]+)</code>', page.get_data(as_text=True))
    assert match, "no setup key on the page"
    return match.group(1).replace(" ", "")


@pytest.fixture
def person(app, client, clock):
    return Person(app, client, clock)


def page_text(response) -> str:
    """The page as a person reads it (entities decoded)."""
    import html
    return html.unescape(response.get_data(as_text=True))


# --- Real SMTP (aiosmtpd) -------------------------------------------------------------------------------------

class SmtpSink:
    """An aiosmtpd handler that keeps every message it receives, parsed, for the test to read."""

    CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")

    def __init__(self):
        self.messages = []  # email.message.EmailMessage, oldest first

    async def handle_DATA(self, server, session, envelope):
        import email
        from email import policy
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        address = address.lower()
        return [m for m in self.messages if address in m["X-Envelope-To"].lower()]

    def latest(self, address: str):
        received = self.to(address)
        assert received, f"no message was delivered to {address}"
        return received[-1]

    @staticmethod
    def text(message) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()

    @staticmethod
    def html(message) -> str:
        return message.get_body(preferencelist=("html",)).get_content()

    def latest_code(self, address: str) -> str:
        """The 6-digit code in the plain-text part of the newest message to `address`."""
        match = self.CODE.search(self.text(self.latest(address)))
        assert match, "the latest message has no 6-digit code"
        return match.group(1)


def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def smtp_sink_for(app):
    """Point `app` at a real SMTP server on a free loopback port for the duration (usable with live.app too)."""
    from aiosmtpd.controller import Controller

    sink = SmtpSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_USE_TLS=False, MAIL_USE_SSL=False,
                      MAIL_USERNAME=None, MAIL_PASSWORD=None, MAIL_SUPPRESS_SEND=False)
    try:
        yield sink
    finally:
        controller.stop()


@pytest.fixture
def smtp_sink(app):
    """A real SMTP server the app sends to: `smtp_sink.latest(addr)`, `.latest_code(addr)`, `.text(msg)`."""
    with smtp_sink_for(app) as sink:
        yield sink
