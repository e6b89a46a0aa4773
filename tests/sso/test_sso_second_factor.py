"""After the provider's answer the sign-in goes on through the portal's one state machine: the portal's own second
factor unless the provider's rule trusts its MFA and the ID token shows one (amr / acr)."""
from portal.extensions import db
from portal.models import SecurityEvent, UserSession
from portal.security_log import describe
from portal.settings import set_setting
from tests.conftest import csrf_token, page_text
from tests.sso.conftest import add_provider


def _events(app, kind):
    with app.app_context():
        return [describe(e) for e in db.session.scalars(db.select(SecurityEvent).where(SecurityEvent.type == kind)
                                                        .order_by(SecurityEvent.id))]


def _sessions(app):
    with app.app_context():
        return [(s.how, s.data) for s in db.session.scalars(db.select(UserSession))]


def _agent_with_app(person, email):
    person.create(email=email)
    person.login(email=email)
    person.client.get("/agent/")  # password only (no 2FA required): signed in
    secret = person.setup_totp()
    person.client.post("/agent/logout", data={"csrf_token": csrf_token(person.client.get("/agent/"))})
    person.clock.advance(30)  # the next code is a new one (the setup's is spent)
    return secret


def test_portal_second_factor_is_asked_after_sso_and_the_log_says_so(app, person, sso, oidc):
    secret = _agent_with_app(person, "ann@example.org")
    provider_id = add_provider(app, oidc.issuer)
    oidc.user("ann-sub-1", email="ann@example.org", email_verified=True, amr=["pwd", "mfa"])

    answer, _ = sso.sign_in(provider_id, "ann-sub-1", area="/agent", next_path="/agent/preferences/security")

    assert answer.status_code == 302 and answer.headers["Location"].endswith("/agent/login/verify")
    assert person.client.get("/agent/").status_code == 302  # not signed in yet: the provider's MFA is not trusted
    challenge = person.client.get("/agent/login/verify")
    assert "Contoso SSO confirmed who you are" in page_text(challenge)
    done = person.client.post("/agent/login/verify", data={"csrf_token": csrf_token(challenge),
                                                           "code": person.code(secret)})
    assert done.status_code == 302 and done.headers["Location"].endswith("/agent/preferences/security")
    assert _events(app, "login.success")[-1] == \
        "Signed in with Contoso SSO, then Authenticator app as the second factor"
    assert "Contoso SSO, then Authenticator app as the second factor" in \
        page_text(person.client.get("/agent/preferences/security"))


def test_trusted_provider_mfa_with_a_second_factor_in_amr_signs_in(app, person, sso, oidc):
    _agent_with_app(person, "bo@example.org")
    provider_id = add_provider(app, oidc.issuer, mfa_rule="trust")
    oidc.user("bo-sub", email="bo@example.org", email_verified=True, amr=["pwd", "hwk"])

    answer, _ = sso.sign_in(provider_id, "bo-sub", area="/agent")

    assert answer.status_code == 302 and answer.headers["Location"].endswith("/agent/")
    assert person.client.get("/agent/").status_code == 200
    assert _events(app, "login.success")[-1] == "Signed in with Contoso SSO, MFA by the provider"
    assert [how for how, _ in _sessions(app)] == ["provider_mfa"]


def test_trusted_provider_without_mfa_in_amr_gets_the_portal_challenge(app, person, sso, oidc):
    _agent_with_app(person, "cy@example.org")
    provider_id = add_provider(app, oidc.issuer, mfa_rule="trust", trusted_acr="urn:example:mfa")
    oidc.user("cy-sub", email="cy@example.org", email_verified=True, amr=["pwd"], acr="urn:example:pwd")

    answer, _ = sso.sign_in(provider_id, "cy-sub", area="/agent")

    assert answer.headers["Location"].endswith("/agent/login/verify")
    assert person.client.get("/agent/").status_code == 302
    assert _sessions(app) == []


def test_trusted_provider_acr_set_by_the_admin_counts_as_mfa(app, person, sso, oidc):
    _agent_with_app(person, "di@example.org")
    provider_id = add_provider(app, oidc.issuer, mfa_rule="trust", trusted_acr="urn:example:mfa urn:example:hw")
    oidc.user("di-sub", email="di@example.org", email_verified=True, amr=["pwd"], acr="urn:example:mfa")

    answer, _ = sso.sign_in(provider_id, "di-sub", area="/agent")

    assert answer.headers["Location"].endswith("/agent/")
    assert person.client.get("/agent/").status_code == 200


def test_without_trusted_mfa_the_mandatory_setup_and_grace_rules_apply(app, person, sso, oidc):
    person.create(email="ed@example.org")
    with app.app_context():
        set_setting("require_agents_2fa", True)
        db.session.commit()
    provider_id = add_provider(app, oidc.issuer, mfa_rule="trust")
    oidc.user("ed-sub", email="ed@example.org", email_verified=True, amr=["pwd"])

    answer, _ = sso.sign_in(provider_id, "ed-sub", area="/agent")

    assert answer.headers["Location"].endswith("/agent/login/setup")
    assert person.client.get("/agent/").status_code == 302
    assert "Set up two-factor authentication" in page_text(person.client.get("/agent/login/setup"))


def test_trusted_provider_mfa_meets_a_2fa_requirement_for_that_session(app, person, sso, oidc):
    person.create(email="fa@example.org")
    with app.app_context():
        set_setting("require_agents_2fa", True)
        db.session.commit()
    provider_id = add_provider(app, oidc.issuer, mfa_rule="trust")
    oidc.user("fa-sub", email="fa@example.org", email_verified=True, amr=["mfa"])

    answer, _ = sso.sign_in(provider_id, "fa-sub", area="/agent")

    assert answer.headers["Location"].endswith("/agent/")
    assert person.client.get("/agent/").status_code == 200  # area_required lets the provider's MFA through


def test_help_center_sign_in_without_2fa_says_so(app, person, sso, oidc):
    person.create(email="gu@example.org", role="end-user", name="Gu")
    provider_id = add_provider(app, oidc.issuer)
    oidc.user("gu-sub", email="gu@example.org", email_verified=True)

    answer, _ = sso.sign_in(provider_id, "gu-sub")

    assert answer.headers["Location"].endswith("/")
    assert _events(app, "login.success")[-1] == "Signed in with Contoso SSO, no second factor"
    assert "Contoso SSO, no second factor" in page_text(person.client.get("/profile/2fa"))


def test_a_password_sign_in_challenge_does_not_mention_sso(app, person, oidc):
    _agent_with_app(person, "hu@example.org")
    add_provider(app, oidc.issuer)
    person.login(email="hu@example.org")
    challenge = page_text(person.client.get("/agent/login/verify"))
    assert "<strong>hu@example.org</strong>" in challenge and "confirmed who you are" not in challenge
