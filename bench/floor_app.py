"""The floor: only the unavoidable work of a second factor, nothing else.

A signed-cookie session says which user is waiting for their second factor; one indexed read fetches their TOTP
secret and last used step; pyotp checks the code (±1 step); one conditional UPDATE claims the step so it can
never be used twice; the session is rewritten to say they are signed in. Served by gunicorn exactly like the
portal (`gunicorn ... floor_app:app` from bench/), against the same database, with the same engine options.

Environment: FLOOR_DATABASE_URL (the benchmark's database), FLOOR_SECRET_KEY.
"""
import os
import time

import pyotp
from flask import Flask, abort, redirect, request, session
from sqlalchemy import BigInteger, Column, Integer, MetaData, String, Table, create_engine, or_, select, update

metadata = MetaData()
floor_authenticators = Table(
    "floor_authenticators", metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, nullable=False, index=True),
    Column("secret", String(64), nullable=False),
    Column("last_used_step", BigInteger),
)

app = Flask(__name__)
app.config["SECRET_KEY"] = os.environ.get("FLOOR_SECRET_KEY", "floor-bench-only")
_url = os.environ.get("FLOOR_DATABASE_URL", "sqlite://")
engine = create_engine(_url, **({} if _url.startswith("sqlite") else {"pool_recycle": 1800}))


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
