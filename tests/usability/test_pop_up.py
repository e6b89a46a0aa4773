"""Issue 22, the mandatory pop-up and its neighbours: a way out of a sign-in under way ("Sign out", "Use a
different account"), the otpauth link beside the QR code, and the Remove confirmation's error said once."""
from portal.extensions import db
from portal.models import PendingLogin
from tests.admin.conftest import PASSWORD, flashes
from tests.conftest import csrf_token, page_text


def pending_count(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(PendingLogin))


def test_sign_out_of_the_mandatory_setup_ends_the_sign_in(app, admin, actor):
    admin.submit("/admin/auth", {"require_agents": "y", "grace_until": "", "grace_timezone": "UTC",
                                 "totp": "y", "confirm": "y"})
    nat = actor("nat@example.com", name="Nat New")
    nat.login(nat.email, PASSWORD)
    page = nat.get("/agent/login/setup")
    body = page_text(page)
    assert "Sign out" in body and 'action="/agent/login/cancel"' in body
    assert 'href="otpauth://totp/' in body and "Open in your authenticator app" in body
    assert pending_count(app) == 1
    assert nat.client.post("/agent/login/cancel", data={}).status_code == 400  # a forged form: nothing ends
    r = nat.client.post("/agent/login/cancel", data={"csrf_token": csrf_token(page)})
    assert r.status_code == 303 and r.headers["Location"] == "/agent/login"
    assert flashes(nat.get("/agent/login")) == ["You have signed out. Sign in with the account you want to use."]
    assert pending_count(app) == 0
    assert nat.get("/agent/login/setup").headers["Location"] == "/agent/login"


def test_use_a_different_account_on_the_challenge(app, actor):
    sam = actor("sam@example.com", with_app=True)
    sam.login(sam.email, PASSWORD)
    page = sam.get("/agent/login/verify")
    assert "Use a different account" in page_text(page)
    r = sam.client.post("/agent/login/cancel", data={"csrf_token": csrf_token(page)})
    assert r.headers["Location"] == "/agent/login" and pending_count(app) == 0
    assert 'value="sam@example.com"' not in page_text(sam.get("/agent/login"))


def test_the_remove_confirmation_error_is_said_once(app, person, client):
    person.create()
    person.login()
    person.setup_totp(name="Phone")
    person.clock.advance(30)
    person.setup_totp(name="Tablet")
    page = client.get("/agent/preferences/security/2/remove")
    r = client.post("/agent/preferences/security/2/remove", data={"csrf_token": csrf_token(page)})
    assert r.status_code == 400
    assert page_text(r).count("Tick the box to confirm you want to remove it.") == 1
