"""Starting SSO sign-ins (each keeps a row on the server) and answering callbacks spend the address's sign-in
budget, GETs included."""
from portal.clock import set_clock
from portal.extensions import db
from portal.models import SsoState
from tests.conftest import make_app
from tests.sso.conftest import add_provider


def test_sso_starts_and_callbacks_are_rate_limited(tmp_path, pg_schema, clock, oidc):
    app = make_app(tmp_path, pg_schema, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                   PORTAL_AUTH_RATE_LIMIT="3 per minute")
    set_clock(app, clock)
    try:
        provider_id = add_provider(app, oidc.issuer)
        client = app.test_client()
        starts = [client.get(f"/login/sso/{provider_id}", environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code
                  for _ in range(4)]
        assert starts == [302, 302, 302, 429]
        with app.app_context():
            assert db.session.scalar(db.select(db.func.count()).select_from(SsoState)) == 3
        callbacks = [client.get("/login/sso/callback?state=x", environ_base={"REMOTE_ADDR": "203.0.113.9"})
                     .status_code for _ in range(4)]
        assert callbacks == [400, 400, 400, 429]
        other = client.get(f"/login/sso/{provider_id}", environ_base={"REMOTE_ADDR": "203.0.113.10"})
        assert other.status_code == 302  # another address has its own budget
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
