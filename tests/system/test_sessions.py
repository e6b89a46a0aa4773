"""Sessions live in PostgreSQL, not in a worker: a cookie signed out on one worker is refused by all four at once,
and a cookie left over from before a policy change gets the password step and no secret."""
import json

import pytest

from .conftest import burst
from .web import Browser

pytestmark = pytest.mark.system

COPIES = 40


def signed_in(portal, person) -> Browser:
    browser = Browser(portal.url)
    response = browser.sign_in(person.email, person.password)
    if response.location == "/agent/login/verify":
        response = browser.post("/agent/login/verify", {"code": person.code()})
    assert (response.status, response.location) == (302, "/agent/"), response.text[:300]
    return browser


def test_a_cookie_signed_out_on_one_worker_is_refused_by_all(portal):
    person = portal.person()
    browser = signed_in(portal, person)
    copies = [browser.clone() for _ in range(COPIES)]
    before = burst(COPIES, lambda i: copies[i].get("/agent/"))
    assert {page.status for page in before} == {200}  # every worker serves the copies while the session lives
    home = browser.get("/agent/")
    assert browser.post("/agent/logout", {}, token=home.token()).location == "/agent/login"
    after = burst(COPIES, lambda i: copies[i].get("/agent/"))
    assert {(page.status, page.location) for page in after} == {(302, "/agent/login")}
    assert portal.scalar("SELECT count(*) FROM user_sessions WHERE user_id = :u", u=person.id) == 0


def test_a_stale_cookie_after_a_policy_change_gets_the_password_step_and_no_secret(portal):
    person = portal.person(totp=False)
    browser = signed_in(portal, person)
    stale = [browser.clone() for _ in range(COPIES)]
    portal.execute("INSERT INTO settings (key, value) VALUES ('require_agents_2fa', :v)", v=json.dumps(True))
    try:
        pages = burst(COPIES, lambda i: stale[i].get("/agent/preferences/security"))
        assert {(page.status, page.location) for page in pages} == {(302, "/agent/login")}
        setups = burst(COPIES, lambda i: stale[i].get("/agent/login/setup"))
        assert {(page.status, page.location) for page in setups} == {(302, "/agent/login")}
        for page in pages + setups:
            assert "otpauth" not in page.body and "setup-key" not in page.body
        assert portal.events(person.id)["login.password_ok"] == 1  # only the real password sign-in
        assert portal.scalar("SELECT count(*) FROM pending_logins WHERE user_id = :u", u=person.id) == 0
        # The password, and only the password, leads on to the setup step.
        again = Browser(portal.url)
        assert again.sign_in(person.email, person.password).location == "/agent/login/setup"
    finally:
        portal.execute("DELETE FROM settings WHERE key = 'require_agents_2fa'")
