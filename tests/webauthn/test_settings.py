"""The relying-party id and allowed origins are deploy settings, checked at start-up with a clear error."""
import pytest

from portal import create_app
from portal.config import TestConfig
from portal.twofactor.webauthn_rp import settings_problems


def test_outside_debug_they_come_from_portal_url_and_must_work(tmp_path):
    db = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}", "TESTING": False}
    app = create_app(TestConfig, **db, PORTAL_URL="https://help.example.com")
    assert (app.config["WEBAUTHN_RP_ID"], app.config["WEBAUTHN_ORIGINS"]) == ("help.example.com",
                                                                            "https://help.example.com")
    with pytest.raises(RuntimeError, match="an IP address can never be one") as refused:
        create_app(TestConfig, **db, PORTAL_URL="http://10.0.0.5:8000")  # set them, or open the portal by name
    assert "http only for localhost" in str(refused.value)
    create_app(TestConfig, **db, DEBUG=True)  # a developer's machine: localhost
    explicit = create_app(TestConfig, **db, PORTAL_URL="https://help.example.com", WEBAUTHN_RP_ID="example.com",
                          WEBAUTHN_ORIGINS="https://help.example.com,https://support.example.com")
    assert explicit.config["WEBAUTHN_RP_ID"] == "example.com"  # set explicitly: they win
    with pytest.raises(RuntimeError, match="is not on WEBAUTHN_RP_ID"):
        create_app(TestConfig, **db, PORTAL_URL="https://help.example.com", WEBAUTHN_RP_ID="help.example.com",
                   WEBAUTHN_ORIGINS="https://evil.test")


@pytest.mark.parametrize("rp_id, origins, problem", [
    ("help.example.com", ["https://help.example.com"], None),
    ("example.com", ["https://help.example.com", "https://support.example.com:8443"], None),
    ("localhost", ["http://localhost:5000"], None),
    ("10.0.0.5", ["https://10.0.0.5"], "an IP address can never be one"),
    ("https://help.example.com", ["https://help.example.com"], "no scheme, port or path"),
    ("help.example.com", ["http://help.example.com"], "http only for localhost"),
    ("help.example.com", ["https://help.example.com/login"], "must be https://host[:port]"),
    ("help.example.com", ["https://example.com"], "is not on WEBAUTHN_RP_ID"),
    ("help.example.com", ["https://evilhelp.example.com"], "is not on WEBAUTHN_RP_ID"),
])
def test_each_problem_is_named(rp_id, origins, problem):
    found = " ".join(settings_problems(rp_id, origins))
    assert (problem in found) if problem else found == ""
