"""A plugin can ship its own catalog: the example plugin's words (its own Flask-Babel domain, compiled and installed
with the package) are shown in the reader's language, next to the portal's own."""
from portal.extensions import db
from portal.twofactor import registry
from tests.conftest import page_text


def _pin_instance(app) -> int:
    with app.test_request_context():
        registry.install("pin")
        registry.set_active("pin", True)
        instance = registry.save_instance(None, "pin", "Desk PIN", "active", {"min_length": "6"})
        db.session.commit()
        return instance.id


def test_the_plugins_own_words_are_in_german_for_a_german_browser(app, person, client):
    instance_id = _pin_instance(app)
    person.create()
    person.login()
    page = client.get(f"/agent/preferences/security/setup/{instance_id}", headers={"Accept-Language": "de"})
    assert page.status_code == 200
    text = page_text(page)
    assert "Wählen Sie eine PIN, die nur Sie kennen." in text  # the plugin's setup_instructions
    assert "Sicherheits-PIN" in text  # its code_label
    assert "6 bis 12 Ziffern, keine Buchstaben." in text  # its CodeInput.rules
    assert "Choose a PIN that only you know." not in text


def test_the_plugins_words_stay_english_for_an_english_browser(app, person, client):
    instance_id = _pin_instance(app)
    person.create()
    person.login()
    page = client.get(f"/agent/preferences/security/setup/{instance_id}", headers={"Accept-Language": "en"})
    text = page_text(page)
    assert "Choose a PIN that only you know." in text and "6 to 12 digits, no letters." in text
    assert "Sicherheits-PIN" not in text
