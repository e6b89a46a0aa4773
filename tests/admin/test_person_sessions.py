"""An admin sees where an end user is signed in and signs them out everywhere (a shared computer, a stolen phone):
the same rule and view as for an agent — logged, the owner mailed, the admin's own sessions kept."""
from tests.admin.conftest import events, flashes, words


def test_an_admin_sees_an_end_users_sessions_and_signs_them_out_everywhere(app, admin, actor, smtp_sink):
    eve = actor("eve@example.com", role="end-user", name="Eve Customer", with_app=True)
    eve.sign_in()
    assert eve.get("/").status_code == 200
    listing = admin.get("/admin/end-users?q=eve").get_data(as_text=True)
    assert f'<a href="/admin/end-users/{eve.id}">Eve Customer</a>' in listing  # the name leads to the account
    page = words(admin.get(f"/admin/end-users/{eve.id}"))
    assert "Eve Customer is signed in on 1 browser" in page

    done = admin.submit(f"/admin/people/{eve.id}/sessions/end", {}, page=f"/admin/end-users/{eve.id}")
    assert done.status_code == 303 and done.headers["Location"] == f"/admin/end-users/{eve.id}"
    after = admin.get(done.headers["Location"])
    assert flashes(after) == ["Eve Customer is signed out everywhere (1 session). They have been told by email."]
    assert "Eve Customer is not signed in anywhere." in words(after)
    assert eve.get("/profile").status_code == 302  # her browser is back at the sign-in page
    assert admin.get("/admin/").status_code == 200  # the admin's own session is untouched
    assert smtp_sink.latest("eve@example.com")["Subject"].endswith("An administrator signed you out everywhere")
    (event,) = events(app, "session.ended_by_admin")
    assert event.user_id == eve.id and event.actor_id == admin.id


def test_an_admin_cannot_end_their_own_sessions_here(app, admin):
    r = admin.submit(f"/admin/people/{admin.id}/sessions/end", {}, page=f"/admin/agents/{admin.id}")
    assert r.status_code == 303
    assert flashes(admin.get(r.headers["Location"])) == [
        "To sign yourself out everywhere, use Your sessions in Preferences › Security."]
    assert admin.get("/admin/").status_code == 200
    assert events(app, "session.ended_by_admin") == []


def test_wrong_ids_and_forged_forms_are_refused(app, admin, actor):
    sam = actor("sam@example.com", role="agent", name="Sam Agent")
    assert admin.get(f"/admin/end-users/{sam.id}").status_code == 404  # an agent is not an end user
    assert admin.get("/admin/end-users/999999").status_code == 404
    assert admin.submit("/admin/people/999999/sessions/end", {}, page="/admin/end-users").status_code == 404
    forged = admin.client.post(f"/admin/people/{sam.id}/sessions/end", data={"csrf_token": "forged"})
    assert forged.status_code == 400
    assert events(app, "session.ended_by_admin") == []


def test_agents_who_are_not_admins_cannot_see_or_end_sessions(app, actor):
    sam = actor("sam@example.com", role="agent", name="Sam Agent", with_app=True)
    eve = actor("eve@example.com", role="end-user", name="Eve Customer")
    sam.sign_in()
    assert sam.get(f"/admin/end-users/{eve.id}").status_code == 403
    assert sam.submit(f"/admin/people/{eve.id}/sessions/end", {}, page="/agent/").status_code == 403


def test_admin_lists_show_times_on_the_portals_clock(app, admin, actor):
    from portal.extensions import db
    from portal.settings import set_setting
    with app.app_context():
        set_setting("timezone", "Europe/Berlin")
        db.session.commit()
    eve = actor("eve@example.com", role="end-user", name="Eve Customer", with_app=True)
    eve.sign_in()  # her app is used at 09:00 UTC
    assert "1 Mar 2026, 10:00 Europe/Berlin" in words(admin.get("/admin/end-users?q=eve"))
