"""100 tabs of one pending sign-in select "Email me a code" at the same moment, across 4 gunicorn workers on
PostgreSQL: exactly one mail reaches the mail server, and every other tab is told a code was sent less than a
minute ago. Spread over ten pending sign-ins of one person, the same burst sends exactly five mails (the hourly
cap) and the rest are told so."""
import re

import pytest

from portal.twofactor import email_codes
from portal.twofactor.email import SEND_MESSAGES
from portal.twofactor.base import Outcome

from .conftest import burst
from .test_races import HIDDEN_ID
from .web import Browser

pytestmark = pytest.mark.system

SENDERS = 100
ROUNDS = 10
SENT = "We sent a code to {email}. It is valid for 10 minutes."
THROTTLED = str(SEND_MESSAGES[Outcome.THROTTLED])  # lazy messages: str() outside a request is the English
USED_UP = str(SEND_MESSAGES[Outcome.USED_UP])


def at_challenge(portal, person):
    """A pending sign-in at the email challenge: the browser, the page's CSRF token and the authenticator's id."""
    browser = Browser(portal.url)
    response = browser.sign_in(person.email, person.password)
    assert (response.status, response.location) == (302, "/agent/login/verify"), response.text
    page = browser.get("/agent/login/verify")
    assert page.status == 200 and "Email me a code" in page.text
    return browser, page.token(), HIDDEN_ID.search(page.body).group(1)


def send_from_every_tab(tabs):
    """Every tab posts "Email me a code" at once; returns what each then reads on the challenge page."""
    sent = burst(len(tabs), lambda i: tabs[i][0].post("/agent/login/send-code", {"authenticator_id": tabs[i][2]},
                                                      token=tabs[i][1]))
    assert {(page.status, page.location) for page in sent} == {(302, "/agent/login/verify")}
    return burst(len(tabs), lambda i: tabs[i][0].get(sent[i].headers["location"]).text)


def told(pages, message) -> int:
    return sum(1 for text in pages if message in text)


def test_100_parallel_sends_for_one_sign_in_send_one_mail(portal, smtp):
    for _ in range(ROUNDS):
        person = portal.person(totp=False, email_code=True)  # a fresh account each round
        browser, token, authenticator_id = at_challenge(portal, person)
        tabs = [(browser.clone(), token, authenticator_id) for _ in range(SENDERS)]

        pages = send_from_every_tab(tabs)

        mails = smtp.to(person.email)
        assert len(mails) == 1
        assert told(pages, SENT.format(email=person.email)) == 1
        assert told(pages, THROTTLED) == SENDERS - 1
        assert portal.scalar("SELECT count(*) FROM email_codes WHERE user_id = :u", u=person.id) == 1
        assert portal.events(person.id)["2fa.email_sent"] == 1
        # The one code mailed is the one that signs in.
        code = re.search(r"\b(\d{6})\b", mails[0].split("\n\n", 1)[1]).group(1)
        done = browser.post("/agent/login/verify", {"code": code, "authenticator_id": authenticator_id}, token=token)
        assert (done.status, done.location) == (302, "/agent/")


def test_100_parallel_sends_over_ten_sign_ins_stop_at_five_an_hour(portal, smtp):
    person = portal.person(totp=False, email_code=True)
    sign_ins = [at_challenge(portal, person) for _ in range(10)]
    tabs = [(browser.clone(), token, authenticator_id) for browser, token, authenticator_id in sign_ins
            for _ in range(SENDERS // len(sign_ins))]

    pages = send_from_every_tab(tabs)

    assert len(smtp.to(person.email)) == email_codes.HOURLY_CAP == 5
    assert told(pages, SENT.format(email=person.email)) == 5
    # The other tabs of the five sign-ins that got a code: it was sent a moment ago. Every tab of the five that
    # got none: the person's five for the hour are spent.
    assert told(pages, THROTTLED) == 5 * (SENDERS // 10 - 1)
    assert told(pages, USED_UP) == 5 * SENDERS // 10
    assert portal.scalar("SELECT count(*) FROM email_codes WHERE user_id = :u", u=person.id) == 5
    assert portal.scalar("SELECT count(DISTINCT purpose) FROM email_codes WHERE user_id = :u", u=person.id) == 5
    assert portal.events(person.id)["2fa.email_sent"] == 5
