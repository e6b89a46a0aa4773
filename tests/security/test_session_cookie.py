"""portal.session_cookie: the session cookie is Flask's own (same signature, same JSON), built with less work per
request. Flask's stock serializer reads the portal's cookies and the portal reads Flask's (compressed ones too);
a tampered or foreign-key cookie is refused; a key moved to SECRET_KEY_FALLBACKS still reads; the plain-JSON
shortcut writes exactly what the tagged serializer writes."""
import random
import string
from types import SimpleNamespace

import pytest
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature
from markupsafe import Markup

from portal.session_cookie import SessionJSON
from tests.security.helpers import enrolled_agent, signed_in_agent

SIGNED_IN = {"_user_id": "12:3", "_fresh": True, "_id": "ab" * 64, "area": "agent", "fresh_at": 1764650000.25}
LARGE = {"pending_login": "x" * 40, "note": "helpdesk " * 80}  # compresses: Flask's stock cookie is zlib'd


def stock(app):
    """Flask's own serializer for this app's keys."""
    return SecureCookieSessionInterface().get_signing_serializer(app)


def portal(app):
    return app.session_interface.get_signing_serializer(app)


def test_flask_reads_the_portals_cookie_and_the_portal_reads_flasks(app):
    with app.test_request_context():
        for value in (SIGNED_IN, LARGE, {"_flashes": [("error", "Wrong code.")]}, {}):
            assert stock(app).loads(portal(app).dumps(value)) == value
            assert portal(app).loads(stock(app).dumps(value)) == value
        assert stock(app).dumps(LARGE).startswith(".")  # compressed by Flask, and still read (above)
        assert not portal(app).dumps(LARGE).startswith(".")


def test_a_signed_in_session_survives_with_the_portals_cookie(person, client, app):
    signed_in_agent(person, enrolled_agent(person)[0])
    assert client.get("/agent/").status_code == 200
    cookie = client.get_cookie("session").value
    with app.test_request_context():
        assert stock(app).loads(cookie)["area"] == "agent"  # what Flask itself would read


def test_a_tampered_cookie_or_one_signed_with_another_key_is_refused(person, client, app):
    signed_in_agent(person, enrolled_agent(person)[0])
    cookie = client.get_cookie("session").value
    payload, rest = cookie.split(".", 1)
    tampered = ("A" if payload[0] != "A" else "B") + payload[1:] + "." + rest
    client.set_cookie("session", tampered)
    assert client.get("/agent/").status_code == 302  # to the sign-in page
    other = SimpleNamespace(secret_key="another key entirely", config={"SECRET_KEY_FALLBACKS": []})
    with app.test_request_context():
        forged = stock(other).dumps({**SIGNED_IN, "_user_id": "1:1"})
    client.set_cookie("session", forged)
    assert client.get("/agent/").status_code == 302


def test_a_key_moved_to_the_fallbacks_still_reads_and_the_new_key_signs(app):
    with app.test_request_context():
        old = portal(app).dumps(SIGNED_IN)
        app.config["SECRET_KEY_FALLBACKS"] = [app.secret_key]
        app.secret_key = app.config["SECRET_KEY"] = "the rotated key"
        assert portal(app).loads(old) == SIGNED_IN
        new = portal(app).dumps(SIGNED_IN)
        assert new != old and stock(app).loads(new) == SIGNED_IN
        app.config["SECRET_KEY_FALLBACKS"] = []
        assert portal(app).loads(new) == SIGNED_IN
        with pytest.raises(BadSignature):  # the retired key signs nothing any more
            portal(app).loads(old)


def test_the_plain_json_shortcut_writes_what_the_tagged_serializer_writes(app):
    tagged, plain = TaggedJSONSerializer(), SessionJSON()
    rng = random.Random(7)

    def scalar():
        return rng.choice([rng.randint(-10**12, 10**12), rng.random() * 1e6, True, False, None,
                           "".join(rng.choice(string.printable + "é€\u2028") for _ in range(rng.randint(0, 30)))])

    samples = [{"".join(rng.choice(string.ascii_letters + "_ ") for _ in range(rng.randint(1, 8))): scalar()
                for _ in range(rng.randint(0, 6))} for _ in range(300)]
    samples += [{" t": [1, 2]}, {" m": "<b>"}, {"_flashes": [("error", "x")]}, {"setup": {"extra": {"a": 1}}},
                {"text": Markup("<b>bold</b>")}, {"b": b"\x00bytes"}]
    with app.test_request_context():
        for value in samples:
            assert plain.dumps(value) == tagged.dumps(value), value
            assert plain.loads(tagged.dumps(value)) == tagged.loads(tagged.dumps(value)), value
        assert plain.loads(plain.dumps({"_flashes": [("error", "x")]})) == {"_flashes": [("error", "x")]}  # a tuple
        assert isinstance(plain.loads(plain.dumps({"text": Markup("<b>")}))["text"], Markup)
