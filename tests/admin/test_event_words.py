"""The security log's details in words, also for the details of requests, single sign-on, disabled accounts and
account recovery, in the reader's language; a detail it has no words for is still shown, as “key: value”."""
import json

from flask_babel import force_locale

from portal.admin.event_words import detail_words
from portal.models import SecurityEvent


def _words(**detail) -> str:
    return detail_words(SecurityEvent(type="x", detail=json.dumps(detail)))


def test_details_of_requests_sso_sessions_and_recovery_in_words(app):
    with app.test_request_context():
        assert _words(request=12) == "request #12"
        assert _words(provider="Contoso SSO", area="agent") == "at the Agent console, through Contoso SSO"
        assert _words(sessions_ended=1) == "1 session ended"
        assert _words(sessions_ended=3) == "3 sessions ended"
        assert _words(ends="2026-03-02T09:00:00") == "ends at 09:00 on Monday, 2 March 2026 (UTC)"
        assert _words(area="elsewhere", something_new=[1, 2]) == "area: elsewhere, something new: 1, 2"


def test_the_same_details_in_german(app):
    with app.test_request_context(), force_locale("de"):
        assert _words(request=12, sessions_ended=3) == "Anfrage #12, 3 Sitzungen beendet"
        assert _words(area="helpcenter") == "im Hilfecenter"
