"""Secrets: no TOTP secret, code, recovery code or password in any log line (SQL included), in the database in
clear, or readable in the session cookie; a missing or wrong encryption key refuses sign-in loudly and never
falls back to password-only; `rotate-keys` re-encrypts every secret while the old key still reads."""
import base64
import json
import logging
import zlib

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from portal import create_app
from portal.config import TestConfig
from portal.crypto import KeyRing, SecretsUnavailable, parse_keys
from portal.extensions import db
from portal.keys import MissingKeys
from portal.models import Authenticator
from tests.conftest import page_text, setup_secret
from tests.security.helpers import PASSWORD, enrolled_agent, in_console, recovery_codes_on, sign_out, user_row

UNAVAILABLE = "Two-factor sign-in is unavailable right now. Contact your helpdesk administrator."


def cookie_payload(client) -> str:
    """What anyone holding the session cookie can read (Flask signs it; it does not encrypt it)."""
    value = client.get_cookie("session").value
    compressed, payload = value.startswith("."), value.lstrip(".").split(".")[0]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    return (zlib.decompress(raw) if compressed else raw).decode()


def every_value_in_the_database(app) -> str:
    with app.app_context():
        values = []
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(text(f'SELECT * FROM "{table.name}"')):
                values += [str(v) for v in row]
        return "\n".join(values)


def test_no_secret_or_code_in_logs_database_or_cookie(app, person, client, caplog):
    caplog.set_level(logging.DEBUG)  # everything, SQL statements and their parameters included
    caplog.set_level(logging.DEBUG, logger="sqlalchemy.engine")
    person.create()
    person.login()
    setup_page = client.get("/agent/preferences/security/setup/1?new=1")
    secret = setup_secret(setup_page)
    assert secret not in cookie_payload(client)  # the secret waiting for its first code is encrypted
    setup_code = person.code(secret)
    person.post_from("/agent/preferences/security/setup/1", "/agent/preferences/security/setup/1",
                     {"name": "Phone", "code": setup_code})
    shown = recovery_codes_on(client.get("/agent/security/recovery-codes"))
    assert shown and not any(code in cookie_payload(client) for code in shown)
    sign_out(person)
    person.clock.advance(30)
    person.login()
    wrong = "000000" if person.code(secret) != "000000" else "111111"
    person.post("/agent/login/verify", {"code": wrong})
    login_code = person.code(secret)
    person.post("/agent/login/verify", {"code": login_code})
    sign_out(person)
    person.login()
    person.post("/agent/login/recovery", {"code": shown[0]})
    assert in_console(client)

    plain = [secret, setup_code, login_code, PASSWORD] + shown + [c.replace("-", "") for c in shown]
    logs = caplog.text + "\n".join(str(r.args) for r in caplog.records)
    assert "SELECT" in logs  # the SQL log was on
    stored = every_value_in_the_database(app)
    for value in plain:
        assert value not in logs, "a secret or code was logged"
        assert value not in stored, "a secret or code is stored in clear"
    assert secret.lower() not in stored.lower()


def test_a_wrong_key_refuses_sign_in_loudly_and_never_downgrades(app, person, client, caplog):
    secret, codes = enrolled_agent(person)
    wrong_key = Fernet.generate_key().decode()
    app.extensions["portal_keyring"] = KeyRing([wrong_key])  # a deploy with the wrong key
    person.login()
    for _ in range(12):  # more than the free failures and the 10 that start a lock
        r = person.post("/agent/login/verify", {"code": person.code(secret)})
        assert r.status_code == 503 and UNAVAILABLE in page_text(r)
    assert not in_console(client)
    assert "the encryption keys cannot read the stored secret" in caplog.text
    # No code was compared, so nothing was charged: a deploy with the wrong key does not lock everyone out.
    user = user_row(app)
    assert (user.failure_count, user.next_attempt_at, user.admin_locked) == (0, None, False)
    assert wrong_key not in caplog.text and app.config["PORTAL_ENCRYPTION_KEYS"] not in caplog.text
    # The password alone never finishes the sign-in, whatever page is tried next.
    for url in ("/agent/", "/agent/login/setup", "/agent/preferences/security"):
        client.get(url)
    assert not in_console(client)
    assert codes  # recovery codes are hashes, not secrets: they still work for the person who kept them


@pytest.mark.parametrize("keys, error", [("", MissingKeys), ("not-a-fernet-key", SecretsUnavailable)])
def test_the_portal_refuses_to_start_without_a_usable_key(tmp_path, keys, error):
    with pytest.raises(error) as raised:
        create_app(TestConfig, PORTAL_ENCRYPTION_KEYS=keys, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/x.db")
    if keys:
        assert keys not in str(raised.value)


def test_rotate_keys_re_encrypts_while_the_old_key_still_reads(app, person, client, runner):
    secret, _ = enrolled_agent(person)
    old_key, new_key = app.config["PORTAL_ENCRYPTION_KEYS"], Fernet.generate_key().decode()
    with app.app_context():
        before = db.session.scalar(db.select(Authenticator.secret_enc))

    app.extensions["portal_keyring"] = KeyRing(parse_keys(f"{new_key},{old_key}"))  # new first, old still read
    person.login()
    assert person.post("/agent/login/verify", {"code": person.code(secret)}).headers["Location"] == "/agent/"
    result = runner.invoke(args=["rotate-keys"])
    assert result.exit_code == 0 and "Re-encrypted 1 secret(s) with the current key." in result.output
    with app.app_context():
        after = db.session.scalar(db.select(Authenticator.secret_enc))
    assert after != before and after.startswith("g1:") and KeyRing([new_key]).decrypt(after) == secret

    sign_out(person)
    app.extensions["portal_keyring"] = KeyRing([new_key])  # the old key retired
    person.clock.advance(30)
    person.login()
    assert person.post("/agent/login/verify", {"code": person.code(secret)}).headers["Location"] == "/agent/"
    assert json.dumps(old_key) not in result.output and old_key not in result.output


def test_secrets_are_sealed_with_aes_gcm_and_older_fernet_ones_still_read():
    key = Fernet.generate_key().decode()
    ring = KeyRing([key])
    first, second = ring.encrypt("JBSWY3DPEHPK3PXP"), ring.encrypt("JBSWY3DPEHPK3PXP")
    assert first.startswith("g1:") and first != second  # a fresh nonce each time
    assert ring.decrypt(first) == ring.decrypt(second) == "JBSWY3DPEHPK3PXP"
    older = Fernet(key.encode()).encrypt(b"JBSWY3DPEHPK3PXP").decode()  # as stored before 2026-12-02
    assert ring.decrypt(older) == "JBSWY3DPEHPK3PXP"
    assert ring.rotate(older).startswith("g1:") and ring.decrypt(ring.rotate(older)) == "JBSWY3DPEHPK3PXP"


@pytest.mark.parametrize("damage", ["flip", "truncate", "junk", "empty", "other key"])
def test_a_damaged_or_foreign_secret_is_refused_not_misread(damage):
    key = Fernet.generate_key().decode()
    ring = KeyRing([key])
    sealed = ring.encrypt("JBSWY3DPEHPK3PXP")
    body = sealed[len("g1:"):]
    token = {"flip": "g1:" + body[:20] + ("A" if body[20] != "A" else "B") + body[21:],
             "truncate": sealed[:12], "junk": "g1:%%%not base64%%%", "empty": "g1:",
             "other key": KeyRing([Fernet.generate_key().decode()]).encrypt("JBSWY3DPEHPK3PXP")}[damage]
    with pytest.raises(SecretsUnavailable):
        ring.decrypt(token)
