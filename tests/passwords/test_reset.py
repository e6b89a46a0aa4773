""""Forgot your password?": the same answer for every address, a single-use link mailed to the account's own area,
a new password that passes the rule, and then the normal sign-in: a reset never skips the second factor."""
import hashlib
import logging
import re

import pytest

from portal.extensions import db
from portal.models import PendingLogin, UserSession
from portal.settings import set_setting
from tests.conftest import Person, csrf_token, free_port, make_app, page_text, smtp_sink_for
from tests.passwords.conftest import EMAIL, EVE, NEW_PASSWORD, PASSWORD, SENT, ask_for_link, events, password_is, \
    reset_link, reset_rows, user_row
from tests.security.helpers import enrolled_agent, in_console, signed_in_agent

TOKEN = re.compile(r"/reset-password/([A-Za-z0-9_-]+)$")


def set_new_password(person, link, password=NEW_PASSWORD, again=None):
    return person.post(link, {"password": password, "password_again": password if again is None else again})


@pytest.mark.parametrize("area", ["/agent", ""])
def test_both_sign_in_pages_link_to_forgot_password(client, area):
    page = client.get(f"{area}/login")
    assert f'href="{area}/forgot-password"' in page.get_data(as_text=True)
    assert "Forgot your password?" in page_text(client.get(f"{area}/forgot-password"))


def test_the_answer_is_the_same_whether_or_not_the_address_has_an_account(person, app, smtp_sink):
    person.create()
    known, unknown = ask_for_link(person), ask_for_link(person, email="nobody@example.com")
    assert known.status_code == unknown.status_code == 200
    assert SENT in page_text(known)

    def answer(r):  # the page without its CSRF token, which differs on every page
        return re.sub(r'value="[^"]*"', "", r.get_data(as_text=True))
    assert answer(known) == answer(unknown)
    assert [m["X-Envelope-To"] for m in smtp_sink.messages] == [EMAIL]
    assert len(reset_rows(app)) == 1


def test_agent_resets_password_and_still_gives_the_second_factor(person, app, client, smtp_sink):
    secret, _codes = enrolled_agent(person)
    elsewhere = Person(app, app.test_client(), person.clock)  # signed in on another computer
    signed_in_agent(elsewhere, secret)
    person.clock.advance(30)
    assert ask_for_link(person).status_code == 200
    mail = smtp_sink.latest(EMAIL)
    assert mail["Subject"].endswith("Reset your password")
    link = reset_link(smtp_sink)
    assert link.startswith("/agent/reset-password/")
    token = TOKEN.search(link).group(1)
    assert len(token) >= 43  # 32 random bytes
    row = reset_rows(app)[0]
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in row.token_hash
    assert (row.expires_at - row.created_at).total_seconds() == 30 * 60

    page = client.get(link)
    assert page.status_code == 200 and "Choose a new password" in page_text(page)
    assert "For <strong>agent@example.com</strong>." in page_text(page)
    r = set_new_password(person, link)
    # The password is set; the sign-in goes on exactly as after a typed password: to the code challenge.
    assert r.status_code == 302 and r.headers["Location"] == "/agent/login/verify"
    assert password_is(app, NEW_PASSWORD) and not in_console(client) and not in_console(elsewhere.client)
    challenge = client.get("/agent/login/verify")
    assert "Your new password is set, and every browser that was signed in to your account is signed out." \
        in page_text(challenge)
    r = client.post("/agent/login/verify", data={"csrf_token": csrf_token(challenge), "code": person.code(secret)})
    assert r.status_code == 302 and in_console(client)
    assert events(app)[-4:] == ["password.reset", "login.password_ok", "login.success", "login.new_browser"] or \
        events(app)[-3:] == ["password.reset", "login.password_ok", "login.success"]
    assert any(m["Subject"].endswith("Your password was reset") for m in smtp_sink.to(EMAIL))
    # Used once: the link is spent.
    again = client.get(link)
    assert again.status_code == 410 and "This link has already been used" in page_text(again)


def test_a_recovery_code_works_after_a_reset(person, app, client, smtp_sink):
    _secret, codes = enrolled_agent(person)
    ask_for_link(person)
    r = set_new_password(person, reset_link(smtp_sink))
    assert r.headers["Location"] == "/agent/login/verify"
    r = person.post("/agent/login/recovery", {"code": codes[0]})
    assert r.status_code == 302 and in_console(client)


def test_mandatory_setup_follows_a_reset_when_2fa_is_required(person, app, client, smtp_sink):
    person.create()
    with app.app_context():
        set_setting("require_agents_2fa", True)
        db.session.commit()
    ask_for_link(person)
    r = set_new_password(person, reset_link(smtp_sink))
    assert r.status_code == 302 and r.headers["Location"] == "/agent/login/setup"
    assert not in_console(client)


def test_without_2fa_the_person_is_signed_in_with_the_new_password(person, app, client, smtp_sink):
    person.create(email=EVE, role="end-user", name="Eve Customer")
    ask_for_link(person, email=EVE, area="")
    link = reset_link(smtp_sink, EVE)
    assert link.startswith("/reset-password/")  # the help center's own page
    r = set_new_password(person, link)
    assert r.status_code == 302 and r.headers["Location"] == "/"
    assert client.get("/profile").status_code == 200 and password_is(app, NEW_PASSWORD, EVE)


def test_the_link_goes_to_the_accounts_own_area(person, app, client, smtp_sink):
    """Asked for at the help center, an agent's link still leads to the agent console; opened in the other
    area it is not valid there."""
    person.create()
    assert page_text(ask_for_link(person, area="")).count(SENT) == 1
    link = reset_link(smtp_sink)
    assert link.startswith("/agent/reset-password/")
    wrong_area = client.get(link.removeprefix("/agent"))
    assert wrong_area.status_code == 404 and "This link isn't valid." in page_text(wrong_area)
    assert client.get(link).status_code == 200


def test_a_weak_password_is_refused_and_the_link_still_works(person, app, client, smtp_sink):
    person.create()
    ask_for_link(person)
    link = reset_link(smtp_sink)
    for password, again, message in [
        ("password1234", None, "That password is too easy to guess. This is a very common password."),
        ("Sam Agent 1", None, "It contains your name or email address."),
        ("1234567", None, "Use a password of at least 8 characters."),
        (NEW_PASSWORD, "something else entirely", "The two new passwords aren't the same."),
        ("", None, "Choose a new password."),
    ]:
        r = set_new_password(person, link, password, again)
        assert r.status_code == 400 and message in page_text(r), password
    assert password_is(app, PASSWORD) and reset_rows(app)[0].used_at is None
    assert set_new_password(person, link).status_code == 302 and password_is(app, NEW_PASSWORD)


@pytest.mark.parametrize("token", ["junk", "x" * 43, "a" * 300, "%00" * 20])
def test_junk_links_are_refused_plainly(person, client, token):
    person.create()
    r = client.get(f"/agent/reset-password/{token}")
    assert r.status_code in (400, 404)
    r = client.post(f"/agent/reset-password/{token}", data={"password": NEW_PASSWORD,
                                                              "password_again": NEW_PASSWORD})
    assert r.status_code in (400, 404)
    assert password_is(person.app, PASSWORD)


def test_a_link_expires_after_30_minutes(person, app, client, smtp_sink):
    person.create()
    ask_for_link(person)
    link = reset_link(smtp_sink)
    page = client.get(link)
    person.clock.advance(30 * 60)
    r = client.post(link, data={"csrf_token": csrf_token(page), "password": NEW_PASSWORD,
                                "password_again": NEW_PASSWORD})
    assert r.status_code == 410 and "This link has expired: links work for 30 minutes." in page_text(r)
    assert 'href="/agent/forgot-password"' in r.get_data(as_text=True)
    assert password_is(app, PASSWORD)


def test_a_newer_link_voids_the_older_one_and_links_are_limited(person, app, client, smtp_sink):
    person.create()
    ask_for_link(person)
    first = reset_link(smtp_sink)
    ask_for_link(person)  # within a minute: nothing more is sent, the answer is the same
    assert len(smtp_sink.to(EMAIL)) == 1 and len(reset_rows(app)) == 1
    person.clock.advance(60)
    assert SENT in page_text(ask_for_link(person))
    second = reset_link(smtp_sink)
    assert first != second and client.get(first).status_code == 410 and client.get(second).status_code == 200
    for _ in range(5):  # at most 5 links an hour
        person.clock.advance(61)
        ask_for_link(person)
    assert len(smtp_sink.to(EMAIL)) == 5 and len(reset_rows(app)) == 5
    person.clock.advance(3600)
    ask_for_link(person)
    assert len(smtp_sink.to(EMAIL)) == 6


def test_a_reset_ends_every_session_and_pending_sign_in(person, app, client, smtp_sink):
    secret, _ = enrolled_agent(person)
    signed_in_agent(person, secret)
    half_way = Person(app, app.test_client(), person.clock)  # the old password typed, the code not yet
    assert half_way.login().headers["Location"] == "/agent/login/verify"
    ask_for_link(person)
    set_new_password(person, reset_link(smtp_sink))
    with app.app_context():
        user_id = user_row(app).id
        assert db.session.scalar(db.select(db.func.count()).select_from(UserSession)
                                 .where(UserSession.user_id == user_id)) == 0
        # Only the sign-in the reset itself started is left pending.
        assert db.session.scalar(db.select(db.func.count()).select_from(PendingLogin)) == 1
    r = half_way.client.get("/agent/login/verify")  # the sign-in half-way through with the old password is over
    assert r.status_code == 302 and r.headers["Location"] == "/agent/login"
    assert "Your sign-in has expired." in page_text(half_way.client.get("/agent/login"))
    assert not in_console(half_way.client)


def test_a_reset_forgets_wrong_passwords(person, app, smtp_sink):
    person.create()
    for _ in range(3):
        person.login(password="not the password")
    assert user_row(app).password_failures == 3
    ask_for_link(person)
    set_new_password(person, reset_link(smtp_sink))
    assert user_row(app).password_failures == 0


def test_a_mail_that_cannot_be_sent_leaves_no_link_and_the_same_answer(person, app, smtp_sink, caplog):
    person.create()
    app.config.update(MAIL_PORT=free_port(), MAIL_TIMEOUT=1)  # nothing listens there: the mail server is down
    with caplog.at_level(logging.WARNING):
        r = ask_for_link(person)
    assert r.status_code == 200 and SENT in page_text(r)
    assert reset_rows(app) == []
    assert "password reset link for user" in caplog.text


def test_no_token_or_password_reaches_the_log(person, app, client, smtp_sink, caplog):
    person.create()
    with caplog.at_level(logging.DEBUG):
        ask_for_link(person)
        link = reset_link(smtp_sink)
        set_new_password(person, link)
    token = TOKEN.search(link).group(1)
    # Every line the portal logged (not the test's own SMTP server, which logs what it receives).
    ours = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail."))
    assert "password.reset" in ours
    assert token not in ours and NEW_PASSWORD not in ours and PASSWORD not in ours
    with app.app_context():
        from portal.models import SecurityEvent
        details = " ".join(db.session.scalars(db.select(SecurityEvent.detail)))
    assert token not in details and NEW_PASSWORD not in details


def test_a_forged_form_changes_nothing(person, app, client, smtp_sink):
    person.create()
    ask_for_link(person)
    link = reset_link(smtp_sink)
    r = client.post(link, data={"csrf_token": "forged", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert r.status_code == 400 and password_is(app, PASSWORD) and reset_rows(app)[0].used_at is None
    r = client.post("/agent/forgot-password", data={"csrf_token": "forged", "email": EMAIL})
    assert r.status_code == 400 and len(smtp_sink.to(EMAIL)) == 1
    r = person.post("/agent/forgot-password", {"email": "not an address"})
    assert r.status_code == 400 and "Enter an email address like name@example.com." in page_text(r)


def test_forgot_and_reset_are_limited_per_address(tmp_path, pg_schema, clock):
    from portal.clock import set_clock
    app = make_app(tmp_path, pg_schema, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                   PORTAL_AUTH_RATE_LIMIT="2 per minute")
    set_clock(app, clock)
    try:
        with smtp_sink_for(app) as sink:
            person = Person(app, app.test_client(), clock)
            person.create()
            assert ask_for_link(person).status_code == 200
            statuses = [ask_for_link(person, email="nobody@example.com").status_code for _ in range(2)]
            assert statuses == [200, 429]
            link = reset_link(sink)
            statuses = [set_new_password(person, link, "password1234").status_code for _ in range(3)]
            assert statuses == [400, 400, 429]
            assert password_is(app, PASSWORD)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_cli_set_password_asks_twice_checks_the_rule_and_signs_out_everywhere(person, app, client, runner,
                                                                              smtp_sink):
    person.create()
    person.login()
    assert in_console(client)
    result = runner.invoke(args=["user", "set-password", EMAIL], input="password1234\npassword1234\n")
    assert result.exit_code == 1 and "This is a very common password." in result.output
    assert password_is(app, PASSWORD) and in_console(client)
    result = runner.invoke(args=["user", "set-password", EMAIL],
                           input=f"{NEW_PASSWORD}\nsomething else\n{NEW_PASSWORD}\n{NEW_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "Set a new password for agent@example.com; 1 session(s) signed out." in result.output
    assert NEW_PASSWORD not in result.output
    assert password_is(app, NEW_PASSWORD) and not in_console(client)
    assert events(app)[-1] == "password.set_by_admin"
    assert smtp_sink.latest(EMAIL)["Subject"].endswith("An administrator set a new password for you")
    result = runner.invoke(args=["user", "set-password", "nobody@example.com"])
    assert result.exit_code == 1 and "No account with the email nobody@example.com." in result.output
