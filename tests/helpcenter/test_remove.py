"""Remove: a confirmation, fresh proof (password or a current code) once the sign-in is more than 10 minutes old,
and never the last authenticator while the admin requires 2FA for end users."""
import pytest

from portal.extensions import db
from portal.models import Authenticator, SecurityEvent
from portal.settings import set_setting
from tests.conftest import csrf_token, page_text
from tests.helpcenter.conftest import PASSWORD

STALE = 601  # seconds: the fresh proof given at sign-in has expired (FRESH_PROOF_SECONDS = 600)


def remove(person, name, **data):
    url = f"/profile/2fa/{person.authenticator_id(name)}/remove"
    page = person.client.get(url)
    assert page.status_code == 200
    return page, person.client.post(url, data={"csrf_token": csrf_token(page), **data})


def test_edit_offers_remove_and_remove_asks_for_confirmation(registered, client):
    registered.add_app("Phone")
    registered.add_app("Tablet")
    edit = page_text(client.get(f"/profile/2fa/{registered.authenticator_id('Tablet')}/edit"))
    assert f'href="/profile/2fa/{registered.authenticator_id("Tablet")}/remove"' in edit
    page, r = remove(registered, "Tablet")
    assert "Remove “Tablet”?" in page_text(page) and "Yes, remove this authenticator" in page_text(page)
    assert "Your password or a current code" not in page_text(page)  # signed in moments ago: proof is fresh
    assert r.status_code == 400 and "Tick the box to confirm you want to remove it." in page_text(r)
    assert registered.authenticators() == [("Phone", "totp"), ("Tablet", "totp")]


def test_remove_within_the_fresh_window(registered, client, app):
    registered.add_app("Phone")
    registered.add_app("Tablet")
    _, r = remove(registered, "Phone", confirm="y")
    assert r.status_code == 302 and r.headers["Location"] == "/profile/2fa"
    assert "“Phone” was removed. It can no longer be used to sign in." in page_text(client.get("/profile/2fa"))
    assert registered.authenticators() == [("Tablet", "totp")]
    with app.app_context():
        assert db.session.scalar(db.select(Authenticator.is_default))  # Tablet is the default now
        assert db.session.scalar(db.select(SecurityEvent.detail).where(SecurityEvent.type == "2fa.removed")) \
            == '{"name": "Phone"}'


@pytest.mark.parametrize("secret, message, status", [
    ("", "Enter your password or a current code to confirm it's you.", 401),
    ("wrong password", "That password or code isn't right. Try again.", 401),
])
def test_stale_sign_in_needs_fresh_proof(registered, client, app, secret, message, status):
    registered.add_app("Phone")
    registered.add_app("Tablet")
    registered.clock.advance(STALE)
    page, r = remove(registered, "Phone", confirm="y", secret=secret)
    assert "Your password or a current code" in page_text(page)
    assert r.status_code == status and message in page_text(r)
    assert registered.authenticators() == [("Phone", "totp"), ("Tablet", "totp")]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(SecurityEvent)
                                 .where(SecurityEvent.type == "2fa.removed")) == 0


def test_password_is_fresh_proof(registered, client):
    registered.add_app("Phone")
    registered.add_app("Tablet")
    registered.clock.advance(STALE)
    _, r = remove(registered, "Phone", confirm="y", secret=PASSWORD)
    assert r.status_code == 302
    assert registered.authenticators() == [("Tablet", "totp")]
    # the proof now lasts a few minutes: the next removal asks only for the confirmation
    page, r = remove(registered, "Tablet", confirm="y")
    assert "Your password or a current code" not in page_text(page) and r.status_code == 302
    assert registered.authenticators() == []


def test_current_app_code_is_fresh_proof(registered, client):
    secret = registered.add_app("Phone")
    registered.add_app("Tablet")
    registered.clock.advance(STALE)
    _, r = remove(registered, "Tablet", confirm="y", secret=registered.code(secret))
    assert r.status_code == 302
    assert registered.authenticators() == [("Phone", "totp")]


def test_last_authenticator_is_kept_while_2fa_is_required(registered, client, app):
    registered.add_app("Phone")
    with app.app_context():
        set_setting("require_end_users_2fa", True)
        db.session.commit()
    explanation = ("Two-factor authentication is required for your account, so you can't remove your "
                   "last authenticator. Add another one first.")
    edit = page_text(client.get(f"/profile/2fa/{registered.authenticator_id('Phone')}/edit"))
    assert explanation in edit and "/remove" not in edit
    page, r = remove(registered, "Phone", confirm="y", secret=PASSWORD)
    assert explanation in page_text(page)
    assert r.status_code == 409 and explanation in page_text(r)
    assert registered.authenticators() == [("Phone", "totp")]
    # with a second one added, either may go
    registered.add_app("Tablet")
    _, r = remove(registered, "Phone", confirm="y")
    assert r.status_code == 302 and registered.authenticators() == [("Tablet", "totp")]


def test_last_authenticator_can_go_when_2fa_is_optional(registered, client):
    registered.add_app("Phone")
    _, r = remove(registered, "Phone", confirm="y")
    assert r.status_code == 302 and registered.authenticators() == []
    assert "You have no authenticators yet." in page_text(client.get("/profile/2fa"))


def test_rename_and_add_after_a_stale_sign_in_ask_to_confirm_its_you(registered, client):
    registered.add_app("Phone")
    registered.clock.advance(STALE)
    edit = f"/profile/2fa/{registered.authenticator_id('Phone')}/edit"
    r = client.get(edit)
    assert r.status_code == 302 and r.headers["Location"] == f"/security/confirm?next={edit}"
    page = client.get(r.headers["Location"])
    r = client.post(r.headers["Location"], data={"csrf_token": csrf_token(page), "secret": PASSWORD})
    assert r.status_code == 302 and r.headers["Location"] == edit
    r = registered.post(edit, {"name": "Old phone"})
    assert r.status_code == 302 and registered.authenticators() == [("Old phone", "totp")]
    # a stale POST changes nothing and asks for the proof first, in place, keeping what was typed (but a code)
    registered.clock.advance(STALE)
    token = csrf_token(client.get("/profile/2fa"))
    r = client.post(edit, data={"csrf_token": token, "name": "Renamed"})
    assert r.status_code == 401 and "Confirm it's you" in page_text(r)
    assert 'name="name" value="Renamed"' in r.get_data(as_text=True)
    r = client.post("/profile/2fa/setup/1", data={"csrf_token": token, "name": "Tablet", "code": "123456"})
    assert r.status_code == 401 and "Confirm it's you" in page_text(r) and "123456" not in r.get_data(as_text=True)
    assert registered.authenticators() == [("Old phone", "totp")]
    r = client.post(edit, data={"csrf_token": token, "name": "Renamed", "secret": PASSWORD})
    assert r.status_code == 302 and registered.authenticators() == [("Renamed", "totp")]
