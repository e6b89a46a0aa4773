"""An admin installs the example plugin "Security PIN" (tests/plugin_pkg, pip-installed like any outside package)
in a real browser, activates it, adds instances, then deletes an instance that an agent uses and uninstalls the
plugin, reading at each step what the page says will happen (issue 19). The agent's PIN is told by email through
a real SMTP server (aiosmtpd)."""
import re

import pytest
from playwright.sync_api import expect

from portal import clock
from portal.extensions import db
from portal.models import Authenticator, Plugin, PluginInstance
from tests.admin.conftest import PASSWORD, add_account, give_app
from tests.browser.a11y import assert_accessible
from tests.browser.helpers import oathtool_code, sign_in
from tests.conftest import smtp_sink_for

pytestmark = pytest.mark.browser


def give_pin(app, user_id: int, instance_name: str, name: str) -> None:
    """A confirmed Security PIN made with this instance, as if the agent had set it up (their only method)."""
    with app.app_context():
        instance = db.session.scalar(db.select(PluginInstance).where(PluginInstance.name == instance_name))
        now = clock.now()
        db.session.add(Authenticator(user_id=user_id, method="pin", instance_id=instance.id, name=name,
                                     secret_enc="not a real PIN hash", is_default=True, created_at=now,
                                     confirmed_at=now))
        db.session.commit()


def flash(page, text: str):
    return expect(page.locator("p.flash")).to_have_text(text)


def add_instance(page, name: str) -> None:
    page.get_by_role("link", name="Add New Instance").click()
    expect(page.get_by_role("heading", name="Add New Security PIN Instance")).to_be_visible()
    page.get_by_label("Name").fill(name)
    page.get_by_label("Status").select_option("Active")
    page.get_by_label("Shortest PIN allowed").fill("6")
    page.get_by_role("button", name="Save Changes").click()
    flash(page, f"Instance “{name}” saved (Active).")


def test_admin_installs_a_plugin_then_deletes_an_instance_and_uninstalls_it(live, browser):
    ada_id = add_account(live.app, "ada@example.com", "admin", "Ada Admin")
    ada_secret = give_app(live.app, ada_id)
    nat_id = add_account(live.app, "nat@example.com", "agent", "Nat Newcomer")

    with smtp_sink_for(live.app) as sink:
        context = browser.new_context()
        context.set_default_timeout(5000)
        page = context.new_page()
        sign_in(page, live.url, "ada@example.com", PASSWORD)
        page.get_by_label("Code", exact=True).fill(oathtool_code(ada_secret, live.clock))
        page.get_by_role("button", name="Verify").click()
        page.get_by_role("link", name="Admin", exact=True).click()
        page.get_by_role("link", name="Plugins").first.click()

        # Install and activate.
        page.get_by_role("link", name="Add New Plugin").click()
        row = page.get_by_role("row").filter(has_text="Security PIN")
        expect(row).to_contain_text("portal-pin-plugin 1.0.0")
        row.get_by_role("button", name="Install").click()
        expect(page.get_by_role("heading", name="Security PIN", exact=True)).to_be_visible()
        flash(page, "Security PIN is installed. To enable it, set Status to Active and Save Changes.")
        page.get_by_label("Status").select_option("Active")
        page.get_by_role("button", name="Save Changes").click()
        flash(page, "Saved: Security PIN on.")

        # Two instances; an agent has a PIN made with the first.
        page.get_by_role("navigation", name="Security PIN").get_by_role("link", name="Instances").click()
        add_instance(page, "Desk PIN")
        add_instance(page, "Spare PIN")
        give_pin(live.app, nat_id, "Desk PIN", "Nat's PIN")
        live.shot(page, "admin-plugin-instances")

        # Delete the instance the agent uses: the page says who is affected and what happens to them.
        page.get_by_role("link", name="Desk PIN", exact=True).click()
        delete_section = page.get_by_role("region", name="Delete instance")
        expect(delete_section).to_contain_text("Removes every authenticator people made with this instance.")
        assert_accessible(page, "an instance with Delete instance")
        delete_section.get_by_role("link", name="Delete instance").click()
        expect(page.get_by_role("heading", name="Delete instance “Desk PIN”")).to_be_visible()
        card = page.locator("main .card")
        expect(card).to_contain_text("1 person has an authenticator made with this instance (1 authenticator in all).")
        expect(card).to_contain_text("Those authenticators are removed and each owner is told by email.")
        expect(card).to_contain_text("1 of them has no other sign-in method. Anyone left without one is asked to set "
                                     "up 2FA again at their next sign-in if 2FA is required for them.")
        assert_accessible(page, "Delete instance confirmation")
        live.shot(page, "admin-plugin-instance-delete")
        page.get_by_role("button", name="Delete instance").click()  # without "Yes, I understand"
        expect(page.get_by_role("alert").first).to_contain_text("Tick “Yes, I understand” to delete this instance.")
        assert_accessible(page, "Delete instance confirmation with an error")
        page.get_by_label("Yes, I understand").check()
        page.get_by_role("button", name="Delete instance").click()
        expect(page.get_by_role("heading", name="Security PIN Instances")).to_be_visible()
        flash(page, "Instance “Desk PIN” deleted. 1 authenticator made with it was removed and its owner was told "
                    "by email.")
        expect(page.get_by_role("link", name="Desk PIN", exact=True)).to_have_count(0)
        expect(page.get_by_role("link", name="Spare PIN", exact=True)).to_be_visible()
        live.shot(page, "admin-plugin-instance-deleted")
        (mail,) = sink.to("nat@example.com")
        assert mail["Subject"].endswith("A sign-in method was removed from your account")
        assert "Ada Admin, an administrator, removed “Nat's PIN” from your account" in sink.text(mail)

        # Uninstall: counts first, then the plugin is back under Add New Plugin.
        page.get_by_role("navigation", name="Security PIN").get_by_role("link", name="Plugin").click()
        uninstall = page.get_by_role("region", name="Uninstall")
        assert_accessible(page, "a plugin with Uninstall")
        uninstall.get_by_role("link", name="Uninstall Security PIN").click()
        expect(page.get_by_role("heading", name="Uninstall Security PIN")).to_be_visible()
        card = page.locator("main .card")
        expect(card).to_contain_text("Security PIN has 1 instance (Spare PIN). Nobody has an authenticator made with "
                                     "it.")
        expect(card).to_contain_text("It is switched off and its instance is deleted: nobody can set it up any more.")
        expect(card).to_contain_text("Its Python package (portal-pin-plugin 1.0.0) stays installed on the server, "
                                     "so Security PIN is listed under Add New Plugin")
        assert_accessible(page, "Uninstall confirmation")
        live.shot(page, "admin-plugin-uninstall")
        page.get_by_label("Yes, I understand").check()
        page.get_by_role("button", name="Uninstall Security PIN").click()
        expect(page.get_by_role("heading", name="Plugins", exact=True)).to_be_visible()
        flash(page, "Security PIN is uninstalled: 1 instance deleted; nobody had set it up. Its Python package is "
                    "still installed, so it is listed under Add New Plugin.")
        installed = page.get_by_role("region", name="Installed plugins")
        expect(installed.get_by_role("link", name="Security PIN")).to_have_count(0)
        expect(installed.get_by_role("link", name="Authenticator app", exact=True)).to_be_visible()
        live.shot(page, "admin-plugin-uninstalled")
        page.get_by_role("link", name="Add New Plugin").click()
        expect(page.get_by_role("row").filter(has_text="Security PIN").get_by_role("button", name="Install")) \
            .to_be_visible()

        # Built-in plugins say why they can't be uninstalled instead of offering it.
        page.get_by_role("link", name="Plugins").first.click()
        page.get_by_role("link", name="Authenticator app", exact=True).click()
        expect(page.get_by_role("region", name="Uninstall")).to_have_text(re.compile(
            "Authenticator app is built into the portal, so it can't be uninstalled. To stop people setting it up, "
            "set its Status to Disabled."))
        expect(page.get_by_role("link", name=re.compile("^Uninstall"))).to_have_count(0)
        context.close()
        assert len(sink.messages) == 1  # nobody else was told anything

    with live.app.app_context():
        row = db.session.get(Plugin, "pin")
        assert (row.installed, row.active) == (False, False)
        assert db.session.scalars(db.select(PluginInstance).where(PluginInstance.plugin_key == "pin")).all() == []
        assert db.session.scalars(db.select(Authenticator).where(Authenticator.user_id == nat_id)).all() == []
