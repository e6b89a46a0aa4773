"""A right code at the sign-in challenge goes the quick way (portal.twofactor.quick_signin): it must write exactly
what the general way writes and open the same session, and leave every other case, untouched, to the general way.
Run on SQLite and PostgreSQL (where its four writes are one statement)."""
import pytest
from sqlalchemy import update

from portal.extensions import db
from portal.models import Authenticator, PendingLogin, SecurityEvent, User
from portal.twofactor import quick_signin, totp
from tests.conftest import Person, page_text
from tests.security.helpers import EMAIL, PASSWORD, enrolled_agent, in_console, wrong_code

OTHER = "other@example.com"


@pytest.fixture
def accepted(monkeypatch):
    """What each call of quick_signin.accept returned, in order."""
    results = []
    real = quick_signin.accept

    def spy(area):
        results.append(real(area))
        return results[-1]

    monkeypatch.setattr(quick_signin, "accept", spy)
    return results


def traces(app, email: str) -> dict:
    """Everything a sign-in writes: the authenticator's replay guard, the account's budget and stamp, what is left
    of the pending sign-ins, and the events since the last sign-out."""
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == email))
        authenticator = db.session.scalar(db.select(Authenticator).where(Authenticator.user_id == user.id))
        events = db.session.scalar(db.select(db.func.count()).select_from(SecurityEvent)
                                   .where(SecurityEvent.user_id == user.id, SecurityEvent.type != "logout"))
        last_out = db.session.scalar(db.select(db.func.max(SecurityEvent.id))
                                     .where(SecurityEvent.user_id == user.id, SecurityEvent.type == "logout"))
        since = db.session.execute(db.select(SecurityEvent.type, SecurityEvent.detail, SecurityEvent.actor_id,
                                             SecurityEvent.ip, SecurityEvent.created_at)
                                   .where(SecurityEvent.user_id == user.id, SecurityEvent.id > last_out)
                                   .order_by(SecurityEvent.id)).all()
        return {"step": authenticator.last_used_step, "used_at": authenticator.last_used_at,
                "budget": (user.failure_count, user.next_attempt_at, user.admin_locked),
                "last_login_at": user.last_login_at, "session_version": user.session_version,
                "pending": db.session.scalar(db.select(db.func.count()).select_from(PendingLogin)
                                             .where(PendingLogin.user_id == user.id)),
                "events_since_sign_out": [tuple(e) for e in since], "events": events}


def session_of(app, client) -> dict:
    cookie = client.get_cookie("session")
    return app.session_interface.get_signing_serializer(app).loads(cookie.value)


@pytest.mark.parametrize("wrong_first", [0, 3])
@pytest.mark.parametrize("next_path", [None, "/agent/preferences/security"])
def test_the_quick_way_writes_and_opens_what_the_general_way_does(app, client, person, clock, accepted,
                                                                   monkeypatch, wrong_first, next_path):
    quick, general = person, Person(app, app.test_client(), clock)
    secret = {EMAIL: enrolled_agent(quick)[0], OTHER: enrolled_agent(general, email=OTHER, name="Sam Agent")[0]}
    clock.advance(30)
    for who, email in ((quick, EMAIL), (general, OTHER)):
        url = "/agent/login" + (f"?next={next_path}" if next_path else "")
        assert who.post(url, {"email": email, "password": PASSWORD}).headers["Location"] == "/agent/login/verify"
        for _ in range(wrong_first):
            assert who.post("/agent/login/verify", {"code": wrong_code(who, secret[email])}).status_code == 401
    assert accepted == [None] * (2 * wrong_first)  # a wrong code is the general way's

    r_quick = quick.post("/agent/login/verify", {"code": quick.code(secret[EMAIL])})
    assert len(accepted) == 2 * wrong_first + 1 and accepted[-1] is not None
    monkeypatch.setattr(quick_signin, "accept", lambda area: None)  # the general way alone
    r_general = general.post("/agent/login/verify", {"code": general.code(secret[OTHER])})

    assert r_quick.status_code == r_general.status_code == 302
    assert r_quick.headers["Location"] == r_general.headers["Location"] == (next_path or "/agent/")
    quick_traces, general_traces = traces(app, EMAIL), traces(app, OTHER)
    assert quick_traces == general_traces
    assert quick_traces["budget"] == (0, None, False) and quick_traces["last_login_at"] == clock.now()
    assert quick_traces["events_since_sign_out"][-1][:2] == ("login.success", '{"how": "totp"}')
    quick_session, general_session = session_of(app, quick.client), session_of(app, general.client)
    assert quick_session.pop("_user_id").split(":")[1] == general_session.pop("_user_id").split(":")[1]
    assert quick_session == general_session and {"area", "fresh_at", "_fresh", "_id"} <= set(quick_session)
    assert "pending_login" not in quick_session
    assert in_console(quick.client) and in_console(general.client)


def test_what_the_quick_way_leaves_to_the_general_way(app, client, person, accepted):
    secret, _ = enrolled_agent(person)
    person.login()
    refusals = [({"code": wrong_code(person, secret)}, 401, "isn't right"),
                ({"code": "12a456"}, 400, "letters aren't part of it"),
                ({"code": person.code(secret), "authenticator_id": "999999"}, 404, "")]
    for form, status, message in refusals:
        r = person.post("/agent/login/verify", form)
        assert r.status_code == status and message in page_text(r), form
    assert accepted == [None] * len(refusals)
    # "Remember this device" is the general way's too (it writes a remembered device): it signs in.
    r = person.post("/agent/login/verify", {"code": person.code(secret), "remember": "y"})
    assert r.status_code == 302 and accepted[-1] is None and in_console(client)


@pytest.mark.parametrize("meanwhile, status, message", [
    ("step used", 401, "already been used"),  # another request claimed this step first
    ("account locked", 403, "locked"),  # an admin lock landed after the read
    ("sign-in ended", 302, "Your sign-in has expired"),  # another request finished this sign-in first
])
def test_a_write_that_finds_its_row_changed_keeps_nothing(app, client, person, accepted, monkeypatch,
                                                          meanwhile, status, message):
    secret, _ = enrolled_agent(person)
    person.login()
    before = traces(app, EMAIL)
    real_claim = totp.step_claim

    def claim_then_change(*args):
        claim = real_claim(*args)
        changes = {"step used": update(Authenticator).values(last_used_step=claim["step"]),
                   "account locked": update(User).values(admin_locked=True),
                   "sign-in ended": PendingLogin.__table__.delete()}
        with db.engine.begin() as other:  # another request's transaction, committed between the read and the writes
            other.execute(changes[meanwhile])
        return claim

    monkeypatch.setattr(totp, "step_claim", claim_then_change)
    r = person.post("/agent/login/verify", {"code": person.code(secret)}, follow=False)
    assert accepted == [None]
    monkeypatch.setattr(totp, "step_claim", real_claim)
    after = traces(app, EMAIL)
    assert after["last_login_at"] == before["last_login_at"] and not in_console(client)
    if meanwhile != "step used":  # the step the quick way claimed went back with the rest
        assert after["step"] == before["step"]
    assert "login.success" not in [e[0] for e in after["events_since_sign_out"]]
    assert r.status_code == status
    if status == 302:  # back to the password, told why
        assert r.headers["Location"] == "/agent/login"
        r = client.get(r.headers["Location"])
    assert message in page_text(r)


def test_a_right_code_in_a_forged_form_is_refused_before_either_way(app, client, person, accepted):
    secret, _ = enrolled_agent(person)
    person.login()
    r = client.post("/agent/login/verify", data={"code": person.code(secret)})  # no CSRF token
    assert r.status_code == 400 and accepted == [] and not in_console(client)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(PendingLogin)) == 1  # still waiting


def test_the_person_signed_in_the_quick_way_is_the_whole_row_if_the_request_reads_it(app, client, person, accepted):
    """The quick way hands Flask-Login only an id, kind and session version; anything later in the same request
    that reads current_user gets the person as loaded by the user loader, every column there."""
    from flask import request_finished
    from flask_login import current_user
    secret, _ = enrolled_agent(person)
    seen = []

    def read_current_user(sender, response):
        if current_user.is_authenticated:
            seen.append((current_user.email, current_user.kind, current_user.last_login_at is not None,
                         db.session.object_session(current_user._get_current_object()) is db.session()))

    person.login()
    with request_finished.connected_to(read_current_user, app):
        person.post("/agent/login/verify", {"code": person.code(secret)}, follow=False)
    assert accepted[-1] is not None and seen == [(EMAIL, "agent", True, True)]
