"""Auth & SSO › Single sign-on: an admin adds, edits and removes providers; the client secret is encrypted at rest;
SSO-only stops password sign-in for linked people, and the command line gives passwords back."""
from portal import crypto
from portal.extensions import db
from portal.models import SecurityEvent, SsoProvider
from tests.conftest import csrf_token, page_text
from tests.sso.conftest import PASSWORD, add_provider

FORM = {"label": "Contoso SSO", "issuer": "https://login.contoso.example/realms/staff", "client_id": "helpdesk",
        "client_secret": "very-secret-client-secret", "areas": "both", "email_domains": "contoso.example",
        "create_accounts": "y", "mfa_rule": "trust", "trusted_acr": "urn:contoso:mfa", "enabled": "y"}


def _admin(person):
    person.create(email="ada@example.org", role="admin", name="Ada Admin")
    assert person.login(email="ada@example.org").status_code == 302


def test_an_admin_adds_a_provider_and_its_secret_is_encrypted(app, person):
    _admin(person)
    auth = page_text(person.client.get("/admin/auth"))
    assert "Single sign-on" in auth and "No identity provider yet" in auth

    saved = person.post_from("/admin/auth/sso/new", "/admin/auth/sso/new", FORM)

    assert saved.status_code == 303
    with app.app_context():
        provider = db.session.scalar(db.select(SsoProvider))
        assert FORM["client_secret"] not in provider.client_secret_enc
        assert crypto.decrypt(provider.client_secret_enc) == FORM["client_secret"]
        assert (provider.mfa_rule, provider.trusted_acr, provider.email_domains) == \
            ("trust", "urn:contoso:mfa", "contoso.example")
        assert db.session.scalar(db.select(SecurityEvent.type).where(SecurityEvent.type == "admin.sso_changed"))
    listing = page_text(person.client.get("/admin/auth/sso"))
    assert "Contoso SSO" in listing and "http://localhost/agent/login/sso/callback" in listing
    edit = page_text(person.client.get(f"/admin/auth/sso/{provider.id}"))
    assert FORM["client_secret"] not in edit  # never shown again

    kept = person.post_from(f"/admin/auth/sso/{provider.id}", f"/admin/auth/sso/{provider.id}",
                            {**FORM, "client_secret": "", "label": "Contoso"})  # empty: keep the secret
    assert kept.status_code == 303
    with app.app_context():
        provider = db.session.scalar(db.select(SsoProvider))
        assert provider.label == "Contoso" and crypto.decrypt(provider.client_secret_enc) == FORM["client_secret"]
    assert "Sign in with Contoso" in page_text(person.client.get("/login"))


def test_bad_provider_settings_are_refused_and_nothing_typed_is_lost(app, person):
    _admin(person)
    for junk in [{"issuer": "ftp://x"}, {"issuer": "http://login.contoso.example"}, {"issuer": "not a url"},
                 {"email_domains": "contoso"}, {"label": ""}, {"client_id": ""}, {"areas": "everywhere"},
                 {"mfa_rule": "sometimes"}, {"client_secret": ""}, {"label": "x" * 81}]:
        answer = person.post_from("/admin/auth/sso/new", "/admin/auth/sso/new", {**FORM, **junk})
        assert answer.status_code == 400, junk
        kept = "label" if "label" not in junk else "client_id"
        assert f'value="{FORM[kept]}"' in answer.get_data(as_text=True)  # the form comes back as typed
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(SsoProvider.id))) == 0
    assert person.client.get("/admin/auth/sso/999").status_code == 404
    assert person.client.get("/admin/auth/sso/99999999999").status_code == 404


def test_only_admins_manage_providers(app, person):
    person.create(email="sam@example.org", role="agent")
    person.login(email="sam@example.org")
    assert person.client.get("/admin/auth/sso").status_code == 403
    assert person.client.post("/admin/auth/sso/new", data=FORM).status_code in (400, 403)


def test_removing_a_provider(app, person, oidc):
    _admin(person)
    provider_id = add_provider(app, oidc.issuer)
    removed = person.post_from(f"/admin/auth/sso/{provider_id}", f"/admin/auth/sso/{provider_id}/delete", {})
    assert removed.status_code == 303
    assert "Sign in with Contoso SSO" not in page_text(person.client.get("/login"))


def test_sso_only_stops_passwords_and_the_cli_gives_them_back(app, person, sso, oidc, runner):
    person.create(email="ada@example.org", role="admin", name="Ada Admin")
    provider_id = add_provider(app, oidc.issuer, sso_only=True, mfa_rule="trust")
    oidc.user("ada-sub", email="ada@example.org", email_verified=True, amr=["mfa"])
    answer, _ = sso.sign_in(provider_id, "ada-sub", area="/agent")  # links her
    assert answer.status_code == 302
    person.client.post("/agent/logout", data={"csrf_token": csrf_token(person.client.get("/agent/"))})

    refused = person.login(email="ada@example.org")
    assert refused.status_code == 403 and "Your account signs in with Contoso SSO" in page_text(refused)
    wrong = person.login(email="ada@example.org", password="not her password at all")
    assert wrong.status_code == 401 and "Your account signs in with" not in page_text(wrong)  # no hint without it

    result = runner.invoke(args=["sso", "allow-passwords"])
    assert result.exit_code == 0 and "Contoso SSO" in result.output
    assert person.login(email="ada@example.org", password=PASSWORD).status_code == 302
    assert "passwords allowed" in runner.invoke(args=["sso", "list"]).output
    assert runner.invoke(args=["sso", "allow-passwords", "--provider", "Nope"]).exit_code != 0


def test_rotate_keys_re_encrypts_client_secrets(app, runner, oidc):
    provider_id = add_provider(app, oidc.issuer)
    with app.app_context():
        before = db.session.get(SsoProvider, provider_id).client_secret_enc
    assert runner.invoke(args=["rotate-keys"]).exit_code == 0
    with app.app_context():
        after = db.session.get(SsoProvider, provider_id).client_secret_enc
        assert after != before and crypto.decrypt(after) == "s3cret-from-provider"
