"""Challenges: single use, bound to their purpose, 5 minutes; a tampered answer is refused."""
import base64
import json

from portal.extensions import db
from portal.models import WebAuthnChallenge
from portal.twofactor import webauthn_rp
from portal.twofactor.base import Outcome


def test_a_challenge_is_spent_once_for_its_purpose_within_five_minutes(app, clock):
    with app.test_request_context():
        first = webauthn_rp.issue("login:abc")
        assert webauthn_rp.claim("login:other", first) is Outcome.REPLAY  # another sign-in's: not found
        assert webauthn_rp.claim("login:abc", first) is Outcome.OK
        assert webauthn_rp.claim("login:abc", first) is Outcome.REPLAY  # spent
        second = webauthn_rp.issue("login:abc")
        replaced = webauthn_rp.issue("login:abc")  # one outstanding per purpose: the newer replaces it
        assert webauthn_rp.claim("login:abc", second) is Outcome.REPLAY
        clock.advance(300)
        assert webauthn_rp.claim("login:abc", replaced) is Outcome.EXPIRED
        webauthn_rp.issue("setup:x")  # old rows go when a new one is issued
        assert db.session.scalar(db.select(db.func.count()).select_from(WebAuthnChallenge)) == 1
        stored = db.session.scalar(db.select(WebAuthnChallenge.challenge_hash))
        assert len(stored) == 64 and base64.b16decode(stored.upper())  # a SHA-256, never the challenge


def test_a_tampered_answer_is_refused_and_counted_like_a_wrong_code(app, person, client):
    from portal.models import User

    from .authenticator import options_on
    from .test_second_factor import answer, at_challenge, signed_up_agent

    key = signed_up_agent(person, client, app)
    page = at_challenge(person, client)
    assertion = json.loads(key.get(options_on(page)))
    data = bytearray(base64.urlsafe_b64decode(assertion["response"]["authenticatorData"] + "=="))
    data[32] &= ~0x04  # the user-verification flag dropped after signing
    tampered = dict(assertion, response=dict(assertion["response"],
                                             authenticatorData=base64.urlsafe_b64encode(data).rstrip(b"=").decode()))
    response = answer(client, page, json.dumps(tampered))
    assert response.status_code == 401 and client.get("/agent/").status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(User.failure_count)) == 1
