"""Agents > Agent Profiles: the list (search, pages, a constant number of queries), and each agent's 2FA tab:
set up on the agent's behalf, Remove (lost phone) revoking their live session, Unlock."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import event, text

from portal import crypto
from portal.admin.directory import PAGE_SIZE, page_query
from portal.extensions import db
from portal.models import Authenticator, RememberedDevice, User
from tests.admin.conftest import PASSWORD, add_account, events, flashes, give_app, words
from tests.conftest import page_text, setup_secret


def many_agents(app, n, start=0):
    for i in range(start, start + n):
        add_account(app, f"agent{i:03d}@example.com", "agent", f"Agent Number {i:03d}")


def test_the_list_shows_each_agents_2fa_and_pages_through_them(app, admin, actor, clock):
    many_agents(app, PAGE_SIZE + 5)
    sam = actor("sam@example.com", name="Sam Agent", with_app=True)
    with app.app_context():
        db.session.get(User, sam.id).enforce_2fa = True
        db.session.execute(db.update(Authenticator).where(Authenticator.user_id == sam.id)
                           .values(last_used_at=clock.now()))
        db.session.commit()

    first = page_text(admin.get("/admin/agents"))  # by email: ada@, then agent000@ ... agent048@
    assert len(re.findall(r'<a href="/admin/agents/\d+">', first)) == PAGE_SIZE
    assert "ada@example.com" in first and "agent000@example.com" in first and "agent048@example.com" in first
    assert "agent049@example.com" not in first and "← Previous agents" not in first
    assert 'href="/admin/agents?after=agent048@example.com">Next agents →' in first
    body = page_text(admin.get("/admin/agents?after=agent048@example.com"))
    assert "agent049@example.com" in body and "agent054@example.com" in body and "sam@example.com" in body
    assert len(re.findall(r'<a href="/admin/agents/\d+">', body)) == 7
    assert "Next agents" not in body and 'href="/admin/agents?before=agent049@example.com"' in body
    back = page_text(admin.get("/admin/agents?before=agent049@example.com"))
    assert "agent000@example.com" in back and "agent048@example.com" in back and "agent049" not in back
    assert "← Previous agents" not in back

    row = words(admin.get("/admin/agents?q=sam"))
    assert "Sam Agent sam@example.com Authenticator app Work phone On 1 Mar 2026, 09:00 UTC Active" in row
    assert "Agent Number" not in row


@pytest.mark.parametrize("q,expected", [("SAM", ["sam@example.com"]), ("  agent number 05", ["agent050", "agent054"]),
                                        ("agent05", ["agent050", "agent054"]), ("zzz", [])])
def test_search_is_a_prefix_match_on_email_or_name(app, admin, actor, q, expected):
    many_agents(app, 55)
    actor("sam@example.com", name="Sam Agent")
    body = page_text(admin.get("/admin/agents", query_string={"q": q}))
    for found in expected:
        assert found in body
    if not expected:
        assert "No agents found." in body
    assert "agent049" not in body and ("ada@" not in body)


def test_a_page_costs_the_same_queries_for_3_or_50_agents(app, admin):
    def queries_for_list():
        with app.app_context():
            engine = db.engine
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert admin.get("/admin/agents").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(seen)

    many_agents(app, 2)
    few = queries_for_list()
    many_agents(app, 48, start=2)
    with app.app_context():
        for user_id in db.session.scalars(db.select(User.id)).all():
            if user_id % 2 and user_id != admin.id:
                give_app(app, user_id)
    assert queries_for_list() == few


def test_the_search_and_the_pages_are_served_by_indexes(app):
    """Asked of the database itself: no page and no search reads the whole users table."""
    many_agents(app, 60)
    with app.app_context():
        dialect = db.engine.dialect.name
        explain = "EXPLAIN QUERY PLAN " if dialect == "sqlite" else "EXPLAIN "
        db.session.execute(text("ANALYZE"))  # the statistics a production database keeps
        if dialect == "postgresql":
            db.session.execute(text("SET enable_seqscan = off"))  # a tiny table: ask whether an index *can* serve
        plans = {}
        for name, query in {"search": page_query("agent", "sam"), "first page": page_query("agent"),
                            "next page": page_query("agent", "", "agent010"),
                            "previous page": page_query("agent", "", None, "agent040")}.items():
            compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
            plans[name] = " ".join(str(r) for r in db.session.execute(text(explain + str(compiled))))
        db.session.rollback()
    for name, plan in plans.items():
        assert "Seq Scan" not in plan and "SCAN users" not in plan, (name, plan)
    if dialect == "sqlite":
        assert "ix_users_kind_name_lower" in plans["search"] and "ix_users_kind_email" in plans["search"], plans
        assert "ix_users_kind_email (kind=? AND email>?)" in plans["next page"], plans


def test_the_admin_sets_up_an_app_on_the_agents_behalf(app, admin, actor, smtp_sink):
    nat = actor("nat@example.com", name="Nat New")
    tab = page_text(admin.get(f"/admin/agents/{nat.id}"))
    assert "This agent has no second factor set up." in tab and "Set up Authenticator" in tab
    page = admin.get(f"/admin/agents/{nat.id}/setup/1?new=1")
    assert "Hand this over to Nat New only" in page_text(page) and "<svg" in page_text(page)
    secret = setup_secret(page)
    url = f"/admin/agents/{nat.id}/setup/1"
    r = admin.submit(url, {"name": "Nat's phone", "code": "000000" if admin.code(secret) != "000000" else "111111"})
    assert r.status_code == 400 and "That code isn't right." in page_text(r)
    r = admin.submit(url, {"name": "Nat's phone", "code": admin.code(secret)})
    assert r.status_code == 303 and r.headers["Location"] == f"/admin/agents/{nat.id}"
    assert flashes(admin.get(r.headers["Location"])) == [
        "2FA is set up for Nat New: “Nat's phone”. They have been told by email."]
    with app.app_context():
        (made,) = db.session.scalars(db.select(Authenticator).where(Authenticator.user_id == nat.id)).all()
        assert made.name == "Nat's phone" and made.is_default and crypto.decrypt(made.secret_enc) == secret
    (logged,) = events(app, "2fa.admin_setup")
    assert logged.user_id == nat.id and logged.actor_id == admin.id and secret not in logged.detail
    mail = smtp_sink.latest("nat@example.com")
    assert "An administrator set up two-factor authentication for you" in mail["Subject"]
    assert secret not in smtp_sink.text(mail)

    nat.clock.advance(30)
    r = nat.login(nat.email, PASSWORD)
    assert r.headers["Location"] == "/agent/login/verify"
    r = nat.post("/agent/login/verify", {"code": nat.code(secret)})
    assert r.headers["Location"] == "/agent/security/recovery-codes?next=/agent/"  # theirs to make (issue 22)


def test_remove_revokes_the_live_session_and_gives_no_new_grace_period(app, admin, actor, clock, smtp_sink):
    sam = actor("sam@example.com", name="Sam Agent", with_app=True)
    with app.app_context():
        from portal.settings import set_setting
        set_setting("require_agents_2fa", True)
        set_setting("grace_until", (clock.now() + timedelta(days=7)).isoformat())
        db.session.add(RememberedDevice(user_id=sam.id, token_hash="x" * 64, created_at=clock.now(),
                                        expires_at=clock.now() + timedelta(days=30)))
        db.session.commit()
    sam.sign_in()
    assert sam.get("/agent/").status_code == 200

    r = admin.submit(f"/admin/agents/{sam.id}/remove", {}, page=f"/admin/agents/{sam.id}")
    assert r.status_code == 400 and "Tick “Yes, I understand” to remove this agent's 2FA." in page_text(r)
    assert sam.get("/agent/").status_code == 200  # nothing happened

    r = admin.submit(f"/admin/agents/{sam.id}/remove", {"confirm": "y"}, page=f"/admin/agents/{sam.id}")
    assert r.status_code == 303
    assert flashes(admin.get(f"/admin/agents/{sam.id}")) == [
        "Removed 2FA from Sam Agent (1 authenticator). They were signed out everywhere and told by email. They must "
        "set up 2FA again at their next sign-in, with no new grace period."]
    r = sam.get("/agent/")
    assert r.status_code == 302 and r.headers["Location"].startswith("/agent/login")
    with app.app_context():
        user = db.session.get(User, sam.id)
        assert user.authenticators == [] and user.session_version == 2 and user.skip_forfeited
        assert db.session.scalar(db.select(RememberedDevice.revoked_at)) == clock.now()
    (logged,) = events(app, "2fa.admin_reset")
    assert logged.user_id == sam.id and logged.actor_id == admin.id
    assert "An administrator removed your two-factor authentication" in smtp_sink.latest("sam@example.com")["Subject"]

    r = sam.login(sam.email, PASSWORD)
    assert r.headers["Location"] == "/agent/login/setup"
    assert "Skip for now" not in page_text(sam.get("/agent/login/setup"))  # the grace date is still ahead
    r = sam.submit("/agent/login/skip", {}, page="/agent/login/setup")
    assert r.status_code == 303 and sam.get("/agent/").status_code == 302


def test_an_admin_cannot_remove_their_own_2fa_here(app, admin):
    r = admin.submit(f"/admin/agents/{admin.id}/remove", {"confirm": "y"}, page=f"/admin/agents/{admin.id}")
    assert r.status_code == 400
    assert "You can't remove your own 2FA here." in page_text(r)
    with app.app_context():
        assert len(db.session.get(User, admin.id).authenticators) == 1


def test_unlock_an_agent_locked_by_the_failure_budget(app, admin, actor, smtp_sink):
    sam = actor("sam@example.com", name="Sam Agent", with_app=True)
    with app.app_context():
        user = db.session.get(User, sam.id)
        user.failure_count, user.admin_locked = 20, True
        db.session.commit()
    tab = words(admin.get(f"/admin/agents/{sam.id}"))
    assert "This account is locked after 20 wrong codes until an admin unlocks it." in tab
    assert "Locked" in words(admin.get("/admin/agents?q=sam"))
    r = admin.submit(f"/admin/agents/{sam.id}/unlock", {}, page=f"/admin/agents/{sam.id}")
    assert r.status_code == 303
    assert flashes(admin.get(f"/admin/agents/{sam.id}")) == ["Sam Agent is unlocked and can try their codes again."]
    with app.app_context():
        user = db.session.get(User, sam.id)
        assert (user.failure_count, user.admin_locked, user.next_attempt_at) == (0, False, None)
    assert events(app, "2fa.unlocked")[-1].actor_id == admin.id
    assert smtp_sink.to("sam@example.com")
    sam.sign_in()
