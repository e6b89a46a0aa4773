"""Links in emails are built on PORTAL_URL, never on the Host header a client sent: a forged Host cannot put an
attacker's domain into a password-reset link mailed from the real portal."""
import re

import pytest

from portal import create_app
from portal.config import Config, TestConfig
from portal.public_url import BadPublicUrl
from tests.conftest import Person, csrf_token, make_app, page_text, smtp_sink_for
from tests.passwords.conftest import EMAIL, SENT, ask_for_link

EVIL = "evil.example"


@pytest.fixture
def deployed(tmp_path, pg_schema, clock):
    """The portal as deployed at https://help.example.com, and a real SMTP server its mails go to."""
    app = make_app(tmp_path, pg_schema, PORTAL_URL="https://help.example.com")
    with smtp_sink_for(app) as sink:
        yield app, sink


def links_in(sink, address) -> list[str]:
    return re.findall(r"https?://[^\s\"<>]+", sink.text(sink.latest(address)))


def test_a_forged_host_header_does_not_reach_the_reset_link(deployed, clock):
    app, sink = deployed
    person = Person(app, app.test_client(), clock)
    person.create()
    forged = f"http://{EVIL}"  # the attacker's requests claim another host, their cookies with them
    page = person.client.get("/agent/forgot-password", base_url=forged)
    answer = person.client.post("/agent/forgot-password", base_url=forged,
                                data={"csrf_token": csrf_token(page), "email": EMAIL})
    assert answer.status_code == 200 and SENT in page_text(answer)
    links = links_in(sink, EMAIL)
    assert links and all(link.startswith("https://help.example.com/agent/") for link in links)
    assert not any(EVIL in link for link in links)


def test_without_portal_url_the_test_and_dev_portal_links_to_where_it_was_opened(app, person, smtp_sink):
    person.create()
    ask_for_link(person)
    assert links_in(smtp_sink, EMAIL)[0].startswith("http://localhost/agent/reset-password/")


def test_other_host_names_are_still_served(deployed):
    """A health check by IP address or an internal name still gets its answer (Flask 3.1: SERVER_NAME does not
    restrict which hosts are served)."""
    app, _ = deployed
    assert app.test_client().get("/healthz", headers={"Host": "10.0.0.7:8000"}).status_code == 200


class Deployed(Config):  # neither debug nor testing: how gunicorn runs it
    SECRET_KEY = TestConfig.SECRET_KEY
    PORTAL_ENCRYPTION_KEYS = TestConfig.PORTAL_ENCRYPTION_KEYS


@pytest.mark.parametrize("url", [None, "", "help.example.com", "ftp://help.example.com", "https://help.example.com/x",
                                 "https://user:pw@help.example.com", "https://help.example.com/?a=1", "https://"])
def test_outside_debug_the_portal_refuses_to_start_without_a_proper_portal_url(tmp_path, url):
    with pytest.raises(BadPublicUrl, match="PORTAL_URL"):
        create_app(Deployed, PORTAL_URL=url, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/x.db")


@pytest.mark.parametrize("url, host, scheme", [("https://help.example.com", "help.example.com", "https"),
                                               ("https://Portal.internal:8443/", "portal.internal:8443", "https")])
def test_a_proper_portal_url_is_where_links_point(tmp_path, url, host, scheme):
    app = create_app(Deployed, PORTAL_URL=url, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/x.db")
    assert (app.config["SERVER_NAME"], app.config["PREFERRED_URL_SCHEME"]) == (host, scheme)
