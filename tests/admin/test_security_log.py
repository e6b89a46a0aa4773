"""The security log page: every 2FA event, newest first, filterable by person and type, paginated; no secret or
code ever shows."""
from portal import security_log
from portal.extensions import db
from tests.admin.conftest import words
from tests.conftest import page_text


def test_events_filtered_by_person_and_type_and_paginated(app, admin, actor):
    sam = actor("sam@example.com", name="Sam Agent", with_app=True)
    sam.clock.advance(30)
    sam.login(sam.email, "correct horse battery")
    sam.post("/agent/login/verify", {"code": "000000" if sam.code(sam.secret) != "000000" else "111111"})
    with app.app_context():
        for i in range(60):
            security_log.record("2fa.challenge_failed", sam.id, method="totp", failures=i)
        db.session.commit()

    page = words(admin.get("/admin/security-log"))
    assert "Wrong second-factor code sam@example.com — 59 failures in a row, with Authenticator app" in page
    assert "Older events →" in page

    mine = words(admin.get("/admin/security-log?person=ADA@example.com&type=login.success"))
    assert "Signed in with Authenticator app as the second factor ada@example.com" in mine and "sam@example.com" not in mine

    first = page_text(admin.get("/admin/security-log?person=sam@example.com&type=2fa.challenge_failed"))
    assert first.count("Wrong second-factor code</td>") == 50
    older = first.split('href="/admin/security-log?')[-1].split('"')[0]
    rest = page_text(admin.get(f"/admin/security-log?{older.replace('&amp;', '&')}"))
    assert rest.count("Wrong second-factor code</td>") == 11 and "Older events" not in rest
    assert "Newest events" in rest


def test_an_admin_action_names_who_did_it_and_unknown_filters_say_so(app, admin, actor):
    sam = actor("sam@example.com", name="Sam Agent", with_app=True)
    admin.submit(f"/admin/agents/{sam.id}/enforce", {"enforce": "y"}, page=f"/admin/agents/{sam.id}")
    row = words(admin.get("/admin/security-log?type=admin.enforce_changed"))
    assert "1 Mar 2026, 09:00 UTC Enforce 2FA changed sam@example.com ada@example.com Enforce 2FA on" in row
    assert sam.secret not in page_text(admin.get("/admin/security-log"))

    r = admin.get("/admin/security-log?type=nonsense")
    assert r.status_code == 400 and "Choose an event type from the list." in page_text(r)
    r = admin.get("/admin/security-log?person=nobody@example.com")
    assert r.status_code == 200 and "No one has the email address nobody@example.com." in page_text(r)
    assert admin.get("/admin/security-log?before=junk").status_code == 200
