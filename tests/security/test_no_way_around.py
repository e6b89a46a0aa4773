"""No way around the second factor: with only a password (or a forged remember-me cookie) no page, form, JSON
request or link of any area gives a session; and `next=` only ever leads to a local path."""
import pytest
from flask_login.utils import encode_cookie

from portal.extensions import db
from portal.models import User
from tests.conftest import csrf_token, page_text
from tests.security.helpers import EMAIL, enrolled_agent, in_console

HOSTILE_NEXT = ["//evil.com", "https://evil.com/", "/\\evil.com", "\\\\evil.com", "javascript:alert(1)",
                "JaVaScRiPt:alert(1)", "%2F%2Fevil.com", "/%2F%2Fevil.com", "/%5Cevil.com", "%5C%5Cevil.com",
                "https:evil.com", "\t//evil.com", " //evil.com", "///evil.com", "data:text/html,<script>x</script>"]
SAMPLE_ARGS = {"filename": "portal.css", "key": "totp"}


def every_route(app) -> list[tuple[str, str]]:
    """(url, method) for every rule in the app — including those other features add later."""
    from flask import url_for
    routes = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            url = url_for(rule.endpoint, **{arg: SAMPLE_ARGS.get(arg, 1) for arg in rule.arguments})
            routes += [(url, method) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return routes


def signed_in_anywhere(client, response) -> bool:
    with client.session_transaction() as session:
        has_user = "_user_id" in session or "area" in session
    return has_user or (response.status_code == 200 and "Sign out" in page_text(response))


def probe(client, url, method, token, as_json=False):
    if method == "GET":
        return client.get(url, headers={"Accept": "application/json"} if as_json else {})
    if as_json:
        return client.open(url, method=method, json={"code": "000000", "csrf_token": token},
                           headers={"X-CSRFToken": token, "Accept": "application/json"})
    return client.open(url, method=method, data={"csrf_token": token, "code": "", "next": "/agent/"})


@pytest.mark.parametrize("as_json", [False, True], ids=["forms", "json"])
def test_password_alone_reaches_nothing_by_url(app, person, client, as_json):
    secret, _ = enrolled_agent(person)
    person.login()  # the attacker knows the password; the challenge is next
    for url, method in every_route(app):
        with client.session_transaction() as session:
            pending = "pending_login" in session
        if not pending:  # signing out ends the pending sign-in: start another
            person.login()
        token = csrf_token(client.get("/agent/login/verify"))
        r = probe(client, url, method, token, as_json)
        assert r.status_code != 500, (method, url)
        assert not signed_in_anywhere(client, r), (method, url, r.status_code)
    assert not in_console(client)
    assert secret


def test_a_forged_remember_me_cookie_is_not_a_session(app, person, client):
    """Even one signed with the real SECRET_KEY: only a completed second factor makes a session."""
    enrolled_agent(person)
    with app.test_request_context():
        user = db.session.scalar(db.select(User).where(User.email == EMAIL))
        client.set_cookie("remember_token", encode_cookie(user.get_id()))
    for url, method in every_route(app):
        if method != "GET":
            continue
        r = client.get(url)
        assert r.status_code != 500, url
        assert not (r.status_code == 200 and "Sign out" in page_text(r)), url
    r = client.get("/agent/")
    assert r.status_code == 302 and r.headers["Location"].startswith("/agent/login")


@pytest.mark.parametrize("hostile", HOSTILE_NEXT)
def test_next_only_ever_leads_to_a_local_path(person, client, hostile):
    secret, _ = enrolled_agent(person)
    page = client.get("/agent/login", query_string={"next": hostile})
    r = client.post("/agent/login", query_string={"next": hostile},
                    data={"csrf_token": csrf_token(page), "email": EMAIL, "password": "correct horse battery"})
    assert r.headers["Location"] == "/agent/login/verify"
    r = person.post("/agent/login/verify", {"code": person.code(secret)})
    assert r.status_code == 302 and r.headers["Location"] == "/agent/"


def test_a_local_next_is_followed_after_the_second_factor(person, client):
    secret, _ = enrolled_agent(person)
    r = client.get("/agent/preferences/security")
    assert r.headers["Location"] == "/agent/login?next=/agent/preferences/security?"
    page = client.get(r.headers["Location"])
    r = client.post(r.headers["Location"], data={"csrf_token": csrf_token(page), "email": EMAIL,
                                                 "password": "correct horse battery"})
    r = person.post("/agent/login/verify", {"code": person.code(secret)})
    assert r.headers["Location"] == "/agent/preferences/security"
