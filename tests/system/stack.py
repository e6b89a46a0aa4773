"""One deployed portal as an operator runs it: its own PostgreSQL database (schema by `flask db upgrade`),
Redis rate-limit storage under a key prefix of its own, an SMTP server, keys made for this run, and gunicorn
with 4 workers. The test process reaches the same database with the same keys to seed people and to read
what the database holds afterwards."""
import json
import os
import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone

import pyotp
from sqlalchemy import text

from .servers import REDIS_URL, Gunicorn, PgDatabase, flask_cli, new_keys

PASSWORD = "correct horse battery staple"


@dataclass
class Person:
    id: int
    email: str
    password: str
    secret: str | None = None  # the TOTP secret their phone holds, if they have one
    recovery_codes: list = field(default_factory=list)  # as shown to them, xxxxx-xxxxx

    def code(self, offset_steps: int = 0) -> str:
        """What their authenticator app shows now (the server runs on the real clock)."""
        return pyotp.TOTP(self.secret).at(datetime.now(timezone.utc).timestamp() + 30 * offset_steps)


class Stack:
    def __init__(self, database: PgDatabase, smtp_port: int, rate_limit: str = "100000 per minute",
                 rate_limit_storage: str | None = None, workers: int = 4, **env):
        self.database = database
        self.keys = new_keys()
        self.redis_prefix = f"portal-sys-{os.getpid()}-{secrets.token_hex(3)}"
        self.env = {
            **self.keys,
            "DATABASE_URL": database.url,
            "RATELIMIT_STORAGE_URI": rate_limit_storage or REDIS_URL,
            "RATELIMIT_KEY_PREFIX": self.redis_prefix,
            "PORTAL_AUTH_RATE_LIMIT": rate_limit,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(smtp_port),
            "MAIL_TIMEOUT": "3",
            "FLASK_DEBUG": "0",
            **{k: str(v) for k, v in env.items()},
        }
        self.server = Gunicorn(self.env, workers=workers)
        self.env["PORTAL_URL"] = self.server.url  # the same dict the server starts with
        self._app = None
        self._hash = None

    def start(self, upgrade: bool = False) -> "Stack":
        if upgrade:  # the deploy step; the suite's shared database is upgraded once (conftest.py)
            flask_cli(self.env, "db", "upgrade")
        self.server.start()
        return self

    @property
    def url(self) -> str:
        return self.server.url

    # -- the same database, from the test process -------------------------------------------------------

    @property
    def app(self):
        if self._app is None:
            from portal import create_app
            from portal.config import Config
            # Seeded passwords use the test suite's cheap argon2id (the servers verify any argon2id hash by the
            # parameters stored in it), and this process keeps the suite's hashing profile.
            self._app = create_app(Config, SQLALCHEMY_DATABASE_URI=self.database.url, RATELIMIT_ENABLED=False,
                                   RATELIMIT_STORAGE_URI="memory://", PASSWORD_HASH_PROFILE="test", **self.keys)
        return self._app

    def rows(self, sql: str, **params) -> list:
        with self.app.app_context():
            from portal.extensions import db
            result = db.session.execute(text(sql), params).all()
            db.session.rollback()
            return result

    def scalar(self, sql: str, **params):
        rows = self.rows(sql, **params)
        return rows[0][0] if rows else None

    def execute(self, sql: str, **params) -> int:
        with self.app.app_context():
            from portal.extensions import db
            count = db.session.execute(text(sql), params).rowcount
            db.session.commit()
            return count

    def events(self, user_id: int) -> Counter:
        return Counter(t for (t,) in self.rows("SELECT type FROM security_events WHERE user_id = :u", u=user_id))

    def event_details(self, user_id: int, event_type: str) -> list[dict]:
        rows = self.rows("SELECT detail FROM security_events WHERE user_id = :u AND type = :t ORDER BY id",
                         u=user_id, t=event_type)
        return [json.loads(d) if d else {} for (d,) in rows]

    def person(self, totp: bool = True, email_code: bool = False, recovery_codes: bool = False,
               kind: str = "agent") -> Person:
        """A person with a password and (by default) a confirmed authenticator app, as if set up earlier;
        optionally an email authenticator (the default then) and a set of recovery codes."""
        from portal import clock, crypto
        from portal.extensions import db
        from portal.models import Authenticator, PluginInstance, User
        from portal.passwords import hash_password
        with self.app.test_request_context():
            if self._hash is None:
                self._hash = hash_password(PASSWORD)
            email = f"p{secrets.token_hex(5)}@example.com"
            now = clock.now()
            user = User(email=email, name="System Test", password_hash=self._hash, kind=kind, is_admin=False,
                        enforce_2fa=False, skip_forfeited=False, session_version=1, created_at=now,
                        failure_count=0, admin_locked=False)
            db.session.add(user)
            db.session.flush()
            secret, codes = None, []

            def instance(key):
                return db.session.scalar(db.select(PluginInstance.id).where(PluginInstance.plugin_key == key))

            if totp:
                secret = pyotp.random_base32()
                db.session.add(Authenticator(user_id=user.id, method="totp", instance_id=instance("totp"),
                                             name="Phone", secret_enc=crypto.encrypt(secret),
                                             is_default=not email_code, created_at=now, confirmed_at=now))
            if email_code:
                db.session.add(Authenticator(user_id=user.id, method="email", instance_id=instance("email"),
                                             name="Email", target=email, is_default=True, created_at=now,
                                             confirmed_at=now))
            if recovery_codes:
                from portal.twofactor import recovery
                codes = recovery.generate(user)
            db.session.commit()
            return Person(user.id, email, PASSWORD, secret, codes)

    def stop(self):
        self.server.stop()
        if self._app is not None:
            with self._app.app_context():
                from portal.extensions import db
                db.session.remove()
                db.engine.dispose()
        try:
            import redis
            client = redis.Redis.from_url(REDIS_URL)
            keys = list(client.scan_iter(match=f"*{self.redis_prefix}*"))
            if keys:
                client.delete(*keys)
            client.close()
        except Exception:  # Redis gone: nothing of ours to clean up
            pass
