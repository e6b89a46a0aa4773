"""Only admins reach the admin pages: an agent or an end user gets 403 on every admin URL (GET and POST, with a
valid CSRF token so the refusal is the access rule's, not the token's), and nothing changes."""
import re

import pytest

from portal.extensions import db
from portal.models import SecurityEvent, Setting, User
from tests.admin.conftest import Actor
from tests.conftest import csrf_token, page_text


def admin_urls(app, agent_id):
    values = {"user_id": agent_id, "instance_id": 1, "key": "totp", "recovery_id": 1, "provider_id": 1}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/admin"):
            continue
        url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), rule.rule)
        for method in sorted(rule.methods & {"GET", "POST"}):
            yield method, url


def snapshot(app):
    with app.app_context():
        return (db.session.scalar(db.select(db.func.count()).select_from(Setting)),
                [(u.enforce_2fa, u.session_version, len(u.authenticators))
                 for u in db.session.scalars(db.select(User))],
                db.session.scalars(db.select(SecurityEvent.type).where(SecurityEvent.type.like("admin.%"))).all())


@pytest.mark.parametrize("role", ["agent", "end-user"])
def test_agents_and_end_users_get_403_on_every_admin_url(app, clock, role):
    target = Actor(app, clock, "target@example.com", "agent", "Tara Target")
    someone = Actor(app, clock, "someone@example.com", role, "Someone Else")
    someone.sign_in()
    token = csrf_token(someone.get("/agent/" if role == "agent" else "/"))
    before = snapshot(app)
    urls = list(admin_urls(app, target.id))
    assert len(urls) >= 20  # every page and action of the admin area
    for method, url in urls:
        if method == "GET":
            r = someone.client.get(url)
        else:
            r = someone.client.post(url, data={"csrf_token": token, "enforce": "y", "confirm": "y", "totp": "",
                                                "status": "disabled", "name": "X", "code": "123456"})
        assert r.status_code == 403, (method, url, r.status_code)
        assert "You don't have access to this page." in page_text(r)
    assert snapshot(app) == before


def test_signed_out_and_half_signed_in_are_sent_to_sign_in(app, clock, client):
    target = Actor(app, clock, "target@example.com", "agent", "Tara Target")
    for method, url in admin_urls(app, target.id):
        if method == "GET":
            r = client.get(url)
            assert r.status_code == 302 and r.headers["Location"].startswith("/agent/login"), url
    ada = Actor(app, clock, "ada@example.com", "admin", "Ada Admin")
    ada.login(ada.email, "correct horse battery")  # password only: the code is still pending
    for method, url in admin_urls(app, target.id):
        if method == "GET":
            r = ada.client.get(url)
            assert r.status_code == 302 and r.headers["Location"].startswith("/agent/login"), url


def test_unknown_ids_are_404_for_an_admin(admin, actor):
    eve = actor("eve@example.com", role="end-user", name="Eve Customer")
    sam = actor("sam@example.com")
    assert admin.get(f"/admin/agents/{eve.id}").status_code == 404  # an end user is not an agent
    assert admin.get(f"/admin/end-users/{sam.id}/reset").status_code == 404  # nor an agent an end user
    assert admin.get("/admin/agents/99999").status_code == 404
    assert admin.get("/admin/plugins/nope").status_code == 404
    assert admin.get("/admin/plugins/totp/instances/2").status_code == 404  # instance 2 belongs to email
    assert admin.get(f"/admin/agents/{sam.id}/setup/99").status_code == 404
    r = admin.submit(f"/admin/agents/{eve.id}/remove", {"confirm": "y"}, page="/admin/agents")
    assert r.status_code == 404
