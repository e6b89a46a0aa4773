"""The flows people make, in their language: signing in and setting up an authenticator app with a German browser,
an agent whose profile says French, and mails in the recipient's language whoever caused them."""
import re

from tests.conftest import csrf_token, page_text, setup_secret

from portal.extensions import db
from portal.models import User


def _lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True)).group(1)


def _flashes(response) -> list[str]:
    return [re.sub(r"\s+", " ", m).strip() for m in re.findall(r'<p class="flash[^"]*"[^>]*>(.*?)</p>',
                                                                 page_text(response), re.S)]


def test_a_german_browser_signs_in_and_sets_up_an_authenticator_app_in_german(person, client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "de-DE,de;q=0.9,en;q=0.4"
    person.create(email="eve@example.com", role="end-user", name="Eve Kundin")
    page = client.get("/login")
    assert _lang(page) == "de" and "Anmelden" in page_text(page) and "Passwort" in page_text(page)
    wrong = person.post("/login", {"email": "eve@example.com", "password": "not her password"})
    assert wrong.status_code in (400, 401) and "E-Mail-Adresse oder Passwort ist falsch" in page_text(wrong)
    assert person.login(email="eve@example.com", area="").headers["Location"] == "/"

    page = client.get("/profile/2fa/setup/1?new=1")
    assert page.status_code == 200 and _lang(page) == "de"
    assert "Scannen Sie diesen QR-Code mit der App" in page_text(page)
    secret = setup_secret(page)
    bad = client.post("/profile/2fa/setup/1", data={"csrf_token": csrf_token(page), "name": "Telefon",
                                                    "code": "000000" if person.code(secret) != "000000" else "111111"})
    assert bad.status_code in (400, 401) and "Dieser Code ist nicht richtig" in page_text(bad)
    done = client.post("/profile/2fa/setup/1", data={"csrf_token": csrf_token(page), "name": "Telefon",
                                                     "code": person.code(secret)}, follow_redirects=True)
    assert "Ihre 2FA ist eingerichtet: „Telefon“ wird abgefragt, wenn Sie sich anmelden." in _flashes(done)

    person.post_from("/", "/logout", {})
    person.clock.advance(30)
    assert person.login(email="eve@example.com", area="").headers["Location"] == "/login/verify"
    challenge = client.get("/login/verify")
    assert _lang(challenge) == "de" and "Geben Sie den Code aus Ihrer Authenticator-App ein" in page_text(challenge)
    signed_in = person.post("/login/verify", {"code": person.code(secret)})
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/"
    assert "Mein Profil" in page_text(client.get("/"))


def test_an_agent_whose_profile_says_french_gets_french_pages_whatever_the_browser(app, person, client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en-GB,en;q=0.9"
    person.create(name="Sam Agent")
    person.login()
    assert person.post("/agent/preferences/language", {"language": "fr", "time_zone": "Europe/Paris"}).status_code == 302
    page = client.get("/agent/preferences/language")
    assert _lang(page) == "fr" and "Langue et fuseau horaire" in page_text(page)
    assert "Votre langue et votre fuseau horaire sont enregistrés." in _flashes(page)
    person.setup_totp()
    security = client.get("/agent/preferences/security")
    assert _lang(security) == "fr" and "Sécurité" in page_text(security)
    assert "Phone" in page_text(security)  # a name the person typed is data, never translated
    # Times in the person's own zone and language: the session list says when this session started, 09:00 UTC on
    # 1 March 2026 on the test clock, which is 10:00 in Paris, written the French way.
    started = re.findall(r'<time datetime="2026-03-01T09:00:00Z">([^<]+)</time>', security.get_data(as_text=True))
    assert "1 mars 2026, 10:00 Europe/Paris" in started and set(started) <= {"1 mars 2026", "1 mars 2026, 10:00 Europe/Paris"}


def test_a_mail_an_admin_causes_is_in_the_agents_language_not_the_admins(app, admin, actor, smtp_sink):
    sam = actor("sam@example.com", name="Sam Agent", with_app=True)
    with app.app_context():
        db.session.get(User, sam.id).language = "fr"
        db.session.commit()
    admin.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = admin.submit(f"/admin/agents/{sam.id}/remove", {"confirm": "y"}, page=f"/admin/agents/{sam.id}")
    assert response.status_code == 303
    page = admin.get(f"/admin/agents/{sam.id}")
    assert _lang(page) == "en" and any(f.startswith("Removed 2FA from Sam Agent") for f in _flashes(page))
    mail = smtp_sink.latest("sam@example.com")
    assert "Un administrateur a supprimé votre authentification à deux facteurs" in mail["Subject"]
    body = smtp_sink.text(mail)
    assert "Bonjour Sam Agent," in body and "Hello" not in body


def test_a_mail_to_someone_who_chose_no_language_is_english(app, admin, actor, smtp_sink):
    sam = actor("sam@example.com", name="Sam Agent", with_app=True)
    admin.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "de"  # the admin's German browser does not decide it
    admin.submit(f"/admin/agents/{sam.id}/remove", {"confirm": "y"}, page=f"/admin/agents/{sam.id}")
    assert "An administrator removed your two-factor authentication" in smtp_sink.latest("sam@example.com")["Subject"]


def test_someone_who_registers_in_german_gets_german_mail_and_keeps_german(app, client, smtp_sink):
    from tests.helpcenter.conftest import EndUser
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "de"
    person = EndUser(app, client, None)
    response = person.register(email="eva@example.com", name="Eva Kundin", activate=False)
    assert response.status_code == 200 and _lang(response) == "de"
    mail = smtp_sink.latest("eva@example.com")
    assert "Hallo Eva Kundin," in smtp_sink.text(mail)
    link = re.search(r"https?://[^/\s]+(/register/activate/[A-Za-z0-9_-]+)", smtp_sink.text(mail)).group(1)
    page = client.get(link)
    assert client.post(link, data={"csrf_token": csrf_token(page)}).status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(User.language).where(User.email == "eva@example.com")) == "de"


def test_a_new_browser_notice_names_the_browser_in_the_owners_language(app, person, client, smtp_sink):
    """The notice is mailed during a sign-in whose pages follow the browser (English here), but it is the owner's:
    French, the browser's name included."""
    person.create(name="Sam Agent")
    person.login()  # the very first sign-in: nothing to report
    person.post("/agent/preferences/language", {"language": "fr", "time_zone": "Europe/Paris"})
    person.client = app.test_client()
    person.client.environ_base.update(
        HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9",
        HTTP_USER_AGENT="Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0")
    assert person.login().status_code == 302
    text = smtp_sink.text(smtp_sink.latest("agent@example.com"))
    assert "Firefox sur Windows" in text and "Firefox on Windows" not in text
