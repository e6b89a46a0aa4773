"""Issue 22, recovery codes and "Last used": an agent whose 2FA an admin set up has no recovery codes yet and is
asked to make a set at their next sign-in; "Last used" stays "Never" until a sign-in uses the factor."""
from portal.extensions import db
from portal.models import Authenticator, RecoveryCode
from tests.admin.conftest import PASSWORD, flashes, words
from tests.conftest import setup_secret


def test_an_admin_set_up_agent_is_asked_for_recovery_codes_at_next_sign_in(app, admin, actor):
    nat = actor("nat@example.com", name="Nat New")
    page = admin.get(f"/admin/agents/{nat.id}/setup/1?new=1")
    secret = setup_secret(page)
    r = admin.submit(f"/admin/agents/{nat.id}/setup/1", {"name": "Nat's phone", "code": admin.code(secret)})
    assert r.status_code == 303
    assert "Never" in words(admin.get(f"/admin/agents/{nat.id}"))  # set up, not yet used to sign in

    nat.clock.advance(30)
    nat.login(nat.email, PASSWORD)
    r = nat.post("/agent/login/verify", {"code": nat.code(secret)})
    assert r.headers["Location"] == "/agent/security/recovery-codes?next=/agent/"
    prompt = nat.get(r.headers["Location"])
    assert flashes(prompt) == ["You have no recovery codes yet. Make a set now: they let you sign in if you lose "
                               "your authenticator."]
    assert "Make my recovery codes" in words(prompt) and "0 of 10" not in words(prompt)
    security = words(nat.get("/agent/preferences/security"))
    assert "You have no recovery codes yet." in security and "0 of 10" not in security
    assert "last used" in security and "never" not in security.split("Nat's phone", 1)[1][:80]  # the sign-in used it

    r = nat.submit("/agent/security/recovery-codes/new?next=/agent/", {}, page="/agent/security/recovery-codes")
    assert r.status_code == 302 and r.headers["Location"] == "/agent/security/recovery-codes?next=/agent/"
    shown = nat.get(r.headers["Location"])
    assert flashes(shown) == ["Here are your recovery codes."] and "I've saved my codes" in words(shown)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(RecoveryCode)
                                 .where(RecoveryCode.user_id == nat.id)) == 10

    nat.client = app.test_client()
    nat.clock.advance(30)
    nat.login(nat.email, PASSWORD)
    r = nat.post("/agent/login/verify", {"code": nat.code(secret)})
    assert r.headers["Location"] == "/agent/"  # asked once: the set is made


def test_last_used_is_never_until_a_sign_in_and_the_first_factor_says_nothing_about_choosing(app, person, client):
    person.create()
    person.login()
    secret = person.setup_totp(name="Phone")
    with app.app_context():
        (phone,) = db.session.scalars(db.select(Authenticator)).all()
        assert phone.last_used_at is None
    security = words(client.get("/agent/preferences/security"))
    assert "last used: never" in security and "Make default" not in security
    assert "choose it" not in security.lower()

    person.client = client = type(client)(app, client.response_wrapper)
    person.clock.advance(60)
    person.login()
    r = person.post("/agent/login/verify", {"code": person.code(secret)})
    assert r.status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(Authenticator.last_used_at)) == person.clock.now()
    assert "last used: never" not in words(client.get("/agent/preferences/security"))
