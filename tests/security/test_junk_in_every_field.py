"""Junk in every field: arbitrary text posted (with a valid CSRF token, so it reaches the views) to every form of
every area, as a stranger, halfway through sign-in, and signed in as an agent-admin and as an end user, never
gets a 500. Property-based (hypothesis), bounded to a few dozen examples per form."""
import re

import pytest
from pyotp import random_base32
from sqlalchemy import update
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from portal.crypto import encrypt
from portal.extensions import db
from portal.models import Authenticator, PendingLogin, User
from tests.conftest import csrf_token
from tests.security.helpers import enrolled_agent, signed_in_agent
from tests.security.test_no_way_around import every_route

# Tried in every field at once before the random examples: the values that have broken forms elsewhere.
NASTY = ["", "-1", "999999999999999999999999", "²", "１２３４５６", "' OR 1=1 --", "\x00", "<script>x</script>",
         "//evil.com", "on", "🙂" * 30, "A" * 5000, "ZZZZZ-ZZZZZ", "000000"]
JUNK = st.one_of(st.text(max_size=40), st.sampled_from(NASTY), st.text(min_size=200, max_size=1500))
EXAMPLES = settings(max_examples=25, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
# Signing out (the logout button, or "Sign out" on this browser's own row in Your sessions: id 1 is it) would end
# the state the forms are meant to be tried in; they have no fields anyway.
SKIP = re.compile(r"/logout$|/security/sessions/\d+/end$")


def field_names(client, urls) -> list[str]:
    """Every form field name the pages of this state show (new forms are picked up as they are added)."""
    names = {"code", "name", "secret", "email", "password", "next", "authenticator_id", "instance", "confirm"}
    for url in urls:
        names |= set(re.findall(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"', client.get(url).get_data(
            as_text=True)))
    return sorted(names - {"csrf_token"})


def fresh_budget(app):
    """Between examples: the account's failure budget and the pending sign-in's tries start over, so every
    example reaches the code checks instead of meeting "wait a little" (that refusal is tested elsewhere)."""
    with app.app_context():
        db.session.execute(update(User).values(failure_count=0, next_attempt_at=None, admin_locked=False))
        db.session.execute(update(PendingLogin).values(failures=0))
        db.session.commit()


def fuzz(client, posts, names, token_page, before=lambda: None):
    for url in posts:
        @EXAMPLES
        @given(fields=st.dictionaries(st.sampled_from(names), JUNK, max_size=6),
               query=st.dictionaries(st.sampled_from(["next", "instance", "with"]), JUNK, max_size=2))
        def post_junk(fields, query):
            fresh_budget(client.application)
            before()
            token = csrf_token(client.get(token_page))
            r = client.post(url, query_string=query, data={**fields, "csrf_token": token})
            assert r.status_code != 500, (url, fields, query)

        for value in NASTY:
            post_junk = example(fields=dict.fromkeys(names, value), query=dict.fromkeys(["next", "instance"], value))(
                post_junk)
        post_junk()


def routes(app, prefix_re):
    all_routes = every_route(app)
    gets = [u for u, m in all_routes if m == "GET" and re.match(prefix_re, u)]
    posts = [u for u, m in all_routes if m == "POST" and re.match(prefix_re, u) and not SKIP.search(u)]
    return gets, posts


def other_person(person) -> int:
    """Someone else to be the target of ids in URLs (so an admin form can't remove the admin's own factor)."""
    person.create(email="other@example.com", name="Other Agent")
    with person.app.app_context():
        return db.session.scalar(db.select(User.id).where(User.email == "other@example.com"))


@pytest.mark.parametrize("state", ["stranger", "halfway through sign-in"])
def test_sign_in_forms_take_any_junk(app, person, client, state):
    secret, _ = enrolled_agent(person)
    halfway = state == "halfway through sign-in"

    def still_halfway():
        with client.session_transaction() as session:
            pending = "pending_login" in session
        if halfway and not pending:
            person.login()

    still_halfway()
    gets, posts = routes(app, r"^/(agent/)?(login|register)")
    fuzz(client, posts, field_names(client, gets), "/agent/login/verify" if halfway else "/agent/login",
         before=still_halfway)
    assert secret


def test_agent_and_admin_forms_take_any_junk(app, person, client):
    secret, _ = enrolled_agent(person)
    with app.app_context():
        db.session.scalar(db.select(User)).is_admin = True
        db.session.commit()
    other = other_person(person)
    signed_in_agent(person, secret)
    gets, posts = routes(app, r"^/(agent|admin)/(?!login)")
    posts = [re.sub(r"/1(?=/|$)", f"/{other}", url) if "/agents/" in url or "/end-users/" in url else url
             for url in posts]
    fuzz(client, posts, field_names(client, gets), "/agent/preferences/security")
    assert client.get("/agent/").status_code == 200


def test_help_center_forms_take_any_junk(app, person, client):
    eve, secret = person.create(email="eve@example.com", role="end-user", name="Eve"), random_base32()
    with app.app_context():  # Eve's authenticator is number 1, the id the URLs are tried with
        now = person.clock.now()
        db.session.add(Authenticator(user_id=eve, method="totp", name="Phone", secret_enc=encrypt(secret),
                                     is_default=True, created_at=now, confirmed_at=now))
        db.session.commit()
    person.login(email="eve@example.com", area="")
    assert person.post("/login/verify", {"code": person.code(secret)}).headers["Location"] == "/"
    gets, posts = routes(app, r"^/(?!agent|admin|login|logout|register|static)")
    fuzz(client, posts, field_names(client, gets), "/")
    assert client.get("/").status_code == 200
