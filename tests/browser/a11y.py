"""Accessibility helpers for the browser tests: the axe-core engine, the people who visit, and signing them in.

axe-core comes from the npm registry (scripts/browser-deps.sh puts it in tests/browser/.axe). It is evaluated
through the DevTools protocol, so the portal's own Content-Security-Policy stays exactly as served.
"""
import os
from dataclasses import dataclass
from datetime import datetime
from functools import cache

import pyotp

from tests.conftest import Person

AXE_JS = os.path.join(os.path.dirname(os.path.abspath(__file__)), ".axe", "node_modules", "axe-core", "axe.min.js")
PASSWORD = "correct horse battery"
PHONE = {"width": 390, "height": 844}

RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => v.id + ' (' + v.impact + '): ' + v.help + ' -> ' +
    v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
}"""


@cache
def _axe_source() -> str:
    assert os.path.exists(AXE_JS), "axe-core is missing: run scripts/browser-deps.sh"
    with open(AXE_JS, encoding="utf-8") as f:
        return f.read()


def axe_violations(page) -> list[str]:
    """Every axe-core violation on the page as it is now (WCAG 2.x A/AA and best practices). axe-core is itself
    JavaScript: it needs a context with JavaScript on (with it off, its promise never settles)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    return page.evaluate(RUN_AXE)


def assert_accessible(page, what: str = "") -> None:
    violations = axe_violations(page)
    assert violations == [], f"axe-core on {what or page.url}:\n  " + "\n  ".join(violations)


@dataclass
class Visitor:
    """Someone with an account, a password and (for those who have one) the secret of their authenticator app."""
    role: str
    email: str
    name: str
    area: str  # where they sign in: "/agent" or "" (help center)
    secret: str | None

    def code(self, clock, offset_steps: int = 0) -> str:
        epoch = int((clock.now() - datetime(1970, 1, 1)).total_seconds())
        return pyotp.TOTP(self.secret).at(epoch + 30 * offset_steps)


def add_person(app, role: str, email: str, name: str, with_app: bool = True) -> Visitor:
    """Create an account; with_app gives it a confirmed authenticator app (the default 2FA method)."""
    from portal import clock, crypto
    from portal.extensions import db
    from portal.models import Authenticator, PluginInstance

    Person(app, None, None).create(email=email, role=role, password=PASSWORD, name=name)
    secret = None
    with app.app_context():
        from portal.models import User
        user = db.session.scalar(db.select(User).where(User.email == email))
        if with_app:
            secret = pyotp.random_base32()
            instance = db.session.scalar(db.select(PluginInstance).where(PluginInstance.plugin_key == "totp"))
            now = clock.now()
            db.session.add(Authenticator(user_id=user.id, method="totp", instance_id=instance.id,
                                         name="Work phone", secret_enc=crypto.encrypt(secret), is_default=True,
                                         created_at=now, confirmed_at=now))
            db.session.commit()
    return Visitor(role, email, name, "" if role == "end-user" else "/agent", secret)


def add_extras(app, who: Visitor) -> None:
    """Fill the account the way use would: an email authenticator too (when the method exists) and recovery codes,
    so that pages listing them and the sign-in links to them show up."""
    from portal import clock
    from portal.extensions import db
    from portal.models import Authenticator, PluginInstance, User
    from portal.twofactor import recovery, registry
    with app.test_request_context():
        user = db.session.scalar(db.select(User).where(User.email == who.email))
        instance = db.session.scalar(db.select(PluginInstance).where(PluginInstance.plugin_key == "email"))
        if instance is not None and registry.method("email") is not None:
            now = clock.now()
            db.session.add(Authenticator(user_id=user.id, method="email", instance_id=instance.id, name="Work email",
                                         target=who.email, is_default=False, created_at=now, confirmed_at=now))
        recovery.generate(user)
        db.session.commit()


def set_policy(app, **settings) -> None:
    from portal.extensions import db
    from portal.settings import set_setting
    with app.app_context():
        for key, value in settings.items():
            set_setting(key, value)
        db.session.commit()


def enter_password(page, base: str, who: Visitor) -> None:
    page.goto(f"{base}{who.area}/login")
    page.get_by_label("Email").fill(who.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def sign_in(page, live, who: Visitor) -> None:
    """Password, then the code from the app: the way the person signs in."""
    enter_password(page, live.url, who)
    if who.secret:
        page.get_by_label("Code", exact=True).fill(who.code(live.clock))
        page.get_by_role("button", name="Verify").click()
    assert "/login" not in page.url, f"{who.email} is not signed in: {page.url}"
