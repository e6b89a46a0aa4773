"""Request ids and JSON log lines: an id from X-Request-ID (or made up) comes back in the response and on error
pages; LOG_FORMAT=json writes one object per line with time, level, logger, message, request_id and user_id, and
a whole sign-in life (TOTP set up, an email code, a recovery code) leaves no secret, code, password or token in it."""
import re

import pytest

from tests.conftest import page_text
from tests.email.flows import ask_for_code, enter_code, set_up_email
from tests.ops.conftest import json_lines
from tests.security.helpers import EMAIL, PASSWORD, recovery_codes_on, sign_out

FIELDS = {"time", "level", "logger", "message", "request_id", "user_id"}


def test_a_request_id_is_made_up_or_taken_from_the_header(client):
    made = client.get("/agent/login")
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers["X-Request-ID"])
    assert client.get("/agent/login").headers["X-Request-ID"] != made.headers["X-Request-ID"]
    given = client.get("/agent/login", headers={"X-Request-ID": "lb-7f3a:42/xyz"})
    assert given.headers["X-Request-ID"] == "lb-7f3a:42/xyz"
    for junk in ("x" * 65, "has space", "tab\there", "<é>", ""):
        r = client.get("/agent/login", headers={"X-Request-ID": junk})
        assert r.status_code == 200 and re.fullmatch(r"[0-9a-f]{32}", r.headers["X-Request-ID"]), junk


def test_error_pages_show_the_reference_support_can_search_for(app, client, capsys):
    @app.get("/ops-test-boom")
    def boom():
        raise RuntimeError("a value that must not be shown")

    r = client.get("/no-such-page", headers={"X-Request-ID": "ticket-1234"})
    assert r.status_code == 404 and r.headers["X-Request-ID"] == "ticket-1234"
    assert "Reference: <code>ticket-1234</code>" in r.get_data(as_text=True)

    r = client.get("/ops-test-boom")
    assert r.status_code == 500
    reference = r.headers["X-Request-ID"]
    assert f"Reference: <code>{reference}</code>" in r.get_data(as_text=True)
    assert "must not be shown" not in page_text(r)
    assert f"[{reference}] unhandled error" in capsys.readouterr().err  # the text line support finds by it


@pytest.mark.app_config(LOG_FORMAT="json")
def test_the_reference_finds_the_json_line_of_a_failure(app, client, capsys):
    @app.get("/ops-test-boom")
    def boom():
        raise RuntimeError("a value only the exception holds")

    capsys.readouterr()
    r = client.get("/ops-test-boom", headers={"X-Request-ID": "support-ref-1"})
    assert r.status_code == 500 and "Reference: <code>support-ref-1</code>" in r.get_data(as_text=True)
    lines = [line for line in json_lines(capsys.readouterr().err) if line["request_id"] == "support-ref-1"]
    assert [(line["level"], line["logger"], line["message"]) for line in lines] == \
        [("ERROR", "portal.errors", "unhandled error")]
    assert lines[0]["exc_type"] == "RuntimeError" and "only the exception" not in str(lines[0])
    assert lines[0]["stack"][-1].endswith(" in boom")


def test_an_unknown_log_format_refuses_to_start():
    from portal import create_app
    from portal.config import TestConfig
    with pytest.raises(RuntimeError, match='LOG_FORMAT must be "text" or "json"'):
        create_app(TestConfig, LOG_FORMAT="yaml")


@pytest.mark.app_config(LOG_FORMAT="json")
def test_json_lines_through_a_sign_in_life_hold_no_secret(app, person, client, smtp_sink, capsys):
    capsys.readouterr()
    user_id = person.create()
    # Password only, then email as the first second factor (with its code), and the recovery codes shown once.
    person.login()
    set_up_email(person, smtp_sink)
    recovery = recovery_codes_on(client.get("/agent/security/recovery-codes"))
    assert len(recovery) == 10
    sign_out(person)
    # Sign in with an emailed code.
    person.clock.advance(61)
    person.login()
    ask_for_code(person)
    r = enter_code(person, smtp_sink.latest_code(EMAIL))
    assert r.status_code == 302 and r.headers["Location"] == "/agent/", page_text(r)
    session_cookie = client.get_cookie("session").value
    sid = app.session_interface.get_signing_serializer(app).loads(session_cookie)["sid"]
    # Add an authenticator app (its secret and first code), then sign out and in with a recovery code.
    secret = person.setup_totp()
    totp_code = person.code(secret)
    sign_out(person)
    person.clock.advance(30)
    person.login()
    r = person.post("/agent/login/recovery", {"code": recovery[4]})
    assert r.status_code == 302, page_text(r)
    assert client.get("/agent/").status_code == 200

    email_codes = sorted({code for message in smtp_sink.to(EMAIL)
                          for code in smtp_sink.CODE.findall(smtp_sink.text(message))})
    assert len(email_codes) == 2  # the setup's and the sign-in's
    lines = json_lines(capsys.readouterr().err)
    assert lines, "nothing was logged"
    for line in lines:
        assert FIELDS <= set(line), line
        assert line["level"] in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", line["time"])

    # The security events, one JSON line each, as a log shipper forwards them.
    events = [line["event"] for line in lines if line["logger"] == "portal.security.events"]
    types = [e["type"] for e in events]
    for expected in ("2fa.email_sent", "2fa.setup", "login.success", "2fa.recovery_used"):
        assert expected in types, types
    for e in events:
        assert set(e) == {"id", "type", "user_id", "actor_id", "ip", "time", "details", "request_id"}
        assert e["user_id"] == user_id and e["ip"] == "127.0.0.1"
    assert [e["details"]["how"] for e in events if e["type"] == "login.success"] == ["password", "email", "recovery"]
    # Lines written while the person was signed in carry their id (read from the loaded session, no query).
    assert any(line["user_id"] == user_id for line in lines)
    assert all(line["user_id"] in (None, user_id) for line in lines)
    # Every line of a request carries that request's id.
    assert all(line["request_id"] for line in lines)

    everything = capsys_text = "\n".join(str(line) for line in lines)
    secrets_seen = {"TOTP secret": secret, "spaced secret": " ".join(re.findall(".{1,4}", secret)),
                    "password": PASSWORD, "session token": sid, "session cookie": session_cookie}
    for what, value in secrets_seen.items():
        assert value not in everything, f"the {what} is in the log"
    for code in [*email_codes, totp_code]:
        assert not re.search(rf"(?<![0-9a-f]){code}(?![0-9a-f])", capsys_text), f"code {code} is in the log"
    for code in recovery:
        assert code not in everything and code.replace("-", "") not in everything, "a recovery code is in the log"
