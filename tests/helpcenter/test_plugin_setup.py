"""A third-party method (the example "Security PIN" plugin, pip-installed from tests/plugin_pkg) in the help
center: offered in Your 2FA as soon as an admin activates it, set up with the plugin's own words and input (a PIN,
masked, typed twice), listed by its type, and asked for at the next sign-in."""
import re

import pytest

from portal.extensions import db
from portal.models import Authenticator
from portal.twofactor import registry
from tests.conftest import csrf_token, page_text

PIN = "48291375"


@pytest.fixture
def pin_instance(app):
    with app.test_request_context():
        registry.install("pin")
        registry.set_active("pin", True)
        instance = registry.save_instance(None, "pin", "Desk PIN", "active", {"min_length": "8"})
        db.session.commit()
        return instance.id


def test_an_active_plugin_is_offered_and_set_up_in_your_2fa(registered, client, app, pin_instance):
    listing = client.get("/profile/2fa")
    assert "Set up a security PIN" in page_text(listing)
    link = f'href="/profile/2fa/setup/{pin_instance}?new=1"'
    assert link in listing.get_data(as_text=True)

    page = client.get(f"/profile/2fa/setup/{pin_instance}?new=1")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and re.search(r"<h1>\s*Set up a security PIN\s*</h1>", html)
    assert "Choose a PIN that only you know." in html and "6 to 12 digits, no letters." in html
    assert html.count('type="password"') == 2  # masked, and typed twice
    assert "Submit Code and Create" in html  # the help center's own words around the plugin's step

    form = {"csrf_token": csrf_token(page), "name": "My PIN"}
    r = client.post(f"/profile/2fa/setup/{pin_instance}", data={**form, "code": "4829137", "code_again": "4829137"})
    assert r.status_code == 400 and "Choose a PIN of 6 to 12 digits" in page_text(r)  # this instance wants 8
    r = client.post(f"/profile/2fa/setup/{pin_instance}", data={**form, "code": PIN, "code_again": "48291376"})
    assert r.status_code == 400 and "The two entries don't match." in page_text(r)
    assert registered.authenticators() == []
    r = client.post(f"/profile/2fa/setup/{pin_instance}", data={**form, "code": PIN, "code_again": PIN})
    registered.after_setup(r)
    assert registered.authenticators() == [("My PIN", "pin")]
    with app.app_context():
        row = db.session.scalar(db.select(Authenticator))
        assert row.instance_id == pin_instance and PIN not in (row.secret_enc or "")
    listing = page_text(client.get("/profile/2fa"))
    assert "My PIN" in listing and "Security PIN" in listing

    # The next sign-in asks for the PIN, masked, with the plugin's prompt.
    registered.sign_out()
    assert registered.sign_in().headers["Location"] == "/login/verify"
    challenge = client.get("/login/verify")
    assert "Enter your security PIN" in page_text(challenge) and 'type="password"' in page_text(challenge)
    r = registered.post("/login/verify", {"code": "11112222"})
    assert r.status_code == 401
    r = registered.post("/login/verify", {"code": PIN})
    assert r.status_code == 302 and r.headers["Location"] == "/"


def test_a_switched_off_plugin_is_not_offered(registered, client, app, pin_instance):
    with app.test_request_context():
        registry.set_active("pin", False)
        db.session.commit()
    assert "Set up a security PIN" not in page_text(client.get("/profile/2fa"))
    r = client.get(f"/profile/2fa/setup/{pin_instance}")
    assert r.status_code == 404 and "That sign-in method is not available." in page_text(r)
