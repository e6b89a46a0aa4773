"""A third-party method (the test plugin package) set up from Preferences > Security, not only at sign-in."""
from portal.extensions import db
from portal.models import Authenticator
from portal.twofactor import registry
from tests.conftest import csrf_token, page_text


def test_agent_sets_up_a_plugin_method_in_preferences(app, person, client):
    with app.test_request_context():
        registry.install("pin")
        registry.set_active("pin", True)
        instance = registry.save_instance(None, "pin", "Desk PIN", "active", {"min_length": "8"})
        db.session.commit()
        instance_id = instance.id
    person.create()
    person.login()  # signing in is fresh proof for the next few minutes
    page = client.get(f"/agent/preferences/security/setup/{instance_id}")
    assert page.status_code == 200
    assert f'action="/agent/preferences/security/setup/{instance_id}"' in page.get_data(as_text=True)
    r = client.post(f"/agent/preferences/security/setup/{instance_id}",
                    data={"csrf_token": csrf_token(page), "name": "Desk PIN", "code": "1234"})
    assert r.status_code == 400 and "Choose a PIN of 6 to 12 digits" in page_text(r)
    assert "6 to 12 digits, no letters." in page_text(page)  # the rules come before the first mistake
    assert 'type="password"' in page.get_data(as_text=True)  # a PIN is masked
    r = client.post(f"/agent/preferences/security/setup/{instance_id}",
                    data={"csrf_token": csrf_token(page), "name": "Desk PIN", "code": "48291375", "code_again": "48291376"})
    assert r.status_code == 400 and "The two entries don't match." in page_text(r)
    r = client.post(f"/agent/preferences/security/setup/{instance_id}",
                    data={"csrf_token": csrf_token(page), "name": "Desk PIN", "code": "48291375", "code_again": "48291375"})
    assert r.status_code == 302 and "/login" not in r.headers["Location"]
    with app.app_context():
        (pin,) = db.session.scalars(db.select(Authenticator)).all()
        assert (pin.method, pin.name, pin.instance_id) == ("pin", "Desk PIN", instance_id)
