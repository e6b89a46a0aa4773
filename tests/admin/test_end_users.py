"""Admin > End users: the help center's people, searchable and paginated; Reset 2FA does what an agent's removal
does (log, notice, sessions and remembered devices revoked, no new grace period); Unlock lifts a lock."""
from datetime import timedelta

from portal.extensions import db
from portal.models import RememberedDevice, User
from portal.settings import set_setting
from tests.admin.conftest import PASSWORD, add_account, events, flashes, words
from tests.conftest import page_text


def test_the_list_is_searchable_and_paginated(app, admin, actor):
    for i in range(52):
        add_account(app, f"customer{i:02d}@example.com", "end-user", f"Customer {i:02d}")
    actor("eve@example.com", role="end-user", name="Eve Customer", with_app=True)
    first = page_text(admin.get("/admin/end-users"))
    assert "customer00@example.com" in first and "customer49@example.com" in first
    assert "ada@example.com" not in first  # agents are not end users
    assert 'href="/admin/end-users?after=customer49@example.com">Next end users →' in first
    rest = page_text(admin.get("/admin/end-users?after=customer49@example.com"))
    assert "customer51@example.com" in rest and "eve@example.com" in rest and "customer49" not in rest
    found = words(admin.get("/admin/end-users?q=eve"))
    assert "Eve Customer eve@example.com Authenticator app (1) — Active Reset 2FA for Eve Customer" in found
    assert "customer" not in found


def test_reset_2fa_signs_them_out_tells_them_and_forces_setup_without_grace(app, admin, actor, clock, smtp_sink):
    eve = actor("eve@example.com", role="end-user", name="Eve Customer", with_app=True)
    with app.app_context():
        set_setting("require_end_users_2fa", True)
        set_setting("grace_until", (clock.now() + timedelta(days=7)).isoformat())
        db.session.add(RememberedDevice(user_id=eve.id, token_hash="y" * 64, created_at=clock.now(),
                                        expires_at=clock.now() + timedelta(days=30)))
        db.session.commit()
    eve.sign_in()
    assert eve.get("/profile/2fa").status_code == 200

    page = words(admin.get(f"/admin/end-users/{eve.id}/reset"))
    assert "eve@example.com has 1 authenticator: Work phone." in page
    assert "At their next sign-in they must set up 2FA again, with no new grace period." in page
    r = admin.submit(f"/admin/end-users/{eve.id}/reset", {})
    assert r.status_code == 400 and "Tick “Yes, I understand” to reset this person's 2FA." in page_text(r)
    assert eve.get("/profile/2fa").status_code == 200

    r = admin.submit(f"/admin/end-users/{eve.id}/reset", {"confirm": "y"})
    assert r.status_code == 303 and r.headers["Location"] == "/admin/end-users?q=eve@example.com"
    assert flashes(admin.get(r.headers["Location"])) == [
        "Reset 2FA for Eve Customer (1 authenticator removed). They were signed out everywhere and told by email."]
    r = eve.get("/profile/2fa")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")
    with app.app_context():
        user = db.session.get(User, eve.id)
        assert user.authenticators == [] and user.session_version == 2 and user.skip_forfeited
        assert db.session.scalar(db.select(RememberedDevice.revoked_at)) is not None
    (logged,) = events(app, "2fa.admin_reset")
    assert (logged.user_id, logged.actor_id) == (eve.id, admin.id)
    assert "An administrator removed your two-factor authentication" in smtp_sink.latest("eve@example.com")["Subject"]

    r = eve.login(eve.email, PASSWORD, area="")
    assert r.headers["Location"] == "/login/setup"
    assert "Skip for now" not in page_text(eve.get("/login/setup"))


def test_unlock_from_the_list(app, admin, actor):
    eve = actor("eve@example.com", role="end-user", name="Eve Customer", with_app=True)
    with app.app_context():
        user = db.session.get(User, eve.id)
        user.failure_count, user.next_attempt_at = 10, admin.clock.now() + timedelta(minutes=15)
        db.session.commit()
    listing = words(admin.get("/admin/end-users?q=eve"))
    assert "Locked" in listing and "Unlock" in listing
    r = admin.submit(f"/admin/end-users/{eve.id}/unlock", {}, page="/admin/end-users?q=eve")
    assert r.status_code == 303
    assert flashes(admin.get(r.headers["Location"])) == ["Eve Customer is unlocked and can try their codes again."]
    with app.app_context():
        assert db.session.get(User, eve.id).next_attempt_at is None
    (logged,) = events(app, "2fa.unlocked")
    assert (logged.user_id, logged.actor_id) == (eve.id, admin.id)
    eve.sign_in()
