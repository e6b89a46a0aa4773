"""The setup flows with the keyboard alone (Tab, Shift+Tab, Enter, typing; no mouse), JavaScript on.

Each run starts with a fresh account, sets up an authenticator app the way seed 002/003/004 describe, and then
signs in again with a code from that app. test_no_javascript.py runs the same flows with JavaScript off.
"""
import pytest
from playwright.sync_api import expect

from portal.extensions import db
from portal.models import Authenticator, User
from tests.browser.a11y import add_person, set_policy
from tests.browser.keyboard import agent_mandatory_setup, agent_sets_up_app_in_preferences, \
    helpcenter_sets_up_app, sign_out_and_in_again


@pytest.fixture
def keyboard_page(browser, live):
    context = browser.new_context()
    context.set_default_timeout(5000)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live.url)
    yield context.new_page()
    context.close()


def authenticators(app, email: str) -> list[tuple[str, str, bool]]:
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == email))
        return [(a.method, a.name, a.is_default) for a in db.session.scalars(
            db.select(Authenticator).where(Authenticator.user_id == user.id, Authenticator.confirmed_at.is_not(None)))]


def test_agent_sets_up_an_app_in_preferences_by_keyboard(live, keyboard_page):
    page = keyboard_page
    who = add_person(live.app, "agent", "sam@example.com", "Sam Agent", with_app=False)
    secret = agent_sets_up_app_in_preferences(page, live, who, js=True)
    assert authenticators(live.app, who.email) == [("totp", "Authenticator app", True)]
    sign_out_and_in_again(page, live, who, "/agent", secret)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Sam Agent")


def test_agent_mandatory_setup_pop_up_by_keyboard(live, keyboard_page):
    page = keyboard_page
    who = add_person(live.app, "agent", "nat@example.com", "Nat Newcomer", with_app=False)
    set_policy(live.app, require_agents_2fa=True)
    secret = agent_mandatory_setup(page, live, who, js=True)
    assert [m for m, _, default in authenticators(live.app, who.email) if default] == ["totp"]
    sign_out_and_in_again(page, live, who, "/agent", secret)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Nat Newcomer")


def test_end_user_sets_up_an_app_in_your_2fa_by_keyboard(live, keyboard_page):
    page = keyboard_page
    who = add_person(live.app, "end-user", "eve@example.com", "Eve Customer", with_app=False)
    secret = helpcenter_sets_up_app(page, live, who, js=True)
    assert authenticators(live.app, who.email) == [("totp", "My phone", True)]
    sign_out_and_in_again(page, live, who, "", secret, avatar=True)
    expect(page.get_by_role("heading", level=1)).to_have_text("How can we help?")
