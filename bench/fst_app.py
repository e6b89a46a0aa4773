"""The peer: the same sign-in on Flask-Security-Too (FST), configured like the portal, as FST's documentation sets
it up.

Two-factor authentication required, authenticator apps only (TOTP, FST's own `Totp` class, which keeps each secret
encrypted with `SECURITY_TOTP_SECRETS`); CSRF on every POST (Flask-WTF's CSRFProtect, initialised before FST, as
FST asks); passwords hashed with argon2id through passlib with the portal's parameters (argon2-cffi's defaults:
t=3, m=64 MiB, p=4, 16-byte salt, 32-byte hash); the models of FST's two-factor example
(docs/two_factor_configurations.rst), with tables of their own (`fst_*`) beside the portal's in the same
database; the same engine options as the portal (`pool_recycle`, SQLite in WAL mode with synchronous=NORMAL).
The landing page is an `@auth_required()` view, as in that example.

A person signs in as in the portal: GET /login?next=%2F (where FST's @auth_required sends them), POST email and
password, GET /tf-validate, POST the code, GET /.

Served by gunicorn like the portal, from bench/: `gunicorn ... 'fst_app:create_app()'`. Environment: FST_DATABASE_URL,
FST_SECRET_KEY, FST_PASSWORD_SALT, FST_TOTP_SECRET, FST_HASH ("production", or "cheapest": argon2id at its cheapest,
for the twin server that measures everything but the hash; FST re-hashes a password at sign-in when its stored
parameters differ from the configured ones, so a cheap hash needs a server configured for it).
"""
import os

from flask import Flask, render_template_string
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.orm import DeclarativeBase

from flask_security import RoleMixin, Security, SQLAlchemyUserDatastore, UserMixin, auth_required

# argon2id as the portal hashes (argon2-cffi's PasswordHasher() defaults), and at its cheapest (the portal's "test").
ARGON2 = {"production": {"rounds": 3, "memory_cost": 65536, "parallelism": 4, "salt_size": 16, "digest_size": 32,
                         "type": "ID"},
          "cheapest": {"rounds": 1, "memory_cost": 64, "parallelism": 1, "salt_size": 16, "digest_size": 32,
                       "type": "ID"}}


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)

roles_users = db.Table(
    "fst_roles_users",
    db.Column("user_id", db.Integer(), db.ForeignKey("fst_user.id")),
    db.Column("role_id", db.Integer(), db.ForeignKey("fst_role.id")))


class Role(db.Model, RoleMixin):
    __tablename__ = "fst_role"
    id = db.Column(db.Integer(), primary_key=True)
    name = db.Column(db.String(80), unique=True)
    description = db.Column(db.String(255))


class User(db.Model, UserMixin):
    __tablename__ = "fst_user"
    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(255), unique=True)
    username = db.Column(db.String(255), unique=True, nullable=True)
    password = db.Column(db.String(255))
    active = db.Column(db.Boolean())
    fs_uniquifier = db.Column(db.String(255), unique=True, nullable=False)
    confirmed_at = db.Column(db.DateTime())
    roles = db.relationship("Role", secondary=roles_users, backref=db.backref("users", lazy="dynamic"))
    tf_phone_number = db.Column(db.String(128), nullable=True)
    tf_primary_method = db.Column(db.String(64), nullable=True)
    tf_totp_secret = db.Column(db.String(255), nullable=True)


def create_app(database_url: str | None = None, secret_key: str | None = None, password_salt: str | None = None,
               totp_secret: str | None = None, hash_profile: str | None = None) -> Flask:
    env = os.environ.get
    url = database_url or env("FST_DATABASE_URL", "sqlite://")
    profile = hash_profile or env("FST_HASH", "production")
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secret_key or env("FST_SECRET_KEY", "fst-bench-only"),
        SQLALCHEMY_DATABASE_URI=url,
        SQLALCHEMY_ENGINE_OPTIONS={} if url.startswith("sqlite") else {"pool_recycle": 1800},
        SECURITY_PASSWORD_HASH="argon2",
        SECURITY_PASSWORD_SALT=password_salt or env("FST_PASSWORD_SALT", "fst-bench-only-salt"),
        SECURITY_PASSWORD_HASH_PASSLIB_OPTIONS={f"argon2__{k}": v for k, v in ARGON2[profile].items()},
        SECURITY_TWO_FACTOR=True,
        SECURITY_TWO_FACTOR_REQUIRED=True,
        SECURITY_TWO_FACTOR_ENABLED_METHODS=["authenticator"],
        SECURITY_TOTP_SECRETS={"1": totp_secret or env("FST_TOTP_SECRET", "fst-bench-only-totp-secret")},
        SECURITY_TOTP_ISSUER="Helpdesk bench",
        SECURITY_TWO_FACTOR_RESCUE_MAIL="admin@example.com",
    )
    db.init_app(app)
    with app.app_context():
        _tune_sqlite(db.engine)
    CSRFProtect(app)  # before FST: FST's docs ask for it there
    app.security = Security(app, SQLAlchemyUserDatastore(db, User, Role))

    @app.route("/")
    @auth_required()
    def home():
        return render_template_string("Hello {{ current_user.email }}")

    return app


def _tune_sqlite(engine) -> None:
    """As the portal sets up SQLite (portal/connections.py): WAL, synchronous=NORMAL."""
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
