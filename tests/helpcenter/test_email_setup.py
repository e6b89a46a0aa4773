"""Set up email authentication (seed 004): Authenticator Name, the login email filled in, Send Verification Code,
the code read from a real SMTP server, Submit Code and Create."""
from portal.extensions import db
from portal.models import Authenticator, EmailCode
from tests.conftest import csrf_token, page_text

EMAIL_INSTANCE = 2


def send(person, name="My email"):
    page = person.client.get(f"/profile/2fa/setup/{EMAIL_INSTANCE}?new=1")
    assert page.status_code == 200
    return page, person.client.post(f"/profile/2fa/setup/{EMAIL_INSTANCE}/send",
                                    data={"csrf_token": csrf_token(page), "name": name})


def test_set_up_email_authentication(registered, client, app, smtp_sink):
    page, r = send(registered)
    first = page_text(page)
    assert "Set up email authentication" in first and "Authenticator Name" in first
    assert 'value="eve@example.com" readonly' in first and "Send Verification Code" in first
    assert "Submit Code and Create" not in first  # the code field comes once a code was sent
    body = page_text(r)
    assert r.status_code == 200 and "We sent a verification code to eve@example.com." in body
    assert 'value="My email"' in body and "Submit Code and Create" in body
    code = smtp_sink.latest_code("eve@example.com")
    with app.app_context():
        assert code not in db.session.scalar(db.select(EmailCode.code_hash))  # only a keyed hash is stored
    r = client.post(f"/profile/2fa/setup/{EMAIL_INSTANCE}",
                    data={"csrf_token": csrf_token(page), "name": "My email", "code": code})
    assert r.status_code == 302 and r.headers["Location"] == "/security/recovery-codes?next=/profile/2fa"
    assert "Your 2FA is set up: “My email” will be asked for when you sign in." in page_text(
        client.get(r.headers["Location"]))
    registered.after_setup(client.post("/security/recovery-codes/done",
                                       data={"csrf_token": csrf_token(page), "next": "/profile/2fa"}))
    listing = page_text(client.get("/profile/2fa"))
    assert "Email Authentication" in listing and "eve@example.com" in listing
    with app.app_context():
        row = db.session.scalar(db.select(Authenticator))
        assert (row.name, row.method, row.target, row.secret_enc) == ("My email", "email", "eve@example.com", None)


def test_name_is_checked_before_a_code_is_sent(registered, client, smtp_sink):
    registered.add_app("Phone")
    _, r = send(registered, name="Phone")
    assert r.status_code == 400
    assert "You already have an authenticator named “Phone”. Choose another name." in page_text(r)
    _, r = send(registered, name="")
    assert r.status_code == 400 and "Give this authenticator a name." in page_text(r)
    assert smtp_sink.to("eve@example.com") == [] or all(
        "verification code" not in m["Subject"].lower() for m in smtp_sink.to("eve@example.com"))


def test_wrong_code_keeps_the_form_and_stores_nothing(registered, client, smtp_sink):
    page, _ = send(registered)
    code = smtp_sink.latest_code("eve@example.com")
    wrong = "000000" if code != "000000" else "111111"
    r = client.post(f"/profile/2fa/setup/{EMAIL_INSTANCE}",
                    data={"csrf_token": csrf_token(page), "name": "My email", "code": wrong})
    assert r.status_code == 400 and "That code isn't right. Check the newest email we sent you" in page_text(r)
    assert 'value="My email"' in r.get_data(as_text=True) and "Submit Code and Create" in page_text(r)
    assert registered.authenticators() == []
    r = client.post(f"/profile/2fa/setup/{EMAIL_INSTANCE}",
                    data={"csrf_token": csrf_token(page), "name": "My email", "code": code})
    assert r.status_code == 302 and registered.authenticators() == [("My email", "email")]


def test_submitting_before_sending_asks_for_a_code_first(registered, client, smtp_sink):
    page = client.get(f"/profile/2fa/setup/{EMAIL_INSTANCE}?new=1")
    r = client.post(f"/profile/2fa/setup/{EMAIL_INSTANCE}",
                    data={"csrf_token": csrf_token(page), "name": "My email", "code": "123456"})
    assert r.status_code == 400 and "Send a verification code first." in page_text(r)
    assert registered.authenticators() == []


def test_asking_again_too_soon_keeps_the_code_field(registered, client, smtp_sink):
    page, _ = send(registered)
    r = client.post(f"/profile/2fa/setup/{EMAIL_INSTANCE}/send",
                    data={"csrf_token": csrf_token(page), "name": "My email"})
    assert r.status_code == 429
    assert "Wait a minute before asking for another one." in page_text(r) and "Submit Code and Create" in page_text(r)
    assert len(smtp_sink.to("eve@example.com")) == 1


def test_mail_server_down_says_so_and_stores_nothing(registered, client, app):
    app.config.update(MAIL_SUPPRESS_SEND=False, MAIL_SERVER="127.0.0.1", MAIL_PORT=1)  # nothing listens there
    _, r = send(registered)
    assert r.status_code == 503
    assert "We couldn't send the email — try again or use another method." in page_text(r)
    assert "Send Verification Code" in page_text(r) and registered.authenticators() == []
