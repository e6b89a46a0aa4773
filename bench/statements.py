"""SQL statements and transactions of one second-factor step, portal and floor, counted inside each app (the
same code gunicorn runs) on a fresh person: where the CPU difference comes from."""
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
