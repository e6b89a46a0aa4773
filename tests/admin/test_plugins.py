"""Manage > Plugins with a real third-party plugin: tests/plugin_pkg ("Security PIN"), pip-installed the way any
outside package is and discovered through the `portal.twofactor` entry point group. Install it, activate it,
add an instance with its Config, and an agent sets it up and signs in with it."""
import json
import re
from importlib.metadata import entry_points

from portal.extensions import db
from portal.models import Authenticator, Plugin, PluginInstance
from portal.settings import set_setting
from tests.admin.conftest import PASSWORD, events, flashes, words
from tests.conftest import page_text


def test_the_test_plugin_is_installed_as_a_python_package():
    (found,) = [ep for ep in entry_points(group="portal.twofactor") if ep.name == "pin"]
    assert found.value == "portal_pin_plugin:PinMethod" and found.dist.name == "portal-pin-plugin", \
        "install it with scripts/venv.sh '[dev]' (pip install ./tests/plugin_pkg)"


def test_install_activate_add_an_instance_and_an_agent_signs_in_with_it(app, admin, actor):
    listed = words(admin.get("/admin/plugins"))
    assert "Authenticator app" in listed and "Email" in listed and "Security PIN" not in listed
    offered = words(admin.get("/admin/plugins/add"))
    assert "Security PIN A PIN of 6 to 12 digits that you choose, asked for after your password. " \
           "portal-pin-plugin 1.0.0 Install" in offered

    r = admin.submit("/admin/plugins/pin/install", {}, page="/admin/plugins/add")
    assert r.status_code == 303 and r.headers["Location"] == "/admin/plugins/pin"
    assert flashes(admin.get("/admin/plugins/pin")) == [
        "Security PIN is installed. To enable it, set Status to Active and Save Changes."]
    with app.app_context():
        row = db.session.get(Plugin, "pin")
        assert row.installed and not row.active
    assert "Security PIN" in words(admin.get("/admin/plugins")) and "Disabled" in words(admin.get("/admin/plugins"))

    form = page_text(admin.get("/admin/plugins/pin/instances/new"))
    assert "Config" in form and "Shortest PIN allowed" in form and "A number of digits from 6 to 12." in form
    r = admin.submit("/admin/plugins/pin/instances/new",
                     {"name": "Desk PIN", "status": "active", "config_min_length": "8"})
    assert r.status_code == 303 and r.headers["Location"] == "/admin/plugins/pin/instances"
    assert flashes(admin.get(r.headers["Location"])) == ["Instance “Desk PIN” saved (Active)."]
    with app.app_context():
        instance = db.session.scalar(db.select(PluginInstance).where(PluginInstance.plugin_key == "pin"))
        assert json.loads(instance.config) == {"min_length": "8"}
        instance_id = instance.id

    nat = actor("nat@example.com", name="Nat New")
    nat.sign_in()
    assert "Desk PIN" not in page_text(nat.get("/agent/preferences/security"))  # the plugin is still Disabled
    r = admin.submit("/admin/plugins/pin", {"status": "active"})
    assert r.status_code == 303 and flashes(admin.get("/admin/plugins/pin")) == ["Saved: Security PIN on."]
    assert "Desk PIN" in page_text(nat.get("/agent/preferences/security"))  # Preferences > Security lists it
    assert [e.detail for e in events(app, "admin.plugin_changed")][-1] == '{"plugin": "pin", "status": "active"}'

    admin.submit(f"/admin/agents/{nat.id}/enforce", {"enforce": "y"}, page=f"/admin/agents/{nat.id}")
    assert nat.get("/agent/").headers["Location"] == "/agent/login/setup"
    setup = page_text(nat.get("/agent/login/setup"))
    assert re.search(rf'<a href="/agent/login/setup\?instance={instance_id}">Desk PIN</a>', setup)
    url = f"/agent/login/setup?instance={instance_id}"
    r = nat.submit(url, {"name": "Desk PIN", "code": "4829137"})  # 7 digits: this instance wants 8
    assert r.status_code == 400 and "Choose a PIN of 6 to 12 digits" in page_text(r)
    r = nat.submit(url, {"name": "Desk PIN", "code": "48291375"})
    assert r.status_code == 302 and r.headers["Location"].startswith("/agent/")  # signed in (recovery codes next)
    assert "/login" not in r.headers["Location"]
    with app.app_context():
        (pin,) = db.session.scalars(db.select(Authenticator).where(Authenticator.user_id == nat.id)).all()
        assert pin.method == "pin" and "48291375" not in pin.secret_enc

    nat.client.post("/agent/logout", data={"csrf_token": re.search(
        r'name="csrf_token" value="([^"]+)"', page_text(nat.get("/agent/"))).group(1)})
    r = nat.login(nat.email, PASSWORD)
    assert r.headers["Location"] == "/agent/login/verify"
    assert "Enter your security PIN" in page_text(nat.get("/agent/login/verify"))
    assert nat.post("/agent/login/verify", {"code": "11111111"}).status_code == 401
    r = nat.post("/agent/login/verify", {"code": "48291375"})
    assert r.status_code == 302 and r.headers["Location"] == "/agent/"
    assert nat.get("/agent/").status_code == 200


def test_instances_can_be_renamed_but_the_last_one_anyone_can_set_up_stays_while_2fa_is_required(app, admin):
    r = admin.submit("/admin/plugins/totp/instances/1", {"name": "Authenticator app", "status": "active",
                                                         "config_issuer": "Acme Helpdesk"})
    assert r.status_code == 303
    with app.app_context():
        instance = db.session.get(PluginInstance, 1)
        assert instance.name == "Authenticator app" and json.loads(instance.config) == {"issuer": "Acme Helpdesk"}
        set_setting("require_agents_2fa", True)
        db.session.commit()
    assert admin.submit("/admin/plugins/email", {"status": "disabled"}).status_code == 303
    r = admin.submit("/admin/plugins/totp/instances/1", {"name": "Authenticator app", "status": "disabled"})
    assert r.status_code == 400
    assert ("This is the last instance anyone can set up, and 2FA is required for some people. Add or activate "
            "another instance first.") in page_text(r)
    with app.app_context():
        assert db.session.get(PluginInstance, 1).status == "active"


def test_bad_instance_input_is_refused_with_a_message(app, admin):
    r = admin.submit("/admin/plugins/totp/instances/new", {"name": "", "status": "active"})
    assert r.status_code == 400 and "Give this instance a name." in page_text(r)
    r = admin.submit("/admin/plugins/totp/instances/new", {"name": "x" * 81, "status": "active"})
    assert r.status_code == 400 and "Names can be at most 80 characters." in page_text(r)
    r = admin.submit("/admin/plugins/totp/instances/new", {"name": "Other", "status": "sideways"})
    assert r.status_code == 400 and "Not a valid choice." in page_text(r)
    r = admin.submit("/admin/plugins/totp/instances/new", {"name": "<b>Bold</b>", "status": "active"})
    assert r.status_code == 303
    assert "&lt;b&gt;Bold&lt;/b&gt;" in admin.get("/admin/plugins/totp/instances").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(PluginInstance)) == 3
