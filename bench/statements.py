"""SQL statements and transactions of one second-factor step, portal and floor, and of each request of a whole
sign-in, counted inside each app (the same code gunicorn runs) on a fresh person: where the CPU goes. On
PostgreSQL each statement is a round trip, and so are each transaction's BEGIN and its COMMIT or ROLLBACK."""
import re

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


SIGN_IN = ("sign-in page", "password", "challenge page", "code")


def portal_signin(app, email: str, password: str, secret: str) -> list[dict]:
    """Each of a whole sign-in's four requests (as load.signin_batch makes them): its statements and its
    transactions (each BEGIN with its COMMIT or ROLLBACK)."""
    from portal.extensions import db
    with app.app_context():
        engine = db.engine
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
        page = measured(SIGN_IN[0], lambda: client.get("/agent/login"))
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
        r = measured(SIGN_IN[1], lambda: client.post("/agent/login", data={
            "csrf_token": token, "email": email, "password": password}))
        assert r.headers.get("Location", "").endswith("/agent/login/verify"), r.status_code
        page = measured(SIGN_IN[2], lambda: client.get("/agent/login/verify"))
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
        r = measured(SIGN_IN[3], lambda: client.post("/agent/login/verify", data={
            "csrf_token": token, "code": pyotp.TOTP(secret).now()}))
        assert r.headers.get("Location", "").endswith("/agent/"), r.status_code
        assert client.get("/agent/").status_code == 200  # really signed in
    finally:
        event.remove(engine, "before_cursor_execute", count["statements"])
        event.remove(engine, "begin", count["transactions"])
    return out
