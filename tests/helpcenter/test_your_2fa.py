"""Avatar > My Profile > Your 2FA: the list, Set up authentication app, Edit (rename), names, another person's ids."""
import re

import pytest

from portal.extensions import db
from portal.models import Authenticator, Plugin, SecurityEvent
from tests.conftest import csrf_token, page_text
from tests.helpcenter.conftest import edit_links


def test_avatar_menu_leads_to_my_profile_and_your_2fa(registered, client):
    home = client.get("/").get_data(as_text=True)
    menu = re.search(r'<details class="avatar-menu">(.*?)</details>', home, re.S).group(1)
    assert '<span class="avatar" aria-hidden="true">E</span>' in menu
    assert '<a href="/profile">My Profile</a>' in menu and '<a href="/profile/2fa">Your 2FA</a>' in menu
    profile = page_text(client.get("/profile"))
    assert "My Profile" in profile and "eve@example.com" in profile and 'href="/profile/2fa"' in profile
    page = page_text(client.get("/profile/2fa"))
    assert "You have no authenticators yet." in page
    assert "Set up authentication app" in page and "Set up email authentication" in page
    assert "contact your helpdesk administrator" in page.lower()


@pytest.mark.parametrize("off, shown, hidden", [
    ("totp", "Set up email authentication", "Set up authentication app"),
    ("email", "Set up authentication app", "Set up email authentication"),
])
def test_set_up_options_follow_the_admin_switches(registered, client, app, off, shown, hidden):
    with app.app_context():
        db.session.get(Plugin, off).active = False
        db.session.commit()
    page = page_text(client.get("/profile/2fa"))
    assert shown in page and hidden not in page
    instance = 1 if off == "totp" else 2
    r = client.get(f"/profile/2fa/setup/{instance}")
    assert r.status_code == 404 and "That sign-in method is not available." in page_text(r)


def test_set_up_authentication_app(registered, client, app):
    page, secret = registered.start_app_setup()
    body = page_text(page)
    assert "Set up authentication app" in body and "Setup Key" in body and "<svg" in body
    assert "Authenticator Name" in body and "Submit Code and Create" in body
    assert 'autocomplete="one-time-code"' in body and 'inputmode="numeric"' in body
    r = client.post("/profile/2fa/setup/1", data={"csrf_token": csrf_token(page), "name": "Work phone",
                                                  "code": registered.code(secret)})
    assert r.status_code == 302 and r.headers["Location"] == "/security/recovery-codes?next=/profile/2fa"
    codes = page_text(client.get(r.headers["Location"]))  # the first one comes with recovery codes, shown once
    assert "Your 2FA is set up: “Work phone” will be asked for when you sign in." in codes
    r = client.post("/security/recovery-codes/done", data={"csrf_token": csrf_token(page), "next": "/profile/2fa"})
    assert r.status_code == 302 and r.headers["Location"] == "/profile/2fa"
    listing = page_text(client.get("/profile/2fa"))
    row = re.search(r"<tr>\s*<td>Work phone.*?</tr>", listing, re.S).group(0)
    assert "Default" in row and "Authentication App" in row
    assert row.count("1 Mar 2026, 09:00 UTC") == 1 and "Never" in row  # added; not yet used to sign in
    assert registered.authenticators() == [("Work phone", "totp")]
    with app.app_context():
        stored = db.session.scalar(db.select(Authenticator))
        assert secret not in stored.secret_enc and stored.is_default and stored.confirmed_at is not None
        assert db.session.scalar(db.select(SecurityEvent.type).where(SecurityEvent.type == "2fa.setup"))


def test_several_app_authenticators_phone_and_tablet(registered, client):
    registered.add_app("Phone")
    registered.add_app("Tablet")
    listing = page_text(client.get("/profile/2fa"))
    assert "Your 2FA is set up: “Tablet” is added. To use it, choose “Use another authenticator” when you " \
        "sign in, or make it your default under Edit." in listing
    table = re.search(r"<tbody>(.*?)</tbody>", listing, re.S).group(1)
    assert re.findall(r"<tr>\s*<td>(\w+)", table) == ["Phone", "Tablet"] and len(edit_links(listing)) == 2
    assert registered.authenticators() == [("Phone", "totp"), ("Tablet", "totp")]


@pytest.mark.parametrize("code, message, status", [
    ("123456", "That code isn't right.", 400),
    ("12ab56", "The code is 6 digits; letters aren't part of it.", 400),
    ("", "Enter the 6-digit code.", 400),
])
def test_wrong_setup_code_stores_nothing_and_keeps_the_key(registered, client, code, message, status):
    page, secret = registered.start_app_setup()
    if code == "123456" and registered.code(secret) == code:
        code = "654321"
    r = client.post("/profile/2fa/setup/1", data={"csrf_token": csrf_token(page), "name": "Phone", "code": code})
    assert r.status_code == status and message in page_text(r)
    assert 'value="Phone"' in r.get_data(as_text=True)  # the name typed is kept
    assert secret.upper() in page_text(r).replace(" ", "")  # the same key: the app already scanned stays valid
    assert registered.authenticators() == []


@pytest.mark.parametrize("name, message", [
    ("Phone", "You already have an authenticator named “Phone”. Choose another name."),
    ("  phone  ".replace("p", "P"), "You already have an authenticator named “Phone”. Choose another name."),
    ("x" * 61, "Names can be at most 60 characters."),
    ("   ", "Give this authenticator a name."),
])
def test_duplicate_blank_and_over_long_names_are_refused(registered, client, name, message):
    registered.add_app("Phone")
    page, secret = registered.start_app_setup()
    r = client.post("/profile/2fa/setup/1", data={"csrf_token": csrf_token(page), "name": name,
                                                  "code": registered.code(secret)})
    assert r.status_code == 400 and message in page_text(r)
    assert registered.authenticators() == [("Phone", "totp")]


def test_name_with_html_is_shown_escaped(registered, client):
    name = '<script>alert("x")</script><b>Phone</b>'
    registered.add_app(name)
    for url in ("/profile/2fa", f"/profile/2fa/{registered.authenticator_id(name)}/edit"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html and "<b>Phone</b>" not in html, url
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;b&gt;Phone&lt;/b&gt;" in html, url
    assert registered.authenticators() == [(name, "totp")]


def test_edit_renames(registered, client, app):
    registered.add_app("Phone")
    url = f"/profile/2fa/{registered.authenticator_id('Phone')}/edit"
    page = client.get(url)
    assert page.status_code == 200 and 'value="Phone"' in page.get_data(as_text=True)
    r = client.post(url, data={"csrf_token": csrf_token(page), "name": "Old phone"})
    assert r.status_code == 302 and r.headers["Location"] == "/profile/2fa"
    assert "Renamed to “Old phone”." in page_text(client.get("/profile/2fa"))
    assert registered.authenticators() == [("Old phone", "totp")]
    with app.app_context():
        assert db.session.scalar(db.select(SecurityEvent.detail).where(SecurityEvent.type == "2fa.renamed")) \
            == '{"name": "Old phone"}'


@pytest.mark.parametrize("name, message, status", [
    ("Tablet", "You already have an authenticator named “Tablet”. Choose another name.", 409),
    ("y" * 61, "Names can be at most 60 characters.", 400),
    ("", "Give this authenticator a name.", 400),
])
def test_rename_refuses_duplicate_over_long_and_blank(registered, client, name, message, status):
    registered.add_app("Phone")
    registered.add_app("Tablet")
    url = f"/profile/2fa/{registered.authenticator_id('Phone')}/edit"
    r = registered.post(url, {"name": name})
    assert r.status_code == status and message in page_text(r)
    assert registered.authenticators() == [("Phone", "totp"), ("Tablet", "totp")]


def test_make_another_authenticator_the_default(registered, client, app):
    registered.add_app("Phone")
    registered.add_app("Tablet")
    tablet = registered.authenticator_id("Tablet")
    r = registered.post_from(f"/profile/2fa/{tablet}/edit", f"/profile/2fa/{tablet}/default", {})
    assert r.status_code == 302 and r.headers["Location"] == "/profile/2fa"
    assert "“Tablet” is now your default 2FA method. We ask for it first when you sign in." in page_text(
        client.get("/profile/2fa"))
    with app.app_context():
        assert [a.name for a in db.session.scalars(db.select(Authenticator).where(Authenticator.is_default))] == \
            ["Tablet"]


def test_another_persons_authenticator_id_is_404_and_changes_nothing(registered, client, app):
    registered.add_app("Phone")
    registered.sign_out()
    registered.register(email="mallory@example.com", name="Mallory")
    client.get("/login/verify")
    registered.add_app("Mine")
    victim = registered.authenticator_id("Phone")
    token = csrf_token(client.get("/profile/2fa"))
    attempts = [("GET", f"/profile/2fa/{victim}/edit"), ("POST", f"/profile/2fa/{victim}/edit"),
                ("GET", f"/profile/2fa/{victim}/remove"), ("POST", f"/profile/2fa/{victim}/remove"),
                ("POST", f"/profile/2fa/{victim}/default"), ("GET", "/profile/2fa/abc/edit"),
                ("POST", "/profile/2fa/99999/remove")]
    for method, url in attempts:
        r = client.open(url, method=method, data={"csrf_token": token, "name": "Pwned", "confirm": "y",
                                                  "secret": "correct horse battery"} if method == "POST" else None)
        assert r.status_code == 404 and "We couldn't find that page." in page_text(r), (method, url)
    assert registered.authenticators() == [("Phone", "totp")]
    assert registered.authenticators("mallory@example.com") == [("Mine", "totp")]
    with app.app_context():
        assert db.session.scalar(db.select(Authenticator.is_default).where(Authenticator.id == victim))
        assert db.session.scalar(db.select(db.func.count()).select_from(SecurityEvent).where(
            SecurityEvent.type.in_(["2fa.renamed", "2fa.removed", "2fa.default_changed"]))) == 0


def test_forged_form_is_refused_and_changes_nothing(registered, client):
    registered.add_app("Phone")
    url = f"/profile/2fa/{registered.authenticator_id('Phone')}/edit"
    r = client.post(url, data={"csrf_token": "forged", "name": "Renamed"})
    assert r.status_code == 400 and "This form has expired or did not come from this site." in page_text(r)
    assert registered.authenticators() == [("Phone", "totp")]


def test_a_name_taken_at_the_same_instant_is_refused_not_a_500(registered, client, app, monkeypatch):
    """Two setups sent at once with the same name both pass the name check; the database's unique (person, name)
    constraint lets one through and the other gets the same clear message — nothing logged or mailed for it."""
    from portal.twofactor import setup
    registered.add_app("Phone")
    page, secret = registered.start_app_setup()
    monkeypatch.setattr(setup, "check_name", lambda user, name, exclude_id=None: " ".join(name.split()))
    with app.app_context():
        events = db.session.scalar(db.select(db.func.count()).select_from(SecurityEvent))
    r = client.post("/profile/2fa/setup/1", data={"csrf_token": csrf_token(page), "name": "Phone",
                                                  "code": registered.code(secret)})
    assert r.status_code == 400
    assert "You already have an authenticator named “Phone”. Choose another name." in page_text(r)
    assert registered.authenticators() == [("Phone", "totp")]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(SecurityEvent)) == events
    assert secret.upper() in page_text(r).replace(" ", "")  # the same key: another name and code will do
