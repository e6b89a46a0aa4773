"""Auth & SSO › "Require a security key or passkey for admins": an admin with only codes is led to register a key
before any admin page opens, with the grace date of "Require agents"; agents are not concerned."""
from datetime import datetime

from portal.extensions import db
from portal.settings import get_setting, set_setting
from tests.admin.conftest import Actor

from .authenticator import SoftKey
from .helpers import events, register_key, words

KEY_PAGE = "/admin/security-key"


def actor(app, clock, email, role="admin", name="Ada Admin"):
    person = Actor(app, clock, email, role, name)
    person.sign_in()
    return person


def require_keys(app, on=True, grace_until=None):
    with app.app_context():
        set_setting("require_admin_security_key", on)
        set_setting("grace_until", grace_until)
        db.session.commit()


def test_an_admin_with_a_key_turns_it_on_and_an_admin_with_codes_is_led_to_register_one(app, clock):
    ada = actor(app, clock, "ada@example.com")
    text = words(ada.get("/admin/auth"))
    assert "Require a security key or passkey for admins" in text

    refused = ada.submit("/admin/auth/admin-keys", {"require_admin_keys": "y"}, page="/admin/auth")
    assert refused.status_code == 303
    assert "Register your own security key or passkey first" in words(ada.get("/admin/auth"))
    assert register_key(ada.client, app, SoftKey()).status_code == 302
    saved = ada.submit("/admin/auth/admin-keys", {"require_admin_keys": "y"}, page="/admin/auth")
    assert saved.status_code == 303 and "Admins now need a security key or passkey." in words(ada.get("/admin/auth"))
    with app.app_context():
        assert get_setting("require_admin_security_key") is True
    assert events(app, "admin.policy_changed")[-1] == {"changes": ["require_admin_security_key on"]}
    assert ada.get("/admin/").status_code == 200  # she has a key

    bob = actor(app, clock, "bob@example.com", name="Bob Admin")
    for page in ("/admin/", "/admin/agents", "/admin/auth"):
        response = bob.get(page)
        assert response.status_code == 302 and response.headers["Location"].startswith(KEY_PAGE), page
    page = words(bob.get(KEY_PAGE))
    assert "Register a security key or passkey" in page and "Not now" not in page  # no grace period
    assert bob.submit(KEY_PAGE, {}).status_code == 303
    assert bob.get("/admin/").status_code == 302
    assert bob.get("/agent/").status_code == 200  # the agent console is not an admin page

    agent = actor(app, clock, "sam@example.com", role="agent", name="Sam Agent")
    assert agent.get("/agent/").status_code == 200 and agent.get(KEY_PAGE).status_code == 403

    assert register_key(bob.client, app, SoftKey()).status_code == 302
    assert bob.get("/admin/").status_code == 200


def test_during_the_grace_period_an_admin_may_say_not_now_for_this_session(app, clock):
    ada = actor(app, clock, "ada@example.com")
    require_keys(app, grace_until="2026-03-01T10:00:00")
    assert ada.get("/admin/").headers["Location"].startswith(KEY_PAGE)
    assert 'Until <time datetime="2026-03-01T10:00:00Z">1 Mar 2026, 10:00 UTC</time> you may do it later.' in words(ada.get(KEY_PAGE))
    assert ada.submit(KEY_PAGE, {}).status_code == 303
    assert ada.get("/admin/").status_code == 200
    assert events(app, "admin.security_key_postponed") == [{"deadline": "2026-03-01T10:00:00"}]

    again = Actor.__new__(Actor)  # Ada in another browser: asked again
    again.__dict__.update(ada.__dict__, client=app.test_client())
    clock.advance(30)  # the next code of her app
    again.sign_in()
    assert again.get("/admin/").headers["Location"].startswith(KEY_PAGE)

    clock.at = datetime(2026, 3, 1, 10, 0, 0)  # the grace period is over: "Not now" no longer holds
    assert ada.get("/admin/").headers["Location"].startswith(KEY_PAGE)
    assert "Not now" not in words(ada.get(KEY_PAGE))


def test_it_applies_only_while_security_keys_are_switched_on(app, clock):
    ada = actor(app, clock, "ada@example.com")
    require_keys(app)
    from portal.twofactor import registry
    with app.test_request_context():
        registry.set_active("webauthn", False)
        db.session.commit()
    assert ada.get("/admin/").status_code == 200  # nothing could be registered: not enforced
    ada.submit("/admin/auth/admin-keys", {}, page="/admin/auth")
    response = ada.submit("/admin/auth/admin-keys", {"require_admin_keys": "y"}, page="/admin/auth")
    assert response.status_code == 303
    assert "Switch on “Security keys & passkeys” first" in words(ada.get("/admin/auth"))
