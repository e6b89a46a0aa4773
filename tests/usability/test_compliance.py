"""Issue 22, the compliance view: Agent Profiles and End users filtered by 2FA status, exported as CSV, and the
adoption chart on the Admin home (server-side SVG)."""
import csv
import io

from portal.extensions import db
from portal.models import User
from tests.admin.conftest import PASSWORD, words
from tests.conftest import page_text


def test_filter_by_2fa_status_and_export_csv(app, admin, actor):
    actor("nat@example.com", name="Nat New")
    actor("sam@example.com", name="=HYPERLINK(1)", with_app=True)
    lou = actor("lou@example.com", name="Lou Locked")
    with app.app_context():
        db.session.get(User, lou.id).admin_locked = True
        db.session.commit()
    listed = lambda status: [line for line in words(admin.get(f"/admin/agents?status={status}")).split()
                             if line.endswith("@example.com")]
    assert listed("none") == ["lou@example.com", "nat@example.com"]
    assert listed("method:totp") == ["ada@example.com", "sam@example.com"]
    assert listed("locked") == ["lou@example.com"]
    assert admin.get("/admin/agents?status=junk").status_code == 400
    assert "Choose a 2FA status from the list." in page_text(admin.get("/admin/agents?status=junk"))

    r = admin.get("/admin/agents.csv?status=method:totp")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True))))
    assert rows[0][:2] == ["Name", "Email"] and [row[1] for row in rows[1:]] == ["ada@example.com", "sam@example.com"]
    assert rows[2][0] == "'=HYPERLINK(1)"  # never a formula in a spreadsheet
    assert 'href="/admin/agents.csv?status=method:totp"' in page_text(admin.get("/admin/agents?status=method:totp"))
    end_users = admin.get("/admin/end-users.csv")
    assert end_users.status_code == 200 and end_users.get_data(as_text=True).startswith("Name,Email")


def test_the_admin_home_draws_the_adoption_chart(app, admin, actor):
    actor("nat@example.com", name="Nat New")
    actor("eve@example.com", role="end-user", name="Eve End", with_app=True)
    home = admin.get("/admin/")
    text = words(home)
    assert "Agents: 50% with 2FA (1 of 2); End users: 100% with 2FA (1 of 1)." in text
    body = page_text(home)
    assert '<svg xmlns="http://www.w3.org/2000/svg" role="img"' in body and "<script" not in body.split("<svg")[1]
    assert "Agents with 2FA: 50% (1 of 2); Authenticator app: 1 (50%)" in body


def test_the_security_log_says_details_in_words_filters_by_day_and_exports_csv(app, admin, actor, clock):
    sam = actor("sam@example.com", with_app=True)
    clock.advance(86400)  # a day later
    sam.login(sam.email, PASSWORD)
    sam.post("/agent/login/verify", {"code": "000000" if sam.code(sam.secret) != "000000" else "111111"})
    admin.client = app.test_client()
    admin.sign_in()  # the day-old session has ended
    page = words(admin.get("/admin/security-log?from=2026-03-02&to=2026-03-02"))
    assert "Wrong second-factor code sam@example.com — 1 failure in a row, with Authenticator app" in page
    assert "Password accepted, second factor pending sam@example.com" in page
    assert "1 Mar 2026" not in page  # the day before is filtered out
    assert "method:" not in page and "failures:" not in page
    assert admin.get("/admin/security-log?from=junk").status_code == 400
    r = admin.get("/admin/security-log.csv?person=sam@example.com")
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True))))
    assert r.status_code == 200 and rows[0] == ["When (UTC)", "Event", "Person", "By", "Details", "IP"]
    assert ["2026-03-02 09:00:00", "Wrong second-factor code", "sam@example.com", "",
            "1 failure in a row, with Authenticator app", "127.0.0.1"] in rows
    assert all(row[2] == "sam@example.com" for row in rows[1:])
