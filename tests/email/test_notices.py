"""Security notices: one helper every flow uses to tell a person about a 2FA change, as text and HTML mail."""
import pytest

from portal.extensions import db
from portal.models import User
from portal.notify import security_notice
from tests.conftest import free_port


@pytest.mark.parametrize("event, details, subject, sentence", [
    ("2fa.setup", {"authenticator": "Work email"}, "A sign-in method was added to your account",
     "“Work email” was added to your account."),
    ("2fa.removed", {"authenticator": "Phone"}, "A sign-in method was removed from your account",
     "“Phone” was removed from your account."),
    ("2fa.admin_reset", {}, "An administrator removed your two-factor authentication",
     "An administrator removed every two-factor method from your account"),
    ("2fa.locked", {"lock": "temporary"}, "Your account was locked after wrong codes",
     "After 10 wrong codes in a row, your account is locked for 15 minutes."),
    ("2fa.locked", {"lock": "admin"}, "Your account was locked after wrong codes",
     "your account is locked until a helpdesk administrator unlocks it."),
    ("2fa.replay_refused", {"authenticator": "Phone"}, "A code of yours was used twice",
     "Someone entered a code from “Phone” that had already been used. It was refused."),
    ("device.revoked", {}, "A remembered device was signed out", "A remembered device was signed out."),
])
def test_notice_says_what_happened_when_and_what_to_do(app, person, smtp_sink, event, details, subject, sentence):
    user_id = person.create()
    with app.test_request_context():
        assert security_notice(db.session.get(User, user_id), event, **details) is True
    mail = smtp_sink.latest("agent@example.com")
    assert mail["Subject"] == f"[Helpdesk] {subject}"
    text, html = smtp_sink.text(mail), smtp_sink.html(mail)
    assert text.startswith("Hello Sam Agent,") and sentence in text and sentence in html
    assert "When: 1 Mar 2026, 09:00 UTC" in text
    advice = "someone may know your password" if event in ("2fa.locked", "2fa.replay_refused") else \
        "If this was you, there is nothing to do."
    assert advice in text


def test_notice_that_cannot_be_sent_is_logged_not_fatal(app, person, caplog):
    user_id = person.create()
    app.config.update(MAIL_SUPPRESS_SEND=False, MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=1)
    with app.test_request_context():
        assert security_notice(db.session.get(User, user_id), "2fa.setup", authenticator="Phone") is False
    assert f"security notice 2fa.setup for user {user_id} could not be sent" in caplog.text


def test_portal_name_and_from_address_come_from_settings(app, person, smtp_sink):
    from portal.settings import set_setting

    user_id = person.create()
    with app.app_context():
        set_setting("portal_name", "Acme Support")
        set_setting("mail_from", "support@acme.test")
        db.session.commit()
    with app.test_request_context():
        assert security_notice(db.session.get(User, user_id), "2fa.setup", authenticator="Phone")
    mail = smtp_sink.latest("agent@example.com")
    assert mail["From"] == "Acme Support <support@acme.test>"
    assert mail["Subject"] == "[Acme Support] A sign-in method was added to your account"
    assert "Acme Support will never ask you for a code" in smtp_sink.text(mail)
