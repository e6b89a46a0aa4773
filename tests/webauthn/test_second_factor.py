"""A security key or passkey as the second factor: registered in Preferences › Security, asked for after the
password, and every way a response can be wrong (replayed, another origin or relying party, a counter that goes
back, junk, someone else's key) refused with a 4xx."""

from portal.extensions import db
from portal.models import Authenticator, User, WebAuthnCredential
from tests.conftest import csrf_token

from .helpers import words as page_text

from .authenticator import SoftKey, options_on
from .helpers import events, register_key

EMAIL = "agent@example.com"


def signed_up_agent(person, client, app, key=None):
    person.create()
    person.login()
    key = key or SoftKey()
    response = register_key(client, app, key)
    assert response.status_code == 302, page_text(response)
    person.post_from("/agent/", "/agent/logout", {})
    return key


def at_challenge(person, client):
    response = person.login()
    assert response.status_code == 302 and response.headers["Location"].endswith("/agent/login/verify")
    return client.get("/agent/login/verify")


def answer(client, page, response_json, **extra):
    return client.post("/agent/login/verify", data={"csrf_token": csrf_token(page), "code": response_json,
                                                    "authenticator_id": _authenticator_id(page), **extra})


def _authenticator_id(page) -> str:
    import re
    return re.search(r'name="authenticator_id" type="hidden" value="(\d+)"', page.get_data(as_text=True)).group(1)


def test_a_key_is_registered_with_everything_the_portal_keeps(app, person, client, smtp_sink):
    person.create()
    person.login()
    key = SoftKey()
    response = register_key(client, app, key, name="Blue YubiKey")
    assert response.status_code == 302
    with app.app_context():
        authenticator = db.session.scalar(db.select(Authenticator).where(Authenticator.method == "webauthn"))
        stored = authenticator.webauthn_credential
        assert authenticator.name == "Blue YubiKey" and authenticator.is_default
        assert authenticator.created_at and authenticator.last_used_at is None  # "Never" until a sign-in uses it
        assert stored.credential_id and len(stored.public_key) > 64 and stored.sign_count == 0
        assert stored.transports == "usb,nfc" and stored.aaguid == "00000000-0000-0000-0000-000000000000"
        assert stored.backup_eligible is False and stored.backed_up is False
        assert stored.user_handle == key.user_handle and stored.user_id == authenticator.user_id
    assert events(app, "2fa.setup")[-1] == {"method": "webauthn", "name": "Blue YubiKey"}
    assert "“Blue YubiKey” was added" in smtp_sink.text(smtp_sink.latest(EMAIL))


def test_the_setup_page_without_a_response_explains_and_stores_nothing(app, person, client):
    person.create()
    person.login()
    from .helpers import setup_url
    page = client.get(setup_url(app) + "?new=1")
    text = page_text(page)
    assert "needs JavaScript, which is off in this browser" in text and "Register security key or passkey" in text
    for junk in ("", "not json", "[1, 2]", '{"id": "x"}', "{" * 20000):
        response = client.post(setup_url(app), data={"csrf_token": csrf_token(page), "name": "Key", "code": junk})
        assert response.status_code == 400, junk[:20]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(WebAuthnCredential)) == 0


def test_a_registration_for_another_origin_or_relying_party_is_refused(app, person, client):
    person.create()
    person.login()
    for bad in ({"origin": "https://helpdesk.example.com.evil.test"}, {"rp_id": "evil.test"}):
        response = register_key(client, app, SoftKey(), **bad)
        assert response.status_code == 400
        assert "could not be registered" in page_text(response)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(WebAuthnCredential)) == 0


def test_the_key_is_the_second_factor_and_its_response_is_single_use(app, person, client, smtp_sink):
    key = signed_up_agent(person, client, app)
    page = at_challenge(person, client)
    assert "Use your security key" in page_text(page)
    assertion = key.get(options_on(page))
    response = answer(client, page, assertion)
    assert response.status_code == 302 and response.headers["Location"].endswith("/agent/")
    assert events(app, "login.success")[-1] == {"how": "webauthn"}
    person.post_from("/agent/", "/agent/logout", {})

    # The same response again, in a new sign-in: its challenge was spent (and it was not this sign-in's).
    page = at_challenge(person, client)
    response = answer(client, page, assertion)
    assert response.status_code == 401 and "already used" in page_text(response)
    assert client.get("/agent/").status_code == 302  # not signed in
    with app.app_context():
        assert db.session.scalar(db.select(WebAuthnCredential.sign_count)) == 1


def test_a_response_for_another_origin_or_relying_party_is_refused(app, person, client):
    key = signed_up_agent(person, client, app)
    page = at_challenge(person, client)
    for bad in ({"origin": "http://localhost.evil.test"}, {"rp_id": "evil.test"}):
        response = answer(client, page, key.get(options_on(page), **bad))
        assert response.status_code == 401, bad
        assert "wasn't accepted" in page_text(response)
        page = response
    assert len(events(app, "2fa.challenge_failed")) == 2


def test_a_counter_that_goes_back_is_refused_logged_and_mailed(app, person, client, smtp_sink):
    key = signed_up_agent(person, client, app)
    page = at_challenge(person, client)
    assert answer(client, page, key.get(options_on(page), count=7)).status_code == 302
    person.post_from("/agent/", "/agent/logout", {})
    page = at_challenge(person, client)
    response = answer(client, page, key.get(options_on(page), count=5))  # a copy of the key, used less often
    assert response.status_code == 401
    assert events(app, "2fa.key_counter_went_back") == [{"name": "YubiKey"}]
    assert "may have been copied" in smtp_sink.latest(EMAIL)["Subject"]
    with app.app_context():
        assert db.session.scalar(db.select(WebAuthnCredential.sign_count)) == 7


def test_a_key_that_does_not_count_may_stay_at_zero(app, person, client):
    key = signed_up_agent(person, client, app)
    for _ in range(2):
        page = at_challenge(person, client)
        assert answer(client, page, key.get(options_on(page), count=0)).status_code == 302
        person.post_from("/agent/", "/agent/logout", {})


def test_a_challenge_expires_after_five_minutes(app, person, client, clock):
    key = signed_up_agent(person, client, app)
    page = at_challenge(person, client)
    assertion = key.get(options_on(page))
    clock.advance(301)
    response = answer(client, page, assertion)
    assert response.status_code == 401 and "longer than 5 minutes" in page_text(response)


def test_junk_and_someone_elses_key_are_refused_and_charge_nothing_for_junk(app, person, client):
    key = signed_up_agent(person, client, app)
    page = at_challenge(person, client)
    for junk in ("", "junk", "[]", "{" * 20000):
        response = answer(client, page, junk)
        assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(db.select(User.failure_count)) == 0
    response = answer(client, page, '{"id": "AAAA", "rawId": "AAAA", "response": {}, "type": "public-key"}')
    assert response.status_code == 401  # well-formed JSON, not a response: a failed try like a wrong code

    # Someone else's key, answering this sign-in's own challenge.
    other = SoftKey()
    other.user_handle = key.user_handle
    response = answer(client, response, other.get(options_on(response)))
    assert response.status_code == 401
    assert client.get("/agent/").status_code == 302


def test_a_key_set_up_at_the_mandatory_step_signs_the_person_in(app, person, client):
    from portal.settings import set_setting
    from .helpers import instance_id
    person.create()
    with app.app_context():
        set_setting("require_agents_2fa", True)
        db.session.commit()
    assert person.login().headers["Location"].endswith("/agent/login/setup")
    url = f"/agent/login/setup?instance={instance_id(app)}"
    page = client.get(url)
    assert "Register security key or passkey" in page_text(page)
    response = client.post(url, data={"csrf_token": csrf_token(page), "name": "Security key or passkey",
                                      "code": SoftKey().create(options_on(page))})
    assert response.status_code == 302 and "/login" not in response.headers["Location"]
    assert events(app, "login.success")[-1] == {"how": "setup"}


def test_rename_and_remove_go_through_the_shared_views_with_notices(app, person, client, smtp_sink):
    person.create()
    person.login()
    assert register_key(client, app, SoftKey()).status_code == 302
    with app.app_context():
        key_id = db.session.scalar(db.select(Authenticator.id).where(Authenticator.method == "webauthn"))
    response = person.post(f"/agent/preferences/security/{key_id}/edit", {"name": "Red key"})
    assert response.status_code == 302
    assert "now called “Red key”" in smtp_sink.text(smtp_sink.latest(EMAIL))
    response = person.post(f"/agent/preferences/security/{key_id}/remove", {"confirm": "y"})
    assert response.status_code == 302
    assert "“Red key” was removed" in smtp_sink.text(smtp_sink.latest(EMAIL))
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(WebAuthnCredential)) == 0
    assert events(app, "2fa.removed") == [{"name": "Red key"}]
