"""Prometheus metrics: off unless METRICS_PATH is set, never public by accident (a token or allowed addresses, or
the portal refuses to start), request latency by endpoint and status, and security counters derived from the
security log once each event commits."""
import re

import pytest
from prometheus_client.parser import text_string_to_metric_families

from portal import create_app, security_log
from portal.config import TestConfig
from portal.extensions import db
from portal.admin.event_words import detail_words
from portal.models import SecurityEvent
from tests.security.helpers import enrolled_agent, sign_out, signed_in_agent, wrong_code

TOKEN = "metrics-token-for-tests-0123456789"
ON = {"METRICS_PATH": "/metrics", "METRICS_TOKEN": TOKEN}


def scrape(client, token=TOKEN) -> dict:
    """{(name, frozenset(labels)): value} of every sample, as Prometheus reads it."""
    r = client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.status_code
    assert r.mimetype == "text/plain"
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(r.get_data(as_text=True)) for s in family.samples}


def value(samples, name, **labels) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_off_by_default(client):
    assert client.get("/metrics").status_code == 404


def test_a_metrics_path_without_a_guard_refuses_to_start_outside_debug():
    with pytest.raises(RuntimeError, match="METRICS_PATH is set but the metrics would be public"):
        create_app(TestConfig, METRICS_PATH="/metrics")
    create_app(TestConfig, METRICS_PATH="/metrics", DEBUG=True)  # a developer's machine may leave it open
    with pytest.raises(RuntimeError, match="is not an address or a network"):
        create_app(TestConfig, METRICS_PATH="/metrics", METRICS_ALLOWED_IPS="10.0.0.300")
    with pytest.raises(RuntimeError, match="must be a path"):
        create_app(TestConfig, METRICS_PATH="metrics", METRICS_TOKEN=TOKEN)


@pytest.mark.app_config(**ON)
def test_the_token_is_required(client):
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": f"Basic {TOKEN}"}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    assert client.post("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 405


@pytest.mark.app_config(METRICS_PATH="/internal/metrics", METRICS_ALLOWED_IPS="10.0.0.0/8, 192.0.2.7")
def test_allowed_addresses_only(client):
    assert client.get("/internal/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200
    assert client.get("/internal/metrics", environ_base={"REMOTE_ADDR": "192.0.2.7"}).status_code == 200
    assert client.get("/internal/metrics").status_code == 403  # 127.0.0.1
    assert client.get("/metrics").status_code == 404


@pytest.mark.app_config(METRICS_PATH="/metrics", METRICS_TOKEN=TOKEN, METRICS_ALLOWED_IPS="127.0.0.1")
def test_with_both_guards_both_must_pass(client):
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"},
                      environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code == 403
    assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


@pytest.mark.app_config(**ON)
def test_sign_ins_and_refused_codes_are_counted(app, person, client):
    secret, codes = enrolled_agent(person)  # one sign-in with a password only (before 2FA existed)
    for _ in range(3):  # three sign-ins with the authenticator app
        signed_in_agent(person, secret)
        sign_out(person)
    person.login()
    person.clock.advance(30)
    assert person.post("/agent/login/verify", {"code": wrong_code(person, secret)}).status_code == 401  # wrong
    used = person.code(secret)
    assert person.post("/agent/login/verify", {"code": used}).status_code == 302
    sign_out(person)
    person.login()
    assert person.post("/agent/login/verify", {"code": used}).status_code == 401  # the same code again: replay
    assert person.post("/agent/login/recovery", {"code": codes[0]}).status_code == 302

    samples = scrape(client)
    assert value(samples, "portal_sign_ins_total", how="password") == 1
    assert value(samples, "portal_sign_ins_total", how="totp") == 4
    assert value(samples, "portal_sign_ins_total", how="recovery") == 1
    assert value(samples, "portal_refused_codes_total", reason="wrong") == 1
    assert value(samples, "portal_refused_codes_total", reason="replay") == 1
    assert value(samples, "portal_security_events_total", type="login.success") == 6
    assert value(samples, "portal_security_events_total", type="2fa.setup") == 1
    # Latency by endpoint and status: every password POST was timed (one GET of the form before each).
    assert value(samples, "flask_http_request_duration_seconds_count", method="POST", status="302",
                 endpoint="agent.login") == 6
    assert value(samples, "flask_http_request_duration_seconds_count", method="POST", status="401",
                 endpoint="agent.login_verify") == 2
    # The checks and the scrape itself are not timed.
    client.get("/healthz")
    client.get("/readyz")
    assert not any(dict(labels).get("endpoint", "").startswith("health") for _, labels in scrape(client))


@pytest.mark.app_config(**ON)
def test_refusals_while_waiting_and_while_locked_are_told_apart(app, person, client):
    """The first 5 wrong codes are free; then each one makes the next wait (refused: "throttled"); the 10th locks the
    account for 15 minutes (refused: "locked"). The security log says which, and so do the counters."""
    secret, _codes = enrolled_agent(person)

    def wrong_attempt():
        person.login()
        return person.post("/agent/login/verify", {"code": wrong_code(person, secret)})

    for _ in range(6):
        person.clock.advance(600)  # past any wait (and the pending sign-in: a new one each time)
        wrong_attempt()
    wrong_attempt()  # at once: the account must wait after the sixth
    for _ in range(4):
        person.clock.advance(600)
        wrong_attempt()
    wrong_attempt()  # the tenth locked it
    samples = scrape(client)
    assert value(samples, "portal_refused_codes_total", reason="wrong") == 10
    assert value(samples, "portal_refused_codes_total", reason="throttled") == 1
    assert value(samples, "portal_refused_codes_total", reason="locked") == 1
    assert value(samples, "portal_account_locks_total") == 1
    with app.app_context():
        refused = list(db.session.scalars(
            db.select(SecurityEvent).where(SecurityEvent.type == "2fa.throttled").order_by(SecurityEvent.id)))
        assert [security_log.details(e).get("reason") for e in refused] == ["throttled", "locked"]
        # and the admin's security log says it in words
        assert [detail_words(e) for e in refused] == [
            "with Authenticator app, while the account had to wait between tries",
            "with Authenticator app, while the account was locked"]


@pytest.mark.app_config(**ON)
def test_counters_come_from_the_security_log_after_commit(app, person, client):
    user_id = person.create()
    with app.app_context():
        security_log.record("2fa.locked", user_id, lock="15 minutes")
        db.session.rollback()  # never happened: not counted
        security_log.record("2fa.locked", user_id, lock="15 minutes")
        security_log.record("2fa.admin_reset", user_id, actor=user_id, removed=2)
        security_log.record("2fa.email_failed", user_id, purpose="login")
        security_log.record("2fa.throttled", user_id, method="totp")
        security_log.record("password.reset_requested", user_id)
        security_log.record("login.success", user_id, how="<script>weird how</script>")
        security_log.record("login.success", user_id, how="provider_mfa", sso="Contoso SSO")
        security_log.record("login.success", user_id, how="totp", sso="Contoso SSO")
        security_log.record("recovery.requested", user_id)
        security_log.record("recovery.cancelled", user_id)
        assert value(scrape(client), "portal_account_locks_total") == 0  # not committed yet
        db.session.commit()
    samples = scrape(client)
    assert value(samples, "portal_account_locks_total") == 1
    assert value(samples, "portal_admin_2fa_resets_total") == 1
    assert value(samples, "portal_mail_failures_total", purpose="login") == 1
    assert value(samples, "portal_refused_codes_total", reason="throttled") == 1
    assert value(samples, "portal_password_reset_requests_total") == 1
    assert value(samples, "portal_sign_ins_total", how="other") == 1  # a label never takes arbitrary text
    assert value(samples, "portal_sso_sign_ins_total", mfa="provider") == 1
    assert value(samples, "portal_sso_sign_ins_total", mfa="portal") == 1
    assert value(samples, "portal_account_recoveries_total", step="requested") == 1
    assert value(samples, "portal_account_recoveries_total", step="cancelled") == 1


def test_the_admin_reset_from_the_command_line_is_counted_in_its_own_process(tmp_path, pg_schema, clock):
    """The CLI is another process: its counts are its own (and in multiprocess mode land in the shared files)."""
    from tests.conftest import Person, make_app
    app = make_app(tmp_path, pg_schema, **ON)
    person = Person(app, app.test_client(), clock)
    person.create()
    result = app.test_cli_runner().invoke(args=["user", "reset-2fa", "agent@example.com"])
    assert result.exit_code == 0, result.output
    assert re.search(r"portal_admin_2fa_resets_total 1\.0", app.test_client().get(
        "/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).get_data(as_text=True))
