"""Manage > Plugins with a real third-party plugin: tests/plugin_pkg ("Security PIN"), pip-installed the way any
outside package is and discovered through the `portal.twofactor` entry point group. Install it, activate it,
add an instance with its Config, and an agent sets it up and signs in with it."""
import json
import re
from importlib.metadata import entry_points

from portal import clock
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
    assert nat.get("/agent/").headers["Location"] == "/agent/login?next=/agent/?"  # signed out, to sign in again
    assert nat.login(nat.email, "correct horse battery").headers["Location"] == "/agent/login/setup"
    setup = page_text(nat.get("/agent/login/setup"))
    assert re.search(rf'<a href="/agent/login/setup\?instance={instance_id}">Desk PIN</a>', setup)
    url = f"/agent/login/setup?instance={instance_id}"
    r = nat.submit(url, {"name": "Desk PIN", "code": "4829137"})  # 7 digits: this instance wants 8
    assert r.status_code == 400 and "Choose a PIN of 6 to 12 digits" in page_text(r)
    r = nat.submit(url, {"name": "Desk PIN", "code": "48291375", "code_again": "48291375"})  # a PIN is typed twice
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
        assert db.session.scalar(db.select(db.func.count()).select_from(PluginInstance)
                                 .where(PluginInstance.plugin_key == "totp")) == 2


# --- Delete an instance, uninstall a plugin (issue 19) ----------------------------------------------------------

def pin_plugin_with_instances(app, admin, *names) -> list[int]:
    """Install Security PIN the way an admin does, activate it and add these instances; returns their ids."""
    assert admin.submit("/admin/plugins/pin/install", {}, page="/admin/plugins/add").status_code == 303
    assert admin.submit("/admin/plugins/pin", {"status": "active"}).status_code == 303
    for name in names:
        r = admin.submit("/admin/plugins/pin/instances/new", {"name": name, "status": "active",
                                                               "config_min_length": "6"})
        assert r.status_code == 303
    with app.app_context():
        return list(db.session.scalars(db.select(PluginInstance.id).where(PluginInstance.plugin_key == "pin")
                                       .order_by(PluginInstance.id)))


def give_pin(app, user_id, instance_id, name, default=False) -> None:
    """A confirmed Security PIN made with this instance (as if the person had set it up)."""
    with app.app_context():
        now = clock.now()
        if default:
            for other in db.session.scalars(db.select(Authenticator).where(Authenticator.user_id == user_id)):
                other.is_default = False
        db.session.add(Authenticator(user_id=user_id, method="pin", instance_id=instance_id, name=name,
                                     secret_enc="not a real PIN hash", is_default=default, created_at=now,
                                     confirmed_at=now))
        db.session.commit()


def authenticators_of(app, user_id) -> list[tuple[str, bool]]:
    with app.app_context():
        return [(a.name, a.is_default) for a in db.session.scalars(
            db.select(Authenticator).where(Authenticator.user_id == user_id).order_by(Authenticator.id))]


def instance_ids(app, key) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(db.select(PluginInstance.id).where(PluginInstance.plugin_key == key)))


def test_delete_an_instance_after_being_told_who_uses_it(app, admin, actor, smtp_sink):
    desk, spare = pin_plugin_with_instances(app, admin, "Desk PIN", "Spare PIN")
    nat = actor("nat@example.com", name="Nat New", with_app=True)  # Work phone, then Desk PIN as the default
    give_pin(app, nat.id, desk, "Desk PIN", default=True)
    sam = actor("sam@example.com", name="Sam Solo")  # Desk PIN only
    give_pin(app, sam.id, desk, "My PIN", default=True)
    eve = actor("eve@example.com", role="end-user", name="Eve Customer")  # the other instance
    give_pin(app, eve.id, spare, "Spare PIN", default=True)

    instance_page = words(admin.get(f"/admin/plugins/pin/instances/{desk}"))
    assert "Delete instance Removes every authenticator people made with this instance." in instance_page
    assert f'href="/admin/plugins/pin/instances/{desk}/delete"' in page_text(admin.get(
        f"/admin/plugins/pin/instances/{desk}"))
    assert (f'<a href="/admin/plugins/pin/instances/{desk}/delete">Delete<span class="visually-hidden"> instance '
            f'“Desk PIN”</span></a>') in page_text(admin.get("/admin/plugins/pin/instances"))
    page = words(admin.get(f"/admin/plugins/pin/instances/{desk}/delete"))
    assert "Delete instance “Desk PIN”" in page
    assert "2 people have an authenticator made with this instance (2 authenticators in all)." in page
    assert ("Those authenticators are removed and each owner is told by email. Where one was someone's default "
            "sign-in method, another of theirs becomes the default.") in page
    assert ("1 of them has no other sign-in method. Anyone left without one is asked to set up 2FA again at their "
            "next sign-in if 2FA is required for them.") in page
    assert "Yes, I understand Delete instance" in page and "This includes your own" not in page

    r = admin.submit(f"/admin/plugins/pin/instances/{desk}/delete", {})  # the box not ticked
    assert r.status_code == 400 and "Tick “Yes, I understand” to delete this instance." in page_text(r)
    assert instance_ids(app, "pin") == [desk, spare] and authenticators_of(app, sam.id) == [("My PIN", True)]
    assert smtp_sink.messages == []

    r = admin.submit(f"/admin/plugins/pin/instances/{desk}/delete", {"confirm": "y"})
    assert r.status_code == 303 and r.headers["Location"] == "/admin/plugins/pin/instances"
    assert flashes(admin.get(r.headers["Location"])) == [
        "Instance “Desk PIN” deleted. 2 authenticators made with it were removed and their 2 owners were told by "
        "email."]
    assert instance_ids(app, "pin") == [spare] and instance_ids(app, "totp") == [1]
    assert authenticators_of(app, nat.id) == [("Work phone", True)]  # the default passed to what is left
    assert authenticators_of(app, sam.id) == []
    assert authenticators_of(app, eve.id) == [("Spare PIN", True)]  # another instance: untouched
    assert authenticators_of(app, admin.id) == [("Work phone", True)]

    logged = events(app, "admin.plugin_changed")[-1]
    assert logged.actor_id == admin.id and json.loads(logged.detail) == {
        "plugin": "pin", "instance": desk, "name": "Desk PIN", "change": "instance deleted",
        "authenticators_removed": 2, "people": 2}
    removed = [(e.user_id, e.actor_id, json.loads(e.detail)) for e in events(app, "2fa.removed")]
    assert sorted(removed) == [(nat.id, admin.id, {"name": "Desk PIN", "reason": "instance deleted"}),
                               (sam.id, admin.id, {"name": "My PIN", "reason": "instance deleted"})]
    for person, name in ((nat, "Desk PIN"), (sam, "My PIN")):
        (mail,) = smtp_sink.to(person.email)
        assert "A sign-in method was removed from your account" in mail["Subject"]
        assert f"Ada Admin, an administrator, removed “{name}” from your account" in smtp_sink.text(mail)
    assert smtp_sink.to(eve.email) == [] and smtp_sink.to(admin.email) == []

    sam.sign_in()  # 2FA isn't required for Sam: no second step any more
    assert sam.get("/agent/").status_code == 200
    assert admin.get(f"/admin/plugins/pin/instances/{desk}/delete").status_code == 404  # gone


def test_someone_left_without_a_method_sets_up_2fa_again_when_it_is_required(app, admin, actor):
    (desk,) = pin_plugin_with_instances(app, admin, "Desk PIN")
    sam = actor("sam@example.com", name="Sam Solo")
    give_pin(app, sam.id, desk, "My PIN", default=True)
    with app.app_context():
        set_setting("require_agents_2fa", True)
        db.session.commit()
    r = admin.submit(f"/admin/plugins/pin/instances/{desk}/delete", {"confirm": "y"})
    assert r.status_code == 303
    r = sam.login(sam.email, PASSWORD)
    assert r.headers["Location"] == "/agent/login/setup"


def test_uninstall_removes_its_instances_and_authenticators_and_offers_it_again(app, admin, actor, smtp_sink):
    desk, spare = pin_plugin_with_instances(app, admin, "Desk PIN", "Spare PIN")
    nat = actor("nat@example.com", name="Nat New", with_app=True)
    give_pin(app, nat.id, desk, "Desk PIN")
    give_pin(app, nat.id, spare, "Spare PIN", default=True)
    sam = actor("sam@example.com", name="Sam Solo")
    give_pin(app, sam.id, spare, "My PIN", default=True)
    give_pin(app, admin.id, spare, "Ada's PIN")

    listed = page_text(admin.get("/admin/plugins"))
    assert '<a href="/admin/plugins/pin/uninstall">Uninstall<span class="visually-hidden"> Security PIN</span></a>' \
        in listed and "/admin/plugins/totp/uninstall" not in listed
    plugin_page = page_text(admin.get("/admin/plugins/pin"))
    assert '<a class="button button-danger" href="/admin/plugins/pin/uninstall">Uninstall Security PIN</a>' \
        in plugin_page
    page = words(admin.get("/admin/plugins/pin/uninstall"))
    assert "Uninstall Security PIN" in page
    assert ("Security PIN has 2 instances (Desk PIN, Spare PIN). 3 people have an authenticator made with it "
            "(4 authenticators in all).") in page
    assert "It is switched off and its instances are deleted: nobody can set it up any more." in page
    assert "1 of them has no other sign-in method." in page  # Sam; Nat and Ada keep their apps
    assert "This includes your own: “Ada's PIN”." in page
    assert ("Its Python package (portal-pin-plugin 1.0.0) stays installed on the server, so Security PIN is listed "
            "under Add New Plugin and can be installed again, with no instances.") in page

    r = admin.submit("/admin/plugins/pin/uninstall", {})
    assert r.status_code == 400 and "Tick “Yes, I understand” to uninstall Security PIN." in page_text(r)
    assert instance_ids(app, "pin") == [desk, spare]

    r = admin.submit("/admin/plugins/pin/uninstall", {"confirm": "y"})
    assert r.status_code == 303 and r.headers["Location"] == "/admin/plugins"
    listed = admin.get(r.headers["Location"])
    assert flashes(listed) == [
        "Security PIN is uninstalled: 2 instances deleted, 4 authenticators removed and their 3 owners were told by "
        "email. Its Python package is still installed, so it is listed under Add New Plugin."]
    assert "Security PIN" not in words(listed).split("uninstalled")[1]
    with app.app_context():
        row = db.session.get(Plugin, "pin")
        assert (row.installed, row.active) == (False, False)
        assert db.session.scalar(db.select(db.func.count()).select_from(Authenticator)
                                 .where(Authenticator.method == "pin")) == 0
    assert instance_ids(app, "pin") == [] and instance_ids(app, "totp") == [1] and instance_ids(app, "email") == [2]
    assert authenticators_of(app, nat.id) == [("Work phone", True)]
    assert authenticators_of(app, sam.id) == [] and authenticators_of(app, admin.id) == [("Work phone", True)]
    logged = events(app, "admin.plugin_changed")[-1]
    assert logged.actor_id == admin.id and json.loads(logged.detail) == {
        "plugin": "pin", "status": "uninstalled", "instances_deleted": 2, "authenticators_removed": 4, "people": 3}
    assert len(events(app, "2fa.removed")) == 4
    (mail,) = smtp_sink.to(nat.email)  # one email for both of Nat's PINs
    assert "Ada Admin, an administrator, removed “Desk PIN”, “Spare PIN” from your account" in smtp_sink.text(mail)
    assert len(smtp_sink.to(sam.email)) == 1 and len(smtp_sink.to(admin.email)) == 1

    assert admin.get("/admin/plugins/pin").status_code == 404
    assert admin.get("/admin/plugins/pin/uninstall").status_code == 404
    assert "Security PIN A PIN of 6 to 12 digits" in words(admin.get("/admin/plugins/add"))
    nat.sign_in()
    assert "Desk PIN" not in page_text(nat.get("/agent/preferences/security"))

    assert admin.submit("/admin/plugins/pin/install", {}, page="/admin/plugins/add").status_code == 303
    with app.app_context():
        assert db.session.get(Plugin, "pin").installed and not db.session.get(Plugin, "pin").active
    assert instance_ids(app, "pin") == []
    assert "Instances 0 (0 active)" in words(admin.get("/admin/plugins/pin"))


def test_built_in_plugins_cant_be_uninstalled(app, admin):
    for key, label in (("totp", "Authenticator app"), ("email", "Email"), ("webauthn", "Security key or passkey")):
        reason = (f"{label} is built into the portal, so it can't be uninstalled. To stop people setting it up, "
                  f"set its Status to Disabled.")
        page = page_text(admin.get(f"/admin/plugins/{key}"))
        assert reason in page and f"/admin/plugins/{key}/uninstall" not in page
        r = admin.submit(f"/admin/plugins/{key}/uninstall", {"confirm": "y"})
        assert r.status_code == 409 and reason in page_text(r) and 'name="confirm"' not in page_text(r)
    with app.app_context():
        plugins = list(db.session.scalars(db.select(Plugin)))
        assert all(p.installed for p in plugins) and {p.key for p in plugins if p.active} == {"totp", "email"}
    assert instance_ids(app, "totp") == [1] and authenticators_of(app, admin.id) == [("Work phone", True)]
    assert events(app, "admin.plugin_changed") == []


def test_refused_while_2fa_is_required_and_nothing_else_could_be_set_up(app, admin, smtp_sink):
    with app.app_context():
        set_setting("require_agents_2fa", True)
        db.session.commit()
    assert admin.submit("/admin/plugins/email", {"status": "disabled"}).status_code == 303
    refusal = ("This instance can't be deleted now: it is the last one anyone can set up, and 2FA is required for "
               "some people. Add or activate another instance first.")
    page = page_text(admin.get("/admin/plugins/totp/instances/1/delete"))
    assert refusal in page and 'name="confirm"' not in page  # said before the admin confirms
    r = admin.submit("/admin/plugins/totp/instances/1/delete", {"confirm": "y"}, page="/admin/plugins/totp")
    assert r.status_code == 409 and refusal in page_text(r)
    assert instance_ids(app, "totp") == [1] and authenticators_of(app, admin.id) == [("Work phone", True)]

    (desk,) = pin_plugin_with_instances(app, admin, "Desk PIN")
    assert admin.submit("/admin/plugins/totp", {"status": "disabled", "confirm": "y"}).status_code == 303
    uninstall = ("Security PIN can't be uninstalled now: it has the last instance anyone can set up, and 2FA is "
                 "required for some people. Switch on another method with an active instance first.")
    assert uninstall in page_text(admin.get("/admin/plugins/pin"))
    r = admin.submit("/admin/plugins/pin/uninstall", {"confirm": "y"}, page="/admin/plugins/pin")
    assert r.status_code == 409 and uninstall in page_text(r)
    r = admin.submit(f"/admin/plugins/pin/instances/{desk}/delete", {"confirm": "y"}, page="/admin/plugins/pin")
    assert r.status_code == 409 and refusal in page_text(r)
    with app.app_context():
        assert db.session.get(Plugin, "pin").installed and instance_ids(app, "pin") == [desk]
    assert [json.loads(e.detail).get("change") for e in events(app, "admin.plugin_changed")] == [
        None, None, None, "instance added", None]  # email off, install, on, instance, totp off: nothing since
    assert smtp_sink.messages == []

    with app.app_context():  # once 2FA isn't required, the same change goes through
        set_setting("require_agents_2fa", False)
        db.session.commit()
    assert admin.submit("/admin/plugins/pin/uninstall", {"confirm": "y"}).status_code == 303


def test_wrong_ids_forged_forms_and_other_people_change_nothing(app, admin, actor):
    (desk,) = pin_plugin_with_instances(app, admin, "Desk PIN")
    sam = actor("sam@example.com", name="Sam Solo")
    give_pin(app, sam.id, desk, "My PIN", default=True)
    no_instance = "There is no such instance of this plugin."
    for url in (f"/admin/plugins/totp/instances/{desk}/delete",  # Desk PIN isn't an Authenticator app instance
                "/admin/plugins/pin/instances/1/delete", "/admin/plugins/pin/instances/999/delete",
                "/admin/plugins/pin/instances/99999999999999999999999/delete"):
        r = admin.get(url)
        assert r.status_code == 404 and no_instance in page_text(r), url
        r = admin.submit(url, {"confirm": "y"}, page="/admin/plugins/pin")
        assert r.status_code == 404 and no_instance in page_text(r), url
    for url in ("/admin/plugins/pin/instances/x/delete", "/admin/plugins/pin/instances/-1/delete"):
        assert admin.get(url).status_code == 404
    for url in ("/admin/plugins/nothing/uninstall", "/admin/plugins/nothing/instances/1/delete"):
        r = admin.submit(url, {"confirm": "y"}, page="/admin/plugins")
        assert r.status_code == 404 and "There is no installed plugin with that name." in page_text(r)

    for token in (None, "forged"):
        data = {"confirm": "y"} if token is None else {"confirm": "y", "csrf_token": token}
        for url in (f"/admin/plugins/pin/instances/{desk}/delete", "/admin/plugins/pin/uninstall"):
            r = admin.client.post(url, data=data)
            assert r.status_code == 400 and "This form has expired or did not come from this site." in page_text(r)

    kim = actor("kim@example.com", name="Kim Agent")  # signed in, but not an admin
    kim.sign_in()
    assert kim.get(f"/admin/plugins/pin/instances/{desk}/delete").status_code == 403
    assert kim.submit("/admin/plugins/pin/uninstall", {"confirm": "y"}, page="/agent/").status_code == 403

    admin.clock.advance(app.config["FRESH_PROOF_SECONDS"] + 1)  # a stale sign-in proves itself again first
    r = admin.submit("/admin/plugins/pin/uninstall", {"confirm": "y"})
    assert r.status_code == 401 and "Confirm it's you" in page_text(r)

    with app.app_context():
        assert db.session.get(Plugin, "pin").installed
    assert instance_ids(app, "pin") == [desk] and authenticators_of(app, sam.id) == [("My PIN", True)]
    assert [json.loads(e.detail).get("change") for e in events(app, "admin.plugin_changed")] == [
        None, None, "instance added"]
