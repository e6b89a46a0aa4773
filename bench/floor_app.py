"""The floor: only the unavoidable work of a sign-in with a second factor, nothing else.

The sign-in page and the challenge page are constant HTML. The password step: one indexed read of the person's
password hash by email, argon2id's check (argon2-cffi, as the portal), the session says who is waiting for their
second factor. The second factor: one indexed read fetches their TOTP secret and last used step; pyotp checks the
code (±1 step); one conditional UPDATE claims the step so it can never be used twice; the session is rewritten to
say they are signed in. The landing page only reads the session. No CSRF token, no rate limit, no security log, no
templates: that is what makes it a floor. Served by gunicorn exactly like the portal (`gunicorn ... floor_app:app`
from bench/), against the same database, with the same engine options (SQLite in WAL mode, synchronous=NORMAL).

Environment: FLOOR_DATABASE_URL (the benchmark's database), FLOOR_SECRET_KEY.
"""
import os
import time

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, abort, redirect, request, session
from sqlalchemy import BigInteger, Column, Integer, MetaData, String, Table, create_engine, event, or_, select, update

metadata = MetaData()
floor_authenticators = Table(
    "floor_authenticators", metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, nullable=False, index=True),
    Column("secret", String(64), nullable=False),
    Column("last_used_step", BigInteger),
)
floor_users = Table(
    "floor_users", metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(255), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
)
LOGIN_PAGE = ('<!doctype html><title>Sign in</title><form method="post" action="/login">'
              '<input name="email" type="email"><input name="password" type="password"><button>Sign in</button></form>')
CHALLENGE_PAGE = ('<!doctype html><title>Code</title><form method="post" action="/verify">'
                  '<input name="code" inputmode="numeric"><button>Verify</button></form>')

app = Flask(__name__)
app.config["SECRET_KEY"] = os.environ.get("FLOOR_SECRET_KEY", "floor-bench-only")
_url = os.environ.get("FLOOR_DATABASE_URL", "sqlite://")
engine = create_engine(_url, **({} if _url.startswith("sqlite") else {"pool_recycle": 1800}))
hasher = PasswordHasher()


def tune_sqlite(engine) -> None:
    """As the portal sets up SQLite (portal/connections.py): WAL, synchronous=NORMAL."""
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


tune_sqlite(engine)


@app.get("/login")
def login_page():
    return LOGIN_PAGE


@app.post("/login")
def login():
    with engine.connect() as conn:
        row = conn.execute(select(floor_users.c.id, floor_users.c.password_hash)
                           .where(floor_users.c.email == request.form.get("email", ""))).first()
    try:
        if row is None or not hasher.verify(row.password_hash, request.form.get("password", "")):
            abort(401)
    except (VerificationError, InvalidHashError):
        abort(401)
    session.clear()
    session["pending"] = row.id
    return redirect("/verify")


@app.get("/verify")
def challenge_page():
    if not isinstance(session.get("pending"), int):
        abort(401)
    return CHALLENGE_PAGE


@app.post("/verify")
def verify():
    user_id = session.get("pending")
    if not isinstance(user_id, int):
        abort(401)
    with engine.begin() as conn:
        row = conn.execute(select(floor_authenticators.c.id, floor_authenticators.c.secret)
                           .where(floor_authenticators.c.user_id == user_id)).first()
        if row is None:
            abort(401)
        code, totp, now = request.form.get("code", ""), pyotp.TOTP(row.secret), time.time()
        current = int(now // 30)
        step = next((s for s in (current - 1, current, current + 1) if totp.at(s * 30) == code), None)
        if step is None:
            abort(401)
        won = conn.execute(update(floor_authenticators)
                           .where(floor_authenticators.c.id == row.id)
                           .where(or_(floor_authenticators.c.last_used_step.is_(None),
                                      floor_authenticators.c.last_used_step < step))
                           .values(last_used_step=step)).rowcount
    if won != 1:
        abort(401)
    session.clear()
    session["uid"] = user_id
    return redirect("/me")


@app.get("/me")
def me():
    """Proof that a flow really signed in (not part of what is measured)."""
    if not isinstance(session.get("uid"), int):
        abort(401)
    return "signed in"
