"""Forged or missing CSRF tokens are refused on every form of every area and change nothing; another person's
ids in a URL find nothing."""
import pytest

from portal.extensions import db
from portal.models import Authenticator, RecoveryCode, RememberedDevice, SecurityEvent, User
from tests.conftest import csrf_token, page_text
from tests.security.helpers import EMAIL, enrolled_agent, sign_out, signed_in_agent
from tests.security.test_no_way_around import every_route

CSRF_MESSAGE = "This form has expired or did not come from this site. Reload the page and try again."


def snapshot(app) -> dict:
    with app.app_context():
        return {model.__tablename__: db.session.scalar(db.select(db.func.count()).select_from(model))
                for model in (User, Authenticator, RecoveryCode, RememberedDevice, SecurityEvent)}


def test_csrf_protection_is_on(app):
    assert app.config.get("WTF_CSRF_ENABLED", True) is True


@pytest.mark.parametrize("forgery", ["missing", "forged", "from another session"])
def test_every_form_refuses_a_bad_csrf_token(app, person, client, forgery):
    secret, _ = enrolled_agent(person)
    signed_in_agent(person, secret)
    other = app.test_client()
    stolen = csrf_token(other.get("/agent/login"))  # valid, but for someone else's session
    before = snapshot(app)
    token = {"missing": None, "forged": "IjAwMDAi.aaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbb", "from another session": stolen}[forgery]
    posts = [(url, method) for url, method in every_route(app) if method == "POST"]
    assert len(posts) > 20
    for url, method in posts:
        data = {"code": person.code(secret), "secret": "correct horse battery", "name": "Evil", "confirm": "y"}
        if token:
            data["csrf_token"] = token
        r = client.post(url, data=data)
        assert r.status_code == 400 and CSRF_MESSAGE in page_text(r), (url, r.status_code)
    assert snapshot(app) == before
    assert client.get("/agent/").status_code == 200  # still signed in: nothing was done, not even sign-out


def test_another_persons_authenticator_ids_find_nothing(app, person, client):
    victim_secret, _ = enrolled_agent(person, email="victim@example.com", name="Victim")
    with app.app_context():
        victim_factor = db.session.scalar(db.select(Authenticator.id))
    secret, _ = enrolled_agent(person)
    signed_in_agent(person, secret)
    r = person.post_from("/agent/preferences/security", f"/agent/preferences/security/{victim_factor}/default", {})
    assert r.status_code == 404
    sign_out(person)
    person.login()
    r = client.get(f"/agent/login/verify?with={victim_factor}")
    assert r.status_code == 404
    token = csrf_token(client.get("/agent/login/verify"))
    r = client.post("/agent/login/verify", data={"csrf_token": token, "authenticator_id": victim_factor,
                                                 "code": person.code(victim_secret, 2)})
    assert r.status_code == 404
    assert client.get("/agent/").status_code == 302
    with app.app_context():
        victim = db.session.scalar(db.select(User).where(User.email == "victim@example.com"))
        assert victim.confirmed_authenticators[0].is_default and victim.failure_count == 0
        mine = db.session.scalar(db.select(User).where(User.email == EMAIL))
        assert mine.failure_count == 0


def test_an_end_user_never_reaches_the_agent_console_or_admin(app, person, client):
    person.create(email="eve@example.com", role="end-user", name="Eve")
    person.login(email="eve@example.com", area="")
    assert client.get("/").status_code == 200
    for url in ("/agent/", "/agent/preferences/security", "/admin/", "/agent/security/recovery-codes"):
        assert client.get(url).status_code == 403, url
