"""The security log says exactly how each sign-in happened, in the same words on the admin's Security log and on
the person's own Security activity page (security_log.describe): a password only, which method by its label,
a remembered device, a recovery code, after setting up 2FA, setup skipped during the grace period. Each way is
taken through the test client as a person takes it."""
import re
from datetime import datetime

from portal import security_log
from portal.extensions import db
from portal.models import SecurityEvent
from portal.settings import set_setting
from portal.twofactor import registry
from tests.admin.conftest import admin, words  # noqa: F401 (admin: the fixture)
from tests.conftest import Person, csrf_token, page_text, setup_secret
from tests.email.flows import agent_with_email, ask_for_code, enter_code
from tests.security.helpers import enrolled_agent, sign_out

PASSWORD_ONLY = "Signed in with a password only"
AUTHENTICATOR_APP = "Signed in with Authenticator app as the second factor"
EMAIL = "Signed in with Email as the second factor"
PIN = "Signed in with Security PIN as the second factor"
REMEMBERED = "Signed in on a remembered device"
RECOVERY = "Signed in with a recovery code"
AFTER_SETUP = "Signed in after setting up 2FA"
SKIPPED = "Signed in without 2FA: setup skipped during the grace period"
UNINSTALLED = "Signed in with a second factor that is no longer installed"


def cells(html: str) -> list[list[str]]:
    """The rows of the page's table body, each a list of its cells as a person reads them."""
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S)
    rows = re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S) if body else []
    return [[" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
            for row in rows]


def admin_log(admin, email) -> list[list[str]]:  # noqa: F811
    """The admin's Security log filtered to this person's sign-ins: (event, details) per row, newest first."""
    response = admin.get(f"/admin/security-log?person={email}&type=login.success")
    assert response.status_code == 200
    return [[row[1], row[4]] for row in cells(page_text(response))]


def own_activity(person, area="/agent") -> list[str]:
    """What happened, per row of the person's own Security activity page, newest first."""
    response = person.client.get(f"{area}/security/activity")
    assert response.status_code == 200
    return [row[1] for row in cells(page_text(response))]


def sign_ins(descriptions: list[str]) -> list[str]:
    return [d for d in descriptions if d.startswith("Signed in ") and d != "Signed in from a new browser"]


def new_person(app, clock) -> Person:
    return Person(app, app.test_client(), clock)


def test_password_app_recovery_code_and_remembered_device_in_both_places(app, admin, person):  # noqa: F811
    secret, codes = enrolled_agent(person)  # signs in with a password only, then sets up an authenticator app
    person.login()
    person.clock.advance(30)
    assert person.post("/agent/login/verify", {"code": person.code(secret)}).headers["Location"] == "/agent/"
    sign_out(person)
    person.login()
    r = person.post("/agent/login/recovery", {"code": codes[0]})
    assert r.status_code == 302 and "/login" not in r.headers["Location"]
    sign_out(person)
    person.login()
    person.clock.advance(30)
    r = person.post("/agent/login/verify", {"code": person.code(secret), "remember": "y"})
    assert r.headers["Location"] == "/agent/"
    sign_out(person)
    assert person.login().headers["Location"] == "/agent/"  # the remembered device skips the challenge

    expected = [REMEMBERED, AUTHENTICATOR_APP, RECOVERY, AUTHENTICATOR_APP, PASSWORD_ONLY]
    assert sign_ins(own_activity(person)) == expected
    logged = admin_log(admin, "agent@example.com")
    assert [event for event, _ in logged] == expected
    assert not any("how" in details or "totp" in details for _, details in logged)  # said in words, not keys


def test_email_and_a_plugin_method_are_named_by_their_labels(app, admin, clock, smtp_sink):  # noqa: F811
    bob = new_person(app, clock)
    agent_with_email(bob, smtp_sink, email="bob@example.com", name="Bob Agent")
    bob.login(email="bob@example.com")
    ask_for_code(bob)
    assert enter_code(bob, smtp_sink.latest_code("bob@example.com")).headers["Location"] == "/agent/"
    assert sign_ins(own_activity(bob)) == [EMAIL, PASSWORD_ONLY]
    assert [event for event, _ in admin_log(admin, "bob@example.com")] == [EMAIL, PASSWORD_ONLY]

    with app.test_request_context():  # an admin installs the third-party "Security PIN" plugin
        registry.install("pin")
        registry.set_active("pin", True)
        instance = registry.save_instance(None, "pin", "Desk PIN", "active", {"min_length": "8"})
        db.session.commit()
        instance_id = instance.id
    pia = new_person(app, clock)
    pia.create(email="pia@example.com", name="Pia Agent")
    pia.login(email="pia@example.com")
    setup = f"/agent/preferences/security/setup/{instance_id}"
    r = pia.post(setup, {"name": "Desk PIN", "code": "48291375", "code_again": "48291375"})
    assert r.status_code == 302 and "/login" not in r.headers["Location"], words(r)
    sign_out(pia)
    assert pia.login(email="pia@example.com").headers["Location"] == "/agent/login/verify"
    assert pia.post("/agent/login/verify", {"code": "48291375"}).headers["Location"] == "/agent/"
    assert sign_ins(own_activity(pia)) == [PIN, PASSWORD_ONLY]
    assert [event for event, _ in admin_log(admin, "pia@example.com")] == [PIN, PASSWORD_ONLY]

    # A sign-in with a method whose plugin has since gone from the server still reads plainly.
    with app.app_context():
        pia_id = db.session.scalar(db.select(SecurityEvent.user_id).where(SecurityEvent.type == "login.success")
                                   .order_by(SecurityEvent.id.desc()))
        security_log.record("login.success", pia_id, how="retired-plugin")
        db.session.commit()
    assert sign_ins(own_activity(pia))[0] == UNINSTALLED
    assert admin_log(admin, "pia@example.com")[0] == [UNINSTALLED, ""]


def test_skipped_during_grace_then_after_setting_up_in_both_places(app, admin, clock):  # noqa: F811
    with app.app_context():
        set_setting("require_agents_2fa", True)
        set_setting("grace_until", datetime(2026, 3, 10, 16, 0).isoformat())
        db.session.commit()
    nat = new_person(app, clock)
    nat.create(email="nat@example.com", name="Nat New")
    assert nat.login(email="nat@example.com").headers["Location"] == "/agent/login/setup"
    r = nat.post_from("/agent/login/setup", "/agent/login/skip", {})
    assert r.headers["Location"] == "/agent/"
    sign_out(nat)

    clock.advance(60)
    assert nat.login(email="nat@example.com").headers["Location"] == "/agent/login/setup"
    page = nat.client.get("/agent/login/setup?instance=1")
    r = nat.client.post("/agent/login/setup?instance=1", data={
        "csrf_token": csrf_token(page), "name": "Phone", "code": nat.code(setup_secret(page))})
    assert r.status_code == 302 and "/login" not in r.headers["Location"]

    assert sign_ins(own_activity(nat)) == [AFTER_SETUP, SKIPPED]
    assert [event for event, _ in admin_log(admin, "nat@example.com")] == [AFTER_SETUP, SKIPPED]
    # The filter itself offers one "Signed in" for every way.
    assert '<option value="login.success">Signed in</option>' in page_text(admin.get("/admin/security-log"))


def test_the_end_user_reads_the_same_words_in_the_help_center(app, admin, clock):  # noqa: F811
    eve = new_person(app, clock)
    eve.create(email="eve@example.com", role="end-user", name="Eve")
    assert eve.login(email="eve@example.com", area="").headers["Location"] == "/"
    assert sign_ins(own_activity(eve, area="")) == [PASSWORD_ONLY]
    assert words(admin.get("/admin/security-log?person=eve@example.com&type=login.success")).count(PASSWORD_ONLY) == 1
