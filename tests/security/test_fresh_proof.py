"""A stolen, idle session can't change 2FA: adding a factor, changing the default and making new recovery codes
need a proof (password or current code) from the last 10 minutes; the proof page never sends anyone off-site."""
from urllib.parse import parse_qs, urlsplit

import pytest

from portal.extensions import db
from portal.models import Authenticator, SecurityEvent
from tests.conftest import csrf_token, page_text
from tests.security.helpers import PASSWORD, enrolled_agent, signed_in_agent, wrong_code

PROOF = "/agent/security/confirm"


def proof_target(response) -> str:
    location = urlsplit(response.headers["Location"])
    assert location.path == PROOF, response.headers["Location"]
    return parse_qs(location.query)["next"][0]


@pytest.fixture
def stale_session(person):
    """An agent signed in with a second factor more than 10 minutes ago. Returns the TOTP secret."""
    secret, _ = enrolled_agent(person)
    signed_in_agent(person, secret)
    person.clock.advance(10 * 60 + 1)
    return secret


def test_adding_a_factor_asks_for_proof_and_comes_back(person, client, stale_session):
    r = client.get("/agent/preferences/security/setup/1?new=1")
    assert proof_target(r) == "/agent/preferences/security/setup/1?new=1"
    page = client.get(r.headers["Location"])
    text = page_text(page)
    assert page.status_code == 200 and "Confirm it's you" in text and 'autocomplete="current-password"' in text
    wrong = person.post(r.headers["Location"], {"secret": "not my password"})
    assert wrong.status_code == 401 and "That password or code isn't right. Try again." in page_text(wrong)
    ok = person.post(r.headers["Location"], {"secret": PASSWORD})
    assert ok.headers["Location"] == "/agent/preferences/security/setup/1?new=1"
    assert client.get(ok.headers["Location"]).status_code == 200


def test_a_post_without_proof_changes_nothing(person, client, app, stale_session):
    with app.app_context():
        first = db.session.scalar(db.select(Authenticator))
        other = Authenticator(user_id=first.user_id, method="totp", name="Tablet", secret_enc=first.secret_enc,
                              created_at=person.clock.now(), confirmed_at=person.clock.now(), is_default=False)
        db.session.add(other)
        db.session.commit()
        other_id = other.id
    action = f"/agent/preferences/security/{other_id}/default"
    r = person.post_from("/agent/preferences/security", action, {})
    # Asked for the proof in place, the change kept: nothing is made until it is given.
    assert r.status_code == 401 and "Confirm it's you" in page_text(r)
    assert "Your change is kept and is made as soon as you confirm." in page_text(r)
    assert f'action="{action}"' in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Authenticator, other_id).is_default is False
        assert db.session.scalar(db.select(db.func.count()).select_from(SecurityEvent)
                                 .where(SecurityEvent.type == "2fa.default_changed")) == 0
    # A wrong proof changes nothing either; the right one makes the change that was asked for.
    r = client.post(action, data={"csrf_token": csrf_token(r), "secret": "not my password"})
    assert r.status_code == 401 and "That password or code isn't right." in page_text(r)
    r = client.post(action, data={"csrf_token": csrf_token(r), "secret": PASSWORD})
    assert r.headers["Location"] == "/agent/preferences/security"
    with app.app_context():
        assert db.session.get(Authenticator, other_id).is_default is True


def test_a_current_code_is_proof_but_a_used_one_is_not(person, client, stale_session):
    secret = stale_session
    r = client.get("/agent/preferences/security/setup/1?new=1")
    code = person.code(secret)
    assert person.post(r.headers["Location"], {"secret": f"{code[:3]} {code[3:]}"}).status_code == 302
    with client.session_transaction() as session:  # the proof has gone stale within the same 30 s
        session["fresh_at"] = 0
    replay = person.post(r.headers["Location"], {"secret": code})
    assert replay.status_code == 401 and "already been used" in page_text(replay)
    wrong = person.post(r.headers["Location"], {"secret": wrong_code(person, secret)})
    assert wrong.status_code == 401 and "That password or code isn't right. Try again." in page_text(wrong)


def test_proof_lasts_ten_minutes(person, client):
    secret, _ = enrolled_agent(person)
    signed_in_agent(person, secret)  # signing in with a second factor is a proof
    person.clock.advance(9 * 60)
    assert client.get("/agent/preferences/security/setup/1").status_code == 200
    person.clock.advance(61 + 1)
    assert client.get("/agent/preferences/security/setup/1").status_code == 302


@pytest.mark.parametrize("hostile", ["//evil.com", "https://evil.com", "/\\evil.com", "javascript:alert(1)",
                                     "%2F%2Fevil.com", "/%2F%2Fevil.com", "/%5Cevil.com", "\t//evil.com"])
def test_proof_page_never_sends_anyone_off_site(person, client, stale_session, hostile):
    page = client.get(PROOF, query_string={"next": hostile})
    r = client.post(PROOF, query_string={"next": hostile}, data={"csrf_token": csrf_token(page), "secret": PASSWORD})
    assert r.status_code == 302 and r.headers["Location"] == "/agent/preferences/security"


def test_help_center_uses_the_same_proof(person, client, app):
    person.create(email="eve@example.com", role="end-user", name="Eve")
    person.login(email="eve@example.com", area="")
    person.clock.advance(11 * 60)
    page = client.get("/security/confirm", query_string={"next": "/profile/2fa"})
    assert page.status_code == 200 and "Confirm it's you" in page_text(page)
    r = client.post("/security/confirm", query_string={"next": "/profile/2fa"},
                    data={"csrf_token": csrf_token(page), "secret": "correct horse battery"})
    assert r.headers["Location"] == "/profile/2fa"
