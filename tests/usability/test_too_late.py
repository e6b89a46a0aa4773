"""Issue 22, a setup code entered too late: what was typed is kept and the page says what happened; after a sign-in
expires its email address is still in the form."""
from tests.admin.conftest import PASSWORD, flashes
from tests.conftest import csrf_token, page_text, setup_secret


def test_a_setup_after_confirm_its_you_keeps_the_name_and_says_to_enter_the_current_code(app, person, client):
    person.create()
    person.login()
    page = client.get("/agent/preferences/security/setup/1?new=1")
    secret = setup_secret(page)
    person.clock.advance(11 * 60)  # the proof given at sign-in is stale by now
    r = client.post("/agent/preferences/security/setup/1",
                    data={"csrf_token": csrf_token(page), "name": "My phone", "code": person.code(secret)})
    assert r.status_code == 401 and "Confirm it's you" in page_text(r)
    r = client.post("/agent/preferences/security/setup/1",
                    data={"csrf_token": csrf_token(r), "name": "My phone", "secret": PASSWORD})
    assert r.status_code == 200 and setup_secret(r) == secret  # the same setup, not a new QR code
    assert flashes(r) == ["Thanks, that's you. Your setup was kept while you confirmed, but the code you typed has "
                          "expired meanwhile: enter the current code to finish."]
    assert 'value="My phone"' in page_text(r) and "Enter the 6-digit code." not in page_text(r)
    r = client.post("/agent/preferences/security/setup/1",
                    data={"csrf_token": csrf_token(r), "name": "My phone", "code": person.code(secret)})
    assert r.status_code == 302


def test_an_expired_sign_in_keeps_the_email_and_a_late_mandatory_setup_says_what_happened(app, admin, actor):
    admin.submit("/admin/auth", {"require_agents": "y", "grace_until": "", "grace_timezone": "UTC",
                                 "totp": "y", "confirm": "y"})
    nat = actor("nat@example.com", name="Nat New")
    r = nat.login(nat.email, PASSWORD)
    assert r.headers["Location"] == "/agent/login/setup"
    page = nat.get("/agent/login/setup")
    secret = setup_secret(page)
    nat.clock.advance(10 * 60)
    r = nat.client.post("/agent/login/setup?instance=1", data={"csrf_token": csrf_token(page), "code": nat.code(secret)})
    assert r.headers["Location"] == "/agent/login"
    sign_in = nat.get("/agent/login")
    assert flashes(sign_in) == ["Your sign-in expired before the setup was finished (a sign-in lasts 10 minutes), so "
                                "nothing was set up. Enter your password again, then start the setup afresh with "
                                "the new QR code or code."]
    assert 'value="nat@example.com"' in page_text(sign_in)
    assert 'value="nat@example.com"' not in page_text(nat.get("/agent/login"))  # once, not for whoever comes next
