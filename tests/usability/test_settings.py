"""Issue 22, Admin › Settings: remembered-device days, session limits (the same flow as Auth & SSO › Sessions),
portal name, time zone and mail sender name, without a deploy."""
from portal.extensions import db
from portal.models import SecurityEvent
from portal.settings import get_setting
from tests.admin.conftest import flashes, words
from tests.conftest import page_text

FORM = {"portal_name": "Acme Support", "mail_sender_name": "Acme Security", "timezone": "Europe/Berlin",
        "remember_device_days": "14"}


def test_an_admin_changes_the_settings_and_mail_goes_out_under_the_new_names(app, admin, actor, smtp_sink):
    page = admin.get("/admin/settings")
    assert page.status_code == 200 and "Settings" in words(page) and "Save session limits" in words(page)
    r = admin.submit("/admin/settings", {**FORM, "remember_device_days": "999"})
    assert r.status_code == 400 and "Between 0 (off) and 365 days." in page_text(r)
    r = admin.submit("/admin/settings", {**FORM, "timezone": "Mars/Olympus"})
    assert r.status_code == 400
    r = admin.submit("/admin/settings", FORM)
    assert r.status_code == 303 and flashes(admin.get("/admin/settings")) == [
        "Saved: Portal name: Acme Support; Mail sender name: Acme Security; Time zone: Europe/Berlin; "
        "Remembered-device days: 14."]
    with app.app_context():
        assert (get_setting("portal_name"), get_setting("remember_device_days")) == ("Acme Support", 14)
        assert db.session.scalar(db.select(db.func.count()).select_from(SecurityEvent)
                                 .where(SecurityEvent.type == "admin.policy_changed")) == 1
    limits = {"staff_idle": "30", "staff_max": "8", "end_user_idle": "60", "end_user_max": "24", "from": "settings"}
    r = admin.submit("/admin/auth/sessions", {**limits, "staff_idle": "1"}, page="/admin/settings")
    assert r.status_code == 400 and "Save settings" in page_text(r)  # back on the Settings page, with the error
    r = admin.submit("/admin/auth/sessions", limits, page="/admin/settings")
    assert r.status_code == 303 and r.headers["Location"] == "/admin/settings"
    with app.app_context():
        assert get_setting("session_idle_minutes_staff") == 30

    nat = actor("nat@example.com", name="Nat New")
    admin.submit(f"/admin/agents/{nat.id}/enforce", {"enforce": "y"}, page=f"/admin/agents/{nat.id}")
    admin.submit(f"/admin/agents/{nat.id}/grace", {"until": "2026-03-10T18:00", "reason": "Travelling"},
                 page=f"/admin/agents/{nat.id}")
    mail = smtp_sink.latest("nat@example.com")
    assert mail["From"].startswith("Acme Security <") and mail["Subject"].startswith("[Acme Support]")
