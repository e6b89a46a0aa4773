"""100 people holding the same pending sign-in submit the same valid code at the same moment, across 4 gunicorn
workers on PostgreSQL: exactly one of them is signed in, every round, for every kind of code."""
import re

import pyotp
import pytest

from portal.twofactor.base import MESSAGES, Outcome

from .conftest import burst
from .web import Browser

pytestmark = pytest.mark.system

ROUNDS = 20
SUBMITTERS = 100
# What a losing submission may be told, besides being sent back to the password page because the sign-in it
# belonged to is already finished: the code was used (or its tries spent) a moment ago, or the account's
# failure budget is spent for now, so the code was not even checked.
REFUSED = {401: ("already been used", str(MESSAGES[Outcome.USED_UP])), 429: ("Too many wrong codes",)}
HIDDEN_ID = re.compile(r'name="authenticator_id" type="hidden" value="(\d+)"')


def pending_challenge(portal, person):
    browser = Browser(portal.url)
    response = browser.sign_in(person.email, person.password)
    assert (response.status, response.location) == (302, "/agent/login/verify"), response.text
    page = browser.get("/agent/login/verify")
    assert page.status == 200 and "Two-factor authentication" in page.text
    return browser, page


def race(browser, path: str, token: str, form: dict):
    """Every submitter holds a copy of the same session cookie and posts the same form at once."""
    tabs = [browser.clone() for _ in range(SUBMITTERS)]
    pages = burst(SUBMITTERS, lambda i: tabs[i].post(path, form, token=token))
    return list(zip(tabs, pages))


def assert_exactly_one_signed_in(portal, person, results, *, tries_can_run_out=False):
    winners = [tab for tab, page in results if page.status == 302 and page.location == "/agent/"]
    assert len(winners) == 1, sorted((p.status, p.location) for _, p in results)
    home = winners[0].get("/agent/")
    assert home.status == 200 and "Sign out" in home.text
    losers = [(tab, page) for tab, page in results if tab is not winners[0]]
    for tab, page in losers:
        if page.status == 302:
            assert page.location == "/agent/login", page.location
        else:
            assert any(m in page.text for m in REFUSED.get(page.status, ())), (page.status, page.text[:300])
    # Whatever it was told, a losing tab is not signed in.
    homes = burst(len(losers), lambda i: losers[i][0].get("/agent/"))
    assert {home.location for home in homes} == {"/agent/login"}
    events = portal.events(person.id)
    assert events["login.success"] == 1
    assert portal.scalar("SELECT count(*) FROM pending_logins WHERE user_id = :u", u=person.id) == 0
    # Losers refused unchecked because the budget was spent for now are each recorded.
    assert events["2fa.throttled"] == sum(1 for _, p in results if p.status == 429)
    if not tries_can_run_out:  # only an email code has a try limit of its own (5) that racers can spend
        assert events["2fa.challenge_failed"] == 0
    return events


def test_one_totp_code_sent_100_times_at_once_signs_in_exactly_once(portal):
    for _ in range(ROUNDS):
        person = portal.person()  # a fresh account each round: its replay guard has never seen a code
        browser, page = pending_challenge(portal, person)
        code = person.code()
        results = race(browser, "/agent/login/verify", page.token(),
                       {"code": code, "authenticator_id": HIDDEN_ID.search(page.body).group(1)})

        assert_exactly_one_signed_in(portal, person, results)
        step = portal.scalar("SELECT last_used_step FROM authenticators WHERE user_id = :u", u=person.id)
        assert pyotp.TOTP(person.secret).at(step * 30) == code


def test_one_recovery_code_sent_100_times_at_once_signs_in_exactly_once(portal):
    for _ in range(ROUNDS):
        person = portal.person(recovery_codes=True)
        browser, _ = pending_challenge(portal, person)
        page = browser.get("/agent/login/recovery")
        assert page.status == 200
        results = race(browser, "/agent/login/recovery", page.token(), {"code": person.recovery_codes[0]})

        events = assert_exactly_one_signed_in(portal, person, results)
        assert events["2fa.recovery_used"] == 1
        assert portal.scalar("SELECT count(*) FROM recovery_codes WHERE user_id = :u AND used_at IS NOT NULL",
                             u=person.id) == 1


def test_one_email_code_sent_100_times_at_once_signs_in_exactly_once(portal, smtp):
    for _ in range(ROUNDS):
        person = portal.person(totp=False, email_code=True)
        browser, page = pending_challenge(portal, person)
        authenticator_id = HIDDEN_ID.search(page.body).group(1)
        sent = browser.post("/agent/login/send-code", {"authenticator_id": authenticator_id}, token=page.token())
        assert sent.status == 302
        assert f"We sent a code to {person.email}" in browser.get(sent.headers["location"]).text
        mails = smtp.to(person.email)
        assert len(mails) == 1
        code = re.search(r"\b(\d{6})\b", mails[0].split("\n\n", 1)[1]).group(1)
        results = race(browser, "/agent/login/verify", page.token(),
                       {"code": code, "authenticator_id": authenticator_id})

        assert_exactly_one_signed_in(portal, person, results, tries_can_run_out=True)
        assert portal.scalar("SELECT count(*) FROM email_codes WHERE user_id = :u AND used_at IS NOT NULL",
                             u=person.id) == 1
