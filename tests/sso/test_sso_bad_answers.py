"""Bad answers from a provider get a clear page, a log entry and no session: a replayed state, a replayed code,
a bad signature, a missing email, a refusal at the provider, a provider that is down."""
import contextlib
from urllib.parse import urlsplit, parse_qs

import pytest

from portal.extensions import db
from portal.models import SecurityEvent, UserSession
from tests.conftest import page_text
from tests.sso.conftest import Provider, SsoPerson, add_provider, serve


def _signed_in(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(UserSession.id)))


def _reasons(app):
    import json
    with app.app_context():
        details = [json.loads(e.detail) for e in db.session.scalars(
            db.select(SecurityEvent).where(SecurityEvent.type == "sso.refused"))]
        assert all(d["provider"] in ("", "Contoso SSO") for d in details)
        return [json.loads(e.detail)["reason"] for e in db.session.scalars(
            db.select(SecurityEvent).where(SecurityEvent.type == "sso.refused").order_by(SecurityEvent.id))]


@pytest.fixture
def pat(app, person, oidc):
    person.create(email="pat@example.org", role="end-user", name="Pat")
    oidc.user("pat-sub", email="pat@example.org", email_verified=True)
    return add_provider(app, oidc.issuer)


def test_a_replayed_callback_is_refused(app, person, sso, oidc, pat, caplog):
    answer, location = sso.sign_in(pat, "pat-sub")
    assert answer.status_code == 302 and _signed_in(app) == 1
    person.client.post("/logout", data={"csrf_token": _token(person)})

    replayed = sso.back(location)

    assert replayed.status_code == 400 and "already been used or has expired" in page_text(replayed)
    assert _signed_in(app) == 0 and _reasons(app) == ["unknown_state"]
    assert "SSO sign-in refused" in caplog.text
    code = parse_qs(urlsplit(location).query)["code"][0]
    assert code not in caplog.text and code not in page_text(replayed)


def test_a_state_from_another_browser_is_refused(app, person, sso, oidc, pat):
    location = oidc.consent(sso.start(pat), "pat-sub")
    other = SsoPerson(app.test_client(), oidc)

    stolen = other.back(location)  # the state exists, but not in this browser's session

    assert stolen.status_code == 401 and "an answer we can't accept" in page_text(stolen)
    assert _reasons(app) == ["mismatching_state"]
    assert sso.back(location).status_code == 400  # and it is spent: the real browser can't use it either
    assert _signed_in(app) == 0


def test_a_replayed_code_is_refused_by_the_provider(app, person, sso, oidc, pat):
    first = oidc.consent(sso.start(pat), "pat-sub")
    assert sso.back(first).status_code == 302
    person.client.post("/logout", data={"csrf_token": _token(person)})
    old_code = parse_qs(urlsplit(first).query)["code"][0]

    fresh = oidc.consent(sso.start(pat), "pat-sub")  # a new sign-in, answered with the old, spent code
    state = parse_qs(urlsplit(fresh).query)["state"][0]
    refused = person.client.get(f"/login/sso/callback?code={old_code}&state={state}")

    assert refused.status_code == 401 and "an answer we can't accept" in page_text(refused)
    assert _signed_in(app) == 0 and _reasons(app) == ["invalid_grant"]


def test_an_id_token_with_a_bad_signature_is_refused(app, person, client):
    import oidc_provider_mock
    real, impostor = oidc_provider_mock.app(), oidc_provider_mock.app()  # each signs with its own key

    def provider_publishing_the_wrong_keys(environ, start_response):
        return (impostor if environ["PATH_INFO"] == "/jwks" else real)(environ, start_response)

    person.create(email="quin@example.org", role="end-user", name="Quin")
    with serve(provider_publishing_the_wrong_keys) as issuer:
        provider = Provider(issuer)
        provider.user("quin-sub", email="quin@example.org", email_verified=True)
        provider_id = add_provider(app, issuer)
        refused, _ = SsoPerson(client, provider).sign_in(provider_id, "quin-sub")

    assert refused.status_code == 401 and "an answer we can't accept" in page_text(refused)
    assert _signed_in(app) == 0 and _reasons(app) in (["bad_signature"], ["invalid_key_id"])
    with app.app_context():
        assert '"provider": "Contoso SSO"' in db.session.scalar(db.select(SecurityEvent.detail).where(
            SecurityEvent.type == "sso.refused"))


def test_an_answer_without_an_email_is_refused(app, person, sso, oidc):
    provider_id = add_provider(app, oidc.issuer)
    oidc.user("ray-sub", name="Ray")  # no email claim at all

    refused, _ = sso.sign_in(provider_id, "ray-sub")

    assert refused.status_code == 401 and "did not tell us your email address" in page_text(refused)
    assert _signed_in(app) == 0 and _reasons(app) == ["missing_email"]


def test_a_refusal_at_the_provider(app, person, sso, oidc, pat):
    location = oidc.consent(sso.start(pat), "pat-sub", action="deny")

    refused = sso.back(location)

    assert refused.status_code == 401 and "Your identity provider did not sign you in" in page_text(refused)
    assert _signed_in(app) == 0 and _reasons(app) == ["provider_error"]


def test_a_provider_that_is_down(app, person, client):
    with contextlib.closing(__import__("socket").socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens here
    provider_id = add_provider(app, f"http://localhost:{port}")
    down = client.get(f"/login/sso/{provider_id}")

    assert down.status_code == 503 and "We couldn't reach Contoso SSO" in page_text(down)
    assert _reasons(app) == ["provider_unreachable"]


def test_junk_callbacks_get_a_clear_page(app, client, oidc, pat):
    for query in ["", "?state=", "?state=" + "x" * 500, "?code=abc&state=nope", "?state=nope&code=" + "é" * 9]:
        answer = client.get(f"/login/sso/callback{query}")
        assert answer.status_code == 400, query
        assert "Start again from the sign-in page" in page_text(answer)
    assert _signed_in(app) == 0


def _token(person):
    from tests.conftest import csrf_token
    return csrf_token(person.client.get("/profile"))


def test_a_sign_in_started_for_one_area_does_not_finish_in_the_other(app, person, sso, oidc, pat):
    location = oidc.consent(sso.start(pat, area="/agent"), "pat-sub")
    query = urlsplit(location).query

    elsewhere = person.client.get(f"/login/sso/callback?{query}")  # the help center's callback

    assert elsewhere.status_code == 400 and "can't continue here" in page_text(elsewhere)
    assert person.client.get(f"/agent/login/sso/callback?{query}").status_code == 400  # and it is spent
    assert _signed_in(app) == 0 and _reasons(app) == ["wrong_place", "unknown_state"]


def test_a_discovery_document_naming_another_issuer_is_refused(app, client):
    import json

    import oidc_provider_mock
    real = oidc_provider_mock.app()

    def provider_claiming_another_issuer(environ, start_response):
        if environ["PATH_INFO"] != "/.well-known/openid-configuration":
            return real(environ, start_response)
        captured = {}
        body = b"".join(real(environ, lambda status, headers, exc_info=None: captured.update(status=status)))
        document = {**json.loads(body), "issuer": "https://someone-else.example"}
        start_response(captured["status"], [("Content-Type", "application/json")])
        return [json.dumps(document).encode()]

    with serve(provider_claiming_another_issuer) as issuer:
        provider_id = add_provider(app, issuer)
        refused = client.get(f"/login/sso/{provider_id}")

    assert refused.status_code == 503 and "is not set up correctly" in page_text(refused)
    assert _reasons(app) == ["issuer_mismatch"]
