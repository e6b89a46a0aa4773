"""Development: with debug on and no mail server, mail lands in an outbox page; the page exists nowhere else."""
import re

import pytest

from portal.clock import set_clock
from tests.conftest import Person, make_app, page_text
from tests.email.flows import send_setup_code, setup_url, submit_setup_code


@pytest.fixture
def dev_app(tmp_path, pg_schema, clock):
    app = make_app(tmp_path, pg_schema, DEBUG=True, MAIL_SERVER=None)
    set_clock(app, clock)
    return app


def test_outbox_lists_mail_newest_first_and_its_code_sets_up_email(dev_app, clock):
    client = dev_app.test_client()
    person = Person(dev_app, client, clock)
    person.create()
    person.login()
    client.get(f"{setup_url(dev_app)}?new=1")
    assert send_setup_code(person).status_code == 200

    outbox = client.get("/dev/outbox/")
    assert outbox.status_code == 200 and "Development outbox" in page_text(outbox)
    link = re.search(r'href="(/dev/outbox/\d+)">\[Helpdesk\] Your verification code</a> — to agent@example.com',
                     page_text(outbox))
    assert link, page_text(outbox)
    message = page_text(client.get(link.group(1)))
    code = re.search(r"^    (\d{6})$", message, re.M).group(1)
    html = client.get(f"{link.group(1)}/html")
    assert code in html.get_data(as_text=True) and "script-src" not in html.headers["Content-Security-Policy"]

    assert submit_setup_code(person, code).status_code == 302
    subjects = re.findall(r'">(\[Helpdesk\][^<]+)</a>', page_text(client.get("/dev/outbox/")))
    assert subjects == ["[Helpdesk] A sign-in method was added to your account", "[Helpdesk] Your verification code"]


@pytest.mark.parametrize("overrides", [{}, {"DEBUG": True}, {"DEBUG": False, "MAIL_SERVER": None}],
                         ids=["test config", "debug with a mail server", "no debug"])
def test_outbox_does_not_exist_outside_debug_without_mail_server(tmp_path, pg_schema, overrides):
    app = make_app(tmp_path, pg_schema, **overrides)
    assert app.test_client().get("/dev/outbox/").status_code == 404
