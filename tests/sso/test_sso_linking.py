"""Who an answer is: the stored subject once linked; before that the email only when the provider says it is
verified, within the provider's domains; help-center accounts created when the provider may, agents never."""
from portal.extensions import db
from portal.models import SecurityEvent, SsoIdentity, User, UserSession
from tests.conftest import page_text
from tests.sso.conftest import add_provider


def _links(app):
    with app.app_context():
        return [(i.subject, db.session.get(User, i.user_id).email) for i in db.session.scalars(db.select(SsoIdentity))]


def _signed_in(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(UserSession.id)))


def _refusals(app):
    with app.app_context():
        return [e.detail for e in db.session.scalars(db.select(SecurityEvent)
                                                     .where(SecurityEvent.type == "sso.refused"))]


def test_an_unverified_email_is_never_linked(app, person, sso, oidc):
    person.create(email="hal@example.org", role="end-user", name="Hal")
    provider_id = add_provider(app, oidc.issuer)
    oidc.user("mallory-sub", email="hal@example.org", email_verified=False)

    answer, _ = sso.sign_in(provider_id, "mallory-sub")

    assert answer.status_code == 403
    assert "has not verified your email address" in page_text(answer)
    assert _links(app) == [] and _signed_in(app) == 0
    assert '"reason": "email_not_verified"' in _refusals(app)[0]


def test_a_verified_email_links_once_then_the_subject_decides(app, person, sso, oidc, smtp_sink):
    person.create(email="ivy@example.org", role="end-user", name="Ivy")
    provider_id = add_provider(app, oidc.issuer)
    oidc.user("ivy-sub", email="ivy@example.org", email_verified=True)
    answer, _ = sso.sign_in(provider_id, "ivy-sub")
    assert answer.status_code == 302 and _links(app) == [("ivy-sub", "ivy@example.org")]
    assert "can now be signed in to with Contoso SSO" in smtp_sink.text(smtp_sink.latest("ivy@example.org"))
    person.client.post("/logout", data={"csrf_token": _token(person)})

    oidc.user("ivy-sub", email="ivy.new@example.org", email_verified=False)  # her address changed at the provider
    again, _ = sso.sign_in(provider_id, "ivy-sub")
    assert again.status_code == 302 and person.client.get("/profile").status_code == 200

    person.client.post("/logout", data={"csrf_token": _token(person)})
    oidc.user("other-sub", email="ivy@example.org", email_verified=True)  # someone else claims her address
    refused, _ = sso.sign_in(provider_id, "other-sub")
    assert refused.status_code == 403 and "linked to another Contoso SSO identity" in page_text(refused)
    assert _links(app) == [("ivy-sub", "ivy@example.org")]


def _token(person):
    from tests.conftest import csrf_token
    return csrf_token(person.client.get("/profile"))


def test_the_domain_restriction(app, person, sso, oidc):
    person.create(email="jo@other.example", role="end-user", name="Jo")
    person.create(email="kai@example.org", role="end-user", name="Kai")
    provider_id = add_provider(app, oidc.issuer, email_domains="example.org example.net")
    oidc.user("jo-sub", email="jo@other.example", email_verified=True)
    oidc.user("kai-sub", email="kai@example.org", email_verified=True)

    refused, _ = sso.sign_in(provider_id, "jo-sub")
    assert refused.status_code == 403 and "can't sign in addresses at other.example" in page_text(refused)
    assert _signed_in(app) == 0 and '"reason": "domain_not_allowed"' in _refusals(app)[0]

    allowed, _ = sso.sign_in(provider_id, "kai-sub")
    assert allowed.status_code == 302 and _signed_in(app) == 1


def test_end_users_are_created_on_first_sign_in_agents_must_exist(app, person, sso, oidc):
    provider_id = add_provider(app, oidc.issuer)
    oidc.user("lea-sub", email="Lea@Example.org", email_verified=True, name="Lea Lane")
    answer, _ = sso.sign_in(provider_id, "lea-sub")
    assert answer.status_code == 302
    with app.app_context():
        lea = db.session.scalar(db.select(User).where(User.email == "lea@example.org"))
        assert (lea.kind, lea.name, lea.is_admin) == ("end_user", "Lea Lane", False)

    oidc.user("max-sub", email="max@example.org", email_verified=True)
    refused, _ = sso.sign_in(provider_id, "max-sub", area="/agent")
    assert refused.status_code == 403 and "There is no account for max@example.org" in page_text(refused)
    with app.app_context():
        assert db.session.scalar(db.select(User).where(User.email == "max@example.org")) is None


def test_no_account_is_created_when_the_provider_may_not(app, person, sso, oidc):
    provider_id = add_provider(app, oidc.issuer, create_accounts=False)
    oidc.user("ned-sub", email="ned@example.org", email_verified=True)
    refused, _ = sso.sign_in(provider_id, "ned-sub")
    assert refused.status_code == 403 and _links(app) == [] and _signed_in(app) == 0


def test_an_agent_account_does_not_sign_in_to_the_help_center(app, person, sso, oidc):
    person.create(email="oz@example.org")
    provider_id = add_provider(app, oidc.issuer)
    oidc.user("oz-sub", email="oz@example.org", email_verified=True)
    refused, _ = sso.sign_in(provider_id, "oz-sub")
    assert refused.status_code == 403 and "doesn't sign in to the Help Center" in page_text(refused)
    assert _signed_in(app) == 0


def test_a_provider_serves_only_the_sign_in_pages_it_is_set_for(app, person, sso, oidc):
    add_provider(app, oidc.issuer, label="Staff SSO", areas="agent")
    add_provider(app, oidc.issuer, label="Customer SSO", areas="helpcenter")
    assert "Sign in with Staff SSO" in page_text(person.client.get("/agent/login"))
    assert "Sign in with Customer SSO" not in page_text(person.client.get("/agent/login"))
    assert "Sign in with Customer SSO" in page_text(person.client.get("/login"))
    assert "Sign in with Staff SSO" not in page_text(person.client.get("/login"))
    assert person.client.get("/login/sso/1").status_code == 404  # Staff SSO's id
    assert person.client.get("/login/sso/999").status_code == 404
    assert person.client.get("/login/sso/99999999999").status_code == 404
    assert person.client.get("/login/sso/callback?state=x").status_code == 400
