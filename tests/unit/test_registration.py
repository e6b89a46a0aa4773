"""/register goes through portal.accounts: what the form lets through, the account rules still check."""
from portal.extensions import db
from portal.models import User
from tests.conftest import page_text

FORM = {"name": "Eve Customer", "email": "eve@example.com", "password": "correct horse battery"}


def count(app):
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(User))


def test_a_name_on_two_lines_is_refused_with_a_message(person, app):
    r = person.post("/register", {**FORM, "name": "Eve\r\nAdmin"})
    assert r.status_code == 400
    assert "Names must be one line, without control characters." in page_text(r)
    assert 'value="eve@example.com"' in r.get_data(as_text=True)  # nothing typed is lost
    assert count(app) == 0


def test_a_name_with_an_escape_sequence_is_refused(person, app):
    r = person.post("/register", {**FORM, "name": "Eve\x1b[2J"})
    assert r.status_code == 400 and "Names must be one line" in page_text(r)
    assert count(app) == 0


def test_a_good_registration_is_stored_normalised(person, app):
    """Pending until the emailed link is followed (tests/helpcenter/test_activation.py), then the account."""
    from portal.extensions import mail
    from portal.models import PendingRegistration
    from tests.helpcenter.conftest import activation_link

    with mail.record_messages() as sent:
        r = person.post("/register", {**FORM, "email": " Eve@Example.COM ", "name": " Eve Customer "})
    assert r.status_code == 200 and "Check your email" in page_text(r)
    assert count(app) == 0
    with app.app_context():
        assert [(p.email, p.name) for p in db.session.scalars(db.select(PendingRegistration))] == \
            [("eve@example.com", "Eve Customer")]
    link = activation_link(sent[-1].body)
    r = person.post(link, {})
    assert r.status_code == 302 and r.headers["Location"] == "/"
    with app.app_context():
        assert [(u.email, u.name) for u in db.session.scalars(db.select(User))] == [("eve@example.com", "Eve Customer")]
