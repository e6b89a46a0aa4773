"""A signed-in person picks their language and time zone (help center: My Profile; agents: Preferences); it sticks
to the account and wins over the browser."""
import re

from tests.conftest import page_text

from portal.extensions import db
from portal.models import User


def _lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True)).group(1)


def _user(app, email):
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == email))
        return user.language, user.time_zone


def test_end_user_picks_french_and_paris_and_it_sticks(app, person, client):
    person.create(email="eve@example.com", role="end-user", name="Eve")
    assert person.login(email="eve@example.com", area="").status_code == 302
    page = client.get("/profile/language", headers={"Accept-Language": "de"})
    assert page.status_code == 200 and _lang(page) == "de"  # nothing chosen yet: the browser's language
    response = person.post("/profile/language", {"language": "fr", "time_zone": "Europe/Paris"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/profile/language")
    assert _user(app, "eve@example.com") == ("fr", "Europe/Paris")
    page = client.get("/profile", headers={"Accept-Language": "de"})
    assert _lang(page) == "fr"  # the profile's choice wins over the browser
    assert "Europe/Paris" in page_text(client.get("/profile/language"))


def test_agent_picks_german_in_preferences_and_can_go_back_to_the_browser(app, person, client):
    person.create()
    person.login()
    assert person.post("/agent/preferences/language", {"language": "de", "time_zone": ""}).status_code == 302
    assert _user(app, "agent@example.com") == ("de", None)
    assert _lang(client.get("/agent/preferences/security", headers={"Accept-Language": "fr"})) == "de"
    assert person.post("/agent/preferences/language", {"language": "", "time_zone": ""}).status_code == 302
    assert _user(app, "agent@example.com") == (None, None)
    assert _lang(client.get("/agent/preferences/security", headers={"Accept-Language": "fr"})) == "fr"


def test_junk_language_or_zone_is_refused_and_nothing_is_saved(app, person, client):
    person.create()
    person.login()
    for data in ({"language": "xx", "time_zone": ""}, {"language": "de", "time_zone": "Mars/Olympus_Mons"},
                 {"language": "de" * 500, "time_zone": "x" * 5000}):
        response = person.post("/agent/preferences/language", data)
        assert response.status_code == 400
        assert "Not a valid choice" in page_text(response)
    assert _user(app, "agent@example.com") == (None, None)


def test_a_forged_form_is_refused(app, person, client):
    person.create()
    person.login()
    response = client.post("/agent/preferences/language", data={"language": "de", "time_zone": ""})
    assert response.status_code == 400
    assert _user(app, "agent@example.com") == (None, None)


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/agent/preferences/language")
    assert response.status_code == 302 and "/agent/login" in response.headers["Location"]
