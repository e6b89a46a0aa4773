"""Admin > Auth & SSO: each switch, what it does to sign-in, and the rule that nobody who must have 2FA is left
without a way to get it. Changes apply to people already signed in on their next request."""
import re

from portal.extensions import db
from portal.models import Plugin
from portal.settings import get_setting
from tests.admin.conftest import events, flashes
from tests.conftest import page_text

ON = "y"


def ticked(page: str, name: str) -> bool:
    return re.search(rf'<input[^>]*\bchecked\b[^>]*\bid="{name}"', page) is not None


def save(admin, **fields):
    """Submit Auth & SSO's form; fields not given keep today's value (checkboxes are sent only when ticked)."""
    page = page_text(admin.get("/admin/auth"))
    data = {name: ON for name in ("totp", "email", "require_agents", "require_end_users") if ticked(page, name)}
    data["grace_timezone"] = "UTC"
    for name, value in fields.items():
        if value is False:
            data.pop(name, None)
        else:
            data[name] = ON if value is True else value
    return admin.submit("/admin/auth", data)


def plugin_active(app, key):
    with app.app_context():
        return db.session.get(Plugin, key).active


def test_the_page_shows_the_plugins_status_one_source_of_truth(app, admin):
    page = page_text(admin.get("/admin/auth"))
    assert "Two-Factor Authentication › Manage" in page
    assert ticked(page, "totp") and ticked(page, "email")
    r = admin.submit("/admin/plugins/totp", {"status": "disabled"})  # Manage > Plugins > Status
    assert r.status_code == 409  # Ada's only method: the same rule as on Auth & SSO asks her to confirm
    assert "1 person has no sign-in method but TOTP Service (1 in all use it)." in page_text(r)
    assert plugin_active(app, "totp")
    r = admin.submit("/admin/plugins/totp", {"status": "disabled", "confirm": "y"})
    assert r.status_code == 303
    assert not ticked(page_text(admin.get("/admin/auth")), "totp")
    r = save(admin, totp=True)
    assert r.status_code == 303 and flashes(admin.get("/admin/auth")) == ["Saved: TOTP Service on."]
    assert plugin_active(app, "totp")
    assert '<option selected value="active">Active</option>' in page_text(admin.get("/admin/plugins/totp"))


def test_totp_off_stops_new_setups_says_how_many_use_it_and_keeps_their_sign_in(app, admin, actor):
    sam = actor("sam@example.com", with_app=True)
    nat = actor("nat@example.com", name="Nat New")
    nat.sign_in()

    r = save(admin, totp=False)  # Sam has nothing but the app: the admin is told and must confirm
    assert r.status_code == 409
    assert "2 people have no sign-in method but TOTP Service (2 in all use it)." in page_text(r)  # Sam and Ada
    assert plugin_active(app, "totp")
    r = save(admin, totp=False, confirm=True)
    assert r.status_code == 303
    assert flashes(admin.get("/admin/auth")) == [
        "Saved: TOTP Service off (nobody can set it up now; 2 people already use it)."]
    assert not plugin_active(app, "totp")
    assert events(app, "admin.policy_changed")[-1].actor_id == admin.id

    security = page_text(nat.get("/agent/preferences/security"))
    assert "Authenticator" not in security and "Email" in security
    assert nat.get("/agent/preferences/security/setup/1?new=1").status_code == 404
    sam.clock.advance(30)
    sam.sign_in()  # an app already set up still signs in
    assert sam.get("/agent/").status_code == 200


def test_email_2fa_off_removes_email_from_every_setup(app, admin, actor):
    nat = actor("nat@example.com", name="Nat New")
    nat.sign_in()
    assert "Email" in page_text(nat.get("/agent/preferences/security"))
    assert save(admin, email=False).status_code == 303
    assert not plugin_active(app, "email")
    assert "Email" not in page_text(nat.get("/agent/preferences/security"))
    assert nat.get("/agent/preferences/security/setup/2").status_code == 404


def test_switching_every_method_off_while_2fa_is_required_is_refused(app, admin):
    assert save(admin, require_agents=True).status_code == 303
    r = save(admin, totp=False, email=False, confirm=True)
    assert r.status_code == 400
    assert ("Keep at least one two-factor method on: 2FA is required for some people, and anyone who hasn't set "
            "it up yet would have no way to do it.") in page_text(r)
    assert plugin_active(app, "totp") and plugin_active(app, "email")
    r = admin.submit("/admin/plugins/email", {"status": "disabled"})
    assert r.status_code == 303
    r = admin.submit("/admin/plugins/totp", {"status": "disabled", "confirm": "y"})
    assert r.status_code == 400 and "Keep at least one two-factor method on" in page_text(r)
    assert plugin_active(app, "totp")


def test_require_agents_meets_signed_in_agents_on_their_next_request(app, admin, actor):
    nat = actor("nat@example.com", name="Nat New")
    eve = actor("eve@example.com", role="end-user", name="Eve Customer")
    nat.sign_in()
    eve.sign_in()
    assert nat.get("/agent/").status_code == 200
    assert save(admin, require_agents=True).status_code == 303
    with app.app_context():
        assert get_setting("require_agents_2fa") is True
    r = nat.get("/agent/preferences/security")
    # Signed out: the password, and only the password, leads on to the setup step.
    assert r.status_code == 302 and r.headers["Location"].startswith("/agent/login?next=")
    assert nat.get("/agent/login/setup").headers["Location"] == "/agent/login"  # a cookie alone sets up nothing
    assert nat.get("/agent/").status_code == 302  # no way around it
    assert eve.get("/").status_code == 200 and "Eve Customer" in page_text(eve.get("/"))  # end users: not yet

    r = nat.login(nat.email, "correct horse battery")
    assert r.headers["Location"] == "/agent/login/setup"
    setup = page_text(nat.get("/agent/login/setup"))
    assert "Set up two-factor authentication" in setup and "Skip for now" not in setup


def test_enforce_2fa_applies_to_that_agent_only(app, admin, actor):
    nat = actor("nat@example.com", name="Nat New")
    bob = actor("bob@example.com", name="Bob Other")
    nat.sign_in()
    bob.sign_in()
    r = admin.submit(f"/admin/agents/{nat.id}/enforce", {"enforce": "y"}, page=f"/admin/agents/{nat.id}")
    assert r.status_code == 303
    assert flashes(admin.get(f"/admin/agents/{nat.id}")) == [
        "Enforce 2FA is on for Nat New. They must set up 2FA on their next page or sign-in."]
    assert nat.get("/agent/").headers["Location"] == "/agent/login?next=/agent/?"  # signed out, to sign in again
    assert nat.login(nat.email, "correct horse battery").headers["Location"] == "/agent/login/setup"
    assert bob.get("/agent/").status_code == 200
    (event,) = events(app, "admin.enforce_changed")
    assert event.user_id == nat.id and event.actor_id == admin.id and '"enforced": true' in event.detail

    admin.submit(f"/admin/agents/{nat.id}/enforce", {}, page=f"/admin/agents/{nat.id}")
    r = nat.login(nat.email, "correct horse battery")
    assert r.headers["Location"] == "/agent/"


def test_require_end_users_sends_them_to_setup_right_after_the_password(app, admin, actor):
    eve = actor("eve@example.com", role="end-user", name="Eve Customer")
    assert save(admin, require_end_users=True).status_code == 303
    r = eve.login(eve.email, "correct horse battery", area="")
    assert r.headers["Location"] == "/login/setup"
    assert eve.get("/").status_code in (200, 302)
    assert eve.get("/profile/2fa").status_code == 302


def test_a_stale_proof_is_asked_for_again_and_nothing_typed_is_lost(app, admin, clock):
    clock.advance(11 * 60)  # the sign-in proof is older than FRESH_PROOF_SECONDS
    r = save(admin, require_agents=True)
    assert r.status_code == 401
    page = page_text(r)
    assert "Confirm it's you" in page and "Your change is kept" in page
    assert '<input type="hidden" name="require_agents" value="y">' in page
    with app.app_context():
        assert get_setting("require_agents_2fa") is False

    carried = {"require_agents": "y", "totp": "y", "email": "y", "grace_timezone": "UTC"}
    r = admin.submit("/admin/auth", {**carried, "secret": "not my password"}, page="/admin/auth")
    assert r.status_code == 401 and "That password or code isn't right. Try again." in page_text(r)
    with app.app_context():
        assert get_setting("require_agents_2fa") is False

    r = admin.submit("/admin/auth", {**carried, "secret": "correct horse battery"}, page="/admin/auth")
    assert r.status_code == 303
    with app.app_context():
        assert get_setting("require_agents_2fa") is True
    assert save(admin, require_end_users=True).status_code == 303  # fresh now: no second ask


def test_a_stale_proof_before_a_page_that_shows_a_secret(app, admin, actor, clock):
    nat = actor("nat@example.com", name="Nat New")
    clock.advance(11 * 60)
    r = admin.get(f"/admin/agents/{nat.id}/setup/1?new=1")
    assert r.status_code == 302
    assert r.headers["Location"] == f"/admin/confirm?next=/admin/agents/{nat.id}/setup/1?new%3D1"
    clock.advance(30)
    back = f"/admin/agents/{nat.id}/setup/1?new=1"
    r = admin.submit(r.headers["Location"], {"secret": admin.code(admin.secret), "next": back})
    assert r.status_code == 302 and r.headers["Location"] == back
    assert "Scan this QR code" in page_text(admin.get(r.headers["Location"]))
    r = admin.submit("/admin/confirm", {"secret": "correct horse battery", "next": "https://evil.example/"})
    assert r.headers["Location"] == "/admin/"  # never off-site


def test_admin_sets_how_long_sessions_last(app, admin, actor):
    page = page_text(admin.get("/admin/auth"))
    assert "Sessions" in page and 'value="120"' in admin.get("/admin/auth").get_data(as_text=True)
    form = {"staff_idle": "30", "staff_max": "8", "end_user_idle": "1440", "end_user_max": "720"}
    r = admin.submit("/admin/auth/sessions", {**form, "staff_idle": "2"}, page="/admin/auth")
    assert r.status_code == 400 and "Between 5 minutes and 7 days (10080)." in page_text(r)
    r = admin.submit("/admin/auth/sessions", {**form, "staff_max": "junk"}, page="/admin/auth")
    assert r.status_code == 400
    r = admin.submit("/admin/auth/sessions", form, page="/admin/auth")
    assert r.status_code == 303 and flashes(admin.get("/admin/auth")) == ["Session limits saved."]
    with app.app_context():
        assert (get_setting("session_idle_minutes_staff"), get_setting("session_max_hours_staff")) == (30, 8)
    (event,) = events(app, "admin.policy_changed")
    assert "session_idle_minutes_staff 30" in event.detail
    nat = actor("nat@example.com", name="Nat New")
    nat.sign_in()
    nat.clock.advance(31 * 60)
    assert nat.get("/agent/").status_code == 302  # idle past the new limit
