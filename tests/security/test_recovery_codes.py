"""Recovery codes: shown once after the first authenticator, usable once each (even in a race), stored only as
argon2id hashes, replaced by a new set on request, counted, and every use told to the owner."""
import threading

from portal.extensions import db
from portal.models import RecoveryCode, SecurityEvent
from tests.conftest import csrf_token, page_text, setup_secret
from tests.security.helpers import (EMAIL, enrolled_agent, in_console, recovery_codes_on, sign_out,
                                    signed_in_agent, user_row)


def test_first_authenticator_shows_ten_codes_once_with_download_and_print(person, client, app):
    person.create()
    person.login()
    page = client.get("/agent/preferences/security/setup/1?new=1")
    secret = setup_secret(page)
    r = client.post("/agent/preferences/security/setup/1",
                    data={"csrf_token": csrf_token(page), "name": "Phone", "code": person.code(secret)})
    assert r.headers["Location"] == "/agent/security/recovery-codes?next=/agent/preferences/security"
    shown = client.get(r.headers["Location"])
    text = page_text(shown)
    codes = recovery_codes_on(shown)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(c.replace("-", "").isalnum() and not set(c) & set("ILOU") for c in codes)  # Crockford base32
    assert "Setup complete" in text and "they are shown only this once" in text
    assert "Download (.txt)" in text and "data-print" in text

    download = client.get("/agent/security/recovery-codes/download")
    assert download.status_code == 200 and download.mimetype == "text/plain"
    assert download.headers["Content-Disposition"] == 'attachment; filename="recovery-codes.txt"'
    assert download.headers["Cache-Control"] == "no-store"
    assert [line.split(". ")[1] for line in download.get_data(as_text=True).splitlines() if ". " in line
            and line[0].isdigit()] == codes

    done = client.post("/agent/security/recovery-codes/done",
                       data={"csrf_token": csrf_token(shown), "next": "/agent/preferences/security"})
    assert done.headers["Location"] == "/agent/preferences/security"
    again = client.get("/agent/security/recovery-codes")
    assert recovery_codes_on(again) == [] and "10 of 10" in page_text(again)
    gone = client.get("/agent/security/recovery-codes/download")
    assert gone.status_code == 404
    assert "only just after they are made" in page_text(gone)
    with app.app_context():
        hashes = [r.code_hash for r in db.session.scalars(db.select(RecoveryCode))]
    assert len(hashes) == 10 and all(h.startswith("$argon2id$") for h in hashes)
    assert not any(c.replace("-", "") in h or c in h for c in codes for h in hashes)


def test_codes_shown_once_expire_from_the_session_after_a_few_minutes(person, client):
    person.create()
    person.login()
    person.setup_totp()
    assert len(recovery_codes_on(client.get("/agent/security/recovery-codes"))) == 10
    person.clock.advance(16 * 60)
    assert recovery_codes_on(client.get("/agent/security/recovery-codes")) == []
    assert client.get("/agent/security/recovery-codes/download").status_code == 404


def test_a_second_authenticator_makes_no_new_codes(person, client, app):
    person.create()
    person.login()
    person.setup_totp(name="Phone")
    first = recovery_codes_on(client.get("/agent/security/recovery-codes"))
    client.post("/agent/security/recovery-codes/done", data={"csrf_token": csrf_token(client.get("/agent/"))})
    person.clock.advance(30)
    page = client.get("/agent/preferences/security/setup/1?new=1")
    r = client.post("/agent/preferences/security/setup/1", data={
        "csrf_token": csrf_token(page), "name": "Tablet", "code": person.code(setup_secret(page))})
    assert r.headers["Location"] == "/agent/preferences/security"
    assert len(first) == 10
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(RecoveryCode)) == 10


def test_the_challenge_offers_recovery_codes_only_while_some_are_left(person, client, app):
    enrolled_agent(person)
    person.login()
    wrong = person.post("/agent/login/verify", {"code": "000000"})  # its commit must not lose what was loaded
    assert wrong.status_code == 401 and "Use a recovery code" in page_text(wrong)
    with app.app_context():
        db.session.execute(db.update(RecoveryCode).values(used_at=person.clock.now()))
        db.session.commit()
    page = page_text(client.get("/agent/login/verify"))
    assert "Use a recovery code" not in page
    assert "Lost access to your authenticator and your recovery codes?" not in page
    assert "Lost access to your authenticator? Contact your helpdesk administrator." in page


def test_sign_in_with_a_recovery_code_once_and_the_owner_is_told(person, client, app, smtp_sink):
    secret, codes = enrolled_agent(person)
    person.login()
    challenge = page_text(client.get("/agent/login/verify"))
    assert "Use a recovery code" in challenge
    r = person.post("/agent/login/recovery", {"code": codes[3].lower().replace("-", " ")})  # typed loosely
    assert r.status_code == 302 and r.headers["Location"] == "/agent/"
    home = client.get("/agent/")
    assert home.status_code == 200
    assert "You signed in with a recovery code. 9 recovery codes left." in page_text(home)
    mail = smtp_sink.latest(EMAIL)
    assert mail["Subject"].endswith("A recovery code was used to sign in")
    assert codes[3] not in smtp_sink.text(mail) and codes[3].replace("-", "") not in smtp_sink.text(mail)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(RecoveryCode)
                                 .where(RecoveryCode.used_at.is_not(None))) == 1
        event = db.session.scalar(db.select(SecurityEvent).where(SecurityEvent.type == "2fa.recovery_used"))
        assert event.detail == '{"remaining": 9}'
    assert "9 of 10" in page_text(client.get("/agent/preferences/security"))

    sign_out(person)
    person.login()
    again = person.post("/agent/login/recovery", {"code": codes[3]})
    assert again.status_code == 401
    assert "That recovery code has already been used. Each code works once: use another one." in page_text(again)
    assert not in_console(client)
    assert secret


def test_wrong_and_malformed_recovery_codes(person, client, app):
    _, codes = enrolled_agent(person)
    person.login()
    wrong = person.post("/agent/login/recovery", {"code": "ZZZZZ-ZZZZZ" if "ZZZZZ-ZZZZZ" not in codes else "YYYYY-YYYYY"})
    assert wrong.status_code == 401
    assert "That recovery code isn't right. Check it against your saved codes and try again." in page_text(wrong)
    malformed = person.post("/agent/login/recovery", {"code": "12345"})
    assert malformed.status_code == 400
    assert "A recovery code is 10 letters and digits, like 4F7KQ-9XH2M." in page_text(malformed)
    assert user_row(app).failure_count == 1  # only the well-formed guess was charged
    assert not in_console(client)


def test_parallel_use_of_one_recovery_code_lets_exactly_one_in(app, person, client):
    _, codes = enrolled_agent(person)
    clients = [client, app.test_client(), app.test_client()]
    tokens = []
    for c in clients:  # three pending sign-ins (the attacker has the password and the code)
        page = c.get("/agent/login")
        c.post("/agent/login", data={"csrf_token": csrf_token(page), "email": EMAIL,
                                     "password": "correct horse battery"})
        tokens.append(csrf_token(c.get("/agent/login/recovery")))
    barrier = threading.Barrier(len(clients))
    results = []

    def submit(c, tok):
        barrier.wait()
        r = c.post("/agent/login/recovery", data={"csrf_token": tok, "code": codes[0]})
        results.append((r.status_code, r.headers.get("Location")))

    threads = [threading.Thread(target=submit, args=pair) for pair in zip(clients, tokens)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [(302, "/agent/"), (401, None), (401, None)], results
    assert sum(in_console(c) for c in clients) == 1
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(RecoveryCode)
                                 .where(RecoveryCode.used_at.is_not(None))) == 1


def test_new_set_needs_fresh_proof_and_kills_the_old_set(person, client, app, smtp_sink):
    secret, old = enrolled_agent(person)
    signed_in_agent(person, secret)
    person.clock.advance(11 * 60)  # the proof given at sign-in is no longer fresh
    page = client.get("/agent/security/recovery-codes")
    assert "10 of 10" in page_text(page) and "Make new recovery codes" in page_text(page)
    r = client.post("/agent/security/recovery-codes/new", data={"csrf_token": csrf_token(page)})
    assert r.status_code == 401 and "Confirm it's you" in page_text(r)  # asked in place; nothing made yet
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(SecurityEvent)
                                 .where(SecurityEvent.type == "2fa.recovery_regenerated")) == 0
    r = client.post("/agent/security/recovery-codes/new",
                    data={"csrf_token": csrf_token(r), "secret": "correct horse battery"})
    assert r.headers["Location"] == "/agent/security/recovery-codes"
    page = client.get("/agent/security/recovery-codes")
    new = recovery_codes_on(page)
    assert len(new) == 10 and not set(new) & set(old)
    assert "The old ones no longer work." in page_text(page)
    assert smtp_sink.latest(EMAIL)["Subject"].endswith("New recovery codes were made")

    sign_out(person)
    person.login()
    refused = person.post("/agent/login/recovery", {"code": old[0]})
    assert refused.status_code == 401 and "isn't right" in page_text(refused)
    assert person.post("/agent/login/recovery", {"code": new[0]}).headers["Location"] == "/agent/"


def test_last_codes_running_out_is_said_plainly(person, client, app):
    _, codes = enrolled_agent(person)
    with app.app_context():  # rows are stored in the order the codes were shown
        for row in db.session.scalars(db.select(RecoveryCode).order_by(RecoveryCode.id).limit(9)):
            row.used_at = person.clock.now()
        db.session.commit()
    person.login()
    assert person.post("/agent/login/recovery", {"code": codes[9]}).headers["Location"] == "/agent/"
    home = page_text(client.get("/agent/"))
    assert "You have used your last recovery code. Make a new set now" in home
    assert "You have no recovery codes left." in page_text(client.get("/agent/preferences/security"))


def test_mandatory_setup_at_sign_in_shows_the_codes_before_the_console(person, client, app):
    from portal.settings import set_setting
    person.create()
    with app.test_request_context():
        set_setting("require_agents_2fa", True)
        db.session.commit()
    r = person.login()
    assert r.headers["Location"] == "/agent/login/setup"
    page = client.get("/agent/login/setup")
    r = client.post("/agent/login/setup?instance=1", data={"csrf_token": csrf_token(page), "name": "Phone",
                                                           "code": person.code(setup_secret(page))})
    assert r.headers["Location"] == "/agent/security/recovery-codes?next=/agent/"
    shown = client.get(r.headers["Location"])
    assert shown.status_code == 200 and len(recovery_codes_on(shown)) == 10  # signed in, codes kept across


def test_help_center_person_gets_codes_too(person, client, app):
    person.create(email="eve@example.com", role="end-user", name="Eve")
    person.login(email="eve@example.com", area="")
    page = client.get("/profile/2fa/setup/1?new=1")
    r = client.post("/profile/2fa/setup/1", data={"csrf_token": csrf_token(page), "name": "Phone",
                                                  "code": person.code(setup_secret(page))})
    assert r.status_code == 302
    your_2fa = page_text(client.get("/profile/2fa"))
    assert "Your new recovery codes are ready." in your_2fa and "10 of 10" in your_2fa
    assert len(recovery_codes_on(client.get("/security/recovery-codes"))) == 10
