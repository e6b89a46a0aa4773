"""Agents edit, rename and remove their own authenticators in Preferences › Security — the same pages and flows as
the help center's Your 2FA (portal.twofactor.authenticator_views), with fresh proof."""
from portal.extensions import db
from portal.models import Authenticator, SecurityEvent
from tests.conftest import csrf_token, page_text


def names(app) -> list[str]:
    with app.app_context():
        return [a.name for a in db.session.scalars(db.select(Authenticator).order_by(Authenticator.id))]


def test_an_agent_renames_and_removes_their_own_authenticator(app, person, client, smtp_sink):
    person.create()
    person.login()
    person.setup_totp(name="Phone")
    person.clock.advance(30)
    person.setup_totp(name="Tablet")
    with app.app_context():
        tablet = db.session.scalar(db.select(Authenticator.id).where(Authenticator.name == "Tablet"))
    security = client.get("/agent/preferences/security").get_data(as_text=True)
    assert f'href="/agent/preferences/security/{tablet}/edit"' in security

    page = client.get(f"/agent/preferences/security/{tablet}/edit")
    assert page.status_code == 200 and "Preferences › Security" in page_text(page)
    r = client.post(f"/agent/preferences/security/{tablet}/edit",
                    data={"csrf_token": csrf_token(page), "name": "Phone"})
    assert r.status_code == 409 and "You already have an authenticator named “Phone”." in page_text(r)
    r = client.post(f"/agent/preferences/security/{tablet}/edit",
                    data={"csrf_token": csrf_token(page), "name": "Old tablet"})
    assert r.status_code == 302 and r.headers["Location"] == "/agent/preferences/security"
    assert names(app) == ["Phone", "Old tablet"]

    person.clock.advance(11 * 60)  # the proof is stale: Remove asks for the password on its own form
    page = client.get(f"/agent/preferences/security/{tablet}/remove")
    assert "Your password or a current code" in page_text(page)
    r = client.post(f"/agent/preferences/security/{tablet}/remove",
                    data={"csrf_token": csrf_token(page), "confirm": "y", "secret": "not it"})
    assert r.status_code == 401 and names(app) == ["Phone", "Old tablet"]
    r = client.post(f"/agent/preferences/security/{tablet}/remove",
                    data={"csrf_token": csrf_token(page), "confirm": "y", "secret": "correct horse battery"})
    assert r.status_code == 302 and names(app) == ["Phone"]
    assert "“Old tablet” was removed." in page_text(client.get("/agent/preferences/security"))
    assert smtp_sink.latest("agent@example.com")["Subject"].endswith("A sign-in method was removed from your account")
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(SecurityEvent)
                                 .where(SecurityEvent.type == "2fa.removed")) == 1


def test_another_persons_authenticator_is_404_in_the_agent_console(app, person, client):
    person.create(email="other@example.com", name="Other")
    person.login(email="other@example.com")
    person.setup_totp(name="Their phone")
    with app.app_context():
        theirs = db.session.scalar(db.select(Authenticator.id))
    person.client = app.test_client()
    client = person.client
    person.create()
    person.login()
    for path in (f"/agent/preferences/security/{theirs}/edit", f"/agent/preferences/security/{theirs}/remove",
                 "/agent/preferences/security/junk/edit"):
        assert client.get(path).status_code == 404, path
    assert names(app) == ["Their phone"]
