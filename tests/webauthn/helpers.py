"""What the flow tests of security keys and passkeys share: the method's instance, and registering a key as a
person would (the setup page's options answered by the software key)."""
import json

from portal.extensions import db
from portal.models import PluginInstance, SecurityEvent

from .authenticator import SoftKey, options_on
from tests.conftest import csrf_token, page_text


def switch_on(app) -> None:
    """Auth & SSO's "Security keys & passkeys" switch, on (the built-in starts off)."""
    from portal.twofactor import registry
    with app.test_request_context():
        registry.set_active("webauthn", True)
        db.session.commit()


def instance_id(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(PluginInstance.id).where(PluginInstance.plugin_key == "webauthn"))


def setup_url(app, area="/agent") -> str:
    base = "/agent/preferences/security/setup" if area == "/agent" else "/profile/2fa/setup"
    return f"{base}/{instance_id(app)}"


def register_key(client, app, key: SoftKey, name="YubiKey", area="/agent", **create):
    """Open the setup page, let the key answer its options, send the response. Returns the POST's response."""
    url = setup_url(app, area)
    page = client.get(url + "?new=1")
    assert page.status_code == 200, page.status_code
    return client.post(url, data={"csrf_token": csrf_token(page), "name": name,
                                  "code": key.create(options_on(page), **create)})


def events(app, event_type: str) -> list[dict]:
    with app.app_context():
        rows = db.session.scalars(db.select(SecurityEvent).where(SecurityEvent.type == event_type)
                                  .order_by(SecurityEvent.id))
        return [json.loads(r.detail) if r.detail else {} for r in rows]


def words(response) -> str:
    """The page as a person reads it: entities decoded, every run of whitespace one space."""
    return " ".join(page_text(response).split())
