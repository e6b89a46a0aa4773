"""SQL statements and transactions of one second-factor step, portal and floor, and of each request of a whole
sign-in, portal, Flask-Security-Too and floor, counted inside each app (the same code gunicorn runs) on a fresh
person: where the CPU goes. On PostgreSQL each statement is a round trip, and so are each transaction's BEGIN and
its COMMIT or ROLLBACK."""
import pyotp
from sqlalchemy import create_engine, event

from bench import floor_app, load


def _counting(engine):
    seen = {"statements": [], "commits": 0}
    event.listen(engine, "before_cursor_execute",
                 lambda conn, cursor, statement, *a: seen["statements"].append(" ".join(statement.split()[:3])))
    event.listen(engine, "commit", lambda conn: seen.__setitem__("commits", seen["commits"] + 1))
    return seen


def portal_step(app, user_id: int, secret: str) -> dict:
    from portal.extensions import db
    flow = load.portal_flows(app, [user_id])[0]
    with app.app_context():
        seen = _counting(db.engine)
    client = app.test_client()
    client.set_cookie("session", flow.cookie)
    response = client.post("/agent/login/verify", data={"csrf_token": flow.token, "code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302 and response.headers["Location"].endswith("/agent/"), response.status_code
    return {"statements": len(seen["statements"]), "commits": seen["commits"], "list": seen["statements"]}


def floor_step(url: str, secret_key: str, user_id: int, secret: str) -> dict:
    floor_app.engine = create_engine(url)
    floor_app.app.config["SECRET_KEY"] = secret_key
    seen = _counting(floor_app.engine)
    flow = load.floor_flows(floor_app.app, [user_id])[0]
    client = floor_app.app.test_client()
    client.set_cookie("session", flow.cookie)
    response = client.post("/verify", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302, response.status_code
    floor_app.engine.dispose()
    return {"statements": len(seen["statements"]), "commits": seen["commits"], "list": seen["statements"]}


SIGN_IN = ("sign-in page", "password", "challenge page", "code", "landing page")


def signin(app, engine, start: str, landing: str, email: str, password: str, secret: str) -> list[dict]:
    """Each of a whole sign-in's five requests (as load.sign_in makes them, here behind Werkzeug's test client): its
    statements and its transactions (each BEGIN with its COMMIT or ROLLBACK). Any of the three apps."""
    seen = {"statements": 0, "transactions": 0}
    count = {"statements": lambda *a: seen.__setitem__("statements", seen["statements"] + 1),
             "transactions": lambda *a: seen.__setitem__("transactions", seen["transactions"] + 1)}
    event.listen(engine, "before_cursor_execute", count["statements"])
    event.listen(engine, "begin", count["transactions"])
    client, out = app.test_client(), []

    def measured(name, send):
        seen.update(statements=0, transactions=0)
        response = send()
        out.append({"request": name, **seen})
        return response

    try:
        page = measured(SIGN_IN[0], lambda: client.get(start))
        action, hidden = load.form_with(page.text, "password", start)
        r = measured(SIGN_IN[1], lambda: client.post(action, data={**hidden, "email": email, "password": password}))
        challenge = load.redirect_target(r.headers.get("Location"))
        assert r.status_code in (302, 303) and challenge, r.status_code
        page = measured(SIGN_IN[2], lambda: client.get(challenge))
        action, hidden = load.form_with(page.text, "code", challenge)
        r = measured(SIGN_IN[3], lambda: client.post(action, data={**hidden, "code": pyotp.TOTP(secret).now()}))
        assert load.redirect_target(r.headers.get("Location")) == landing, (r.status_code, r.headers.get("Location"))
        r = measured(SIGN_IN[4], lambda: client.get(landing))
        assert r.status_code == 200, r.status_code  # really signed in
    finally:
        event.remove(engine, "before_cursor_execute", count["statements"])
        event.remove(engine, "begin", count["transactions"])
    return out


def portal_signin(app, email: str, password: str, secret: str) -> list[dict]:
    from portal.extensions import db
    with app.app_context():
        engine = db.engine
    return signin(app, engine, password=password, email=email, secret=secret, **load.PORTAL_SIGNIN)


def fst_signin(app, email: str, password: str, secret: str) -> list[dict]:
    from bench.fst_app import db
    with app.app_context():
        engine = db.engine
    return signin(app, engine, password=password, email=email, secret=secret, **load.FST_SIGNIN)


def floor_signin(url: str, secret_key: str, email: str, password: str, secret: str) -> list[dict]:
    floor_app.engine = create_engine(url)
    floor_app.app.config["SECRET_KEY"] = secret_key
    try:
        return signin(floor_app.app, floor_app.engine, password=password, email=email, secret=secret,
                      **load.FLOOR_SIGNIN)
    finally:
        floor_app.engine.dispose()
