"""Signing in to the help center with a second factor: the default authenticator first, "Use another
authenticator" listing the others by name, email codes sent on request, lost access explained."""
import re

from tests.conftest import csrf_token, page_text
from tests.helpcenter.test_email_setup import EMAIL_INSTANCE, send


def others_listed(html: str) -> list[str]:
    block = re.search(r"<summary>Use another authenticator</summary>(.*?)</details>", html, re.S)
    return re.findall(r"<a href=\"/login/verify\?with=\d+\">([^<]+)</a>", block.group(1)) if block else []


def test_challenge_uses_the_default_then_another_by_name(registered, client):
    registered.add_app("Phone")
    tablet_secret = registered.add_app("Tablet")
    registered.sign_out()
    r = registered.sign_in()
    assert r.status_code == 302 and r.headers["Location"] == "/login/verify"
    page = client.get("/login/verify")
    html = page_text(page)
    assert "with <strong>Phone</strong>" in html and others_listed(html) == ["Tablet"]
    assert "Lost access to your authenticator" in html and "Contact your helpdesk administrator." in html
    tablet = registered.authenticator_id("Tablet")
    page = client.get(f"/login/verify?with={tablet}")
    assert "with <strong>Tablet</strong>" in page_text(page) and others_listed(page_text(page)) == ["Phone"]
    r = client.post("/login/verify", data={"csrf_token": csrf_token(page), "authenticator_id": str(tablet),
                                           "code": registered.code(tablet_secret)})
    assert r.status_code == 302 and r.headers["Location"] == "/"
    assert client.get("/profile/2fa").status_code == 200


def test_wrong_code_at_sign_in_is_refused(registered, client):
    secret = registered.add_app("Phone")
    registered.sign_out()
    registered.sign_in()
    wrong = "000000" if registered.code(secret) != "000000" else "111111"
    r = registered.post("/login/verify", {"code": wrong})
    assert r.status_code == 401 and "That code isn't right." in page_text(r)
    assert client.get("/profile/2fa").status_code == 302


def test_another_persons_authenticator_at_the_challenge_is_404(registered, client, end_user):
    registered.add_app("Phone")
    victim = registered.authenticator_id("Phone")
    registered.sign_out()
    registered.register(email="mallory@example.com", name="Mallory")
    client.get("/login/verify")
    registered.add_app("Mine")
    registered.sign_out()
    registered.sign_in(email="mallory@example.com")
    assert client.get(f"/login/verify?with={victim}").status_code == 404


def test_email_authenticator_sends_a_code_on_request(registered, client, smtp_sink):
    registered.add_app("Phone")
    page, _ = send(registered, name="My email")
    code = smtp_sink.latest_code("eve@example.com")
    r = client.post(f"/profile/2fa/setup/{EMAIL_INSTANCE}", data={"csrf_token": csrf_token(page),
                                                                  "name": "My email", "code": code})
    assert r.status_code == 302 and r.headers["Location"] == "/profile/2fa"
    registered.sign_out()
    registered.clock.advance(120)
    registered.sign_in()
    page = client.get("/login/verify")
    assert others_listed(page_text(page)) == ["My email"]
    mail = registered.authenticator_id("My email")
    page = client.get(f"/login/verify?with={mail}")
    assert "Email me a code" in page_text(page)
    sent_before = len(smtp_sink.to("eve@example.com"))
    r = client.post("/login/send-code", data={"csrf_token": csrf_token(page), "authenticator_id": str(mail)})
    assert r.status_code == 302 and r.headers["Location"] == f"/login/verify?with={mail}"
    assert "We sent a code to eve@example.com." in page_text(client.get(r.headers["Location"]))
    assert len(smtp_sink.to("eve@example.com")) == sent_before + 1
    r = client.post("/login/verify", data={"csrf_token": csrf_token(page), "authenticator_id": str(mail),
                                           "code": smtp_sink.latest_code("eve@example.com")})
    assert r.status_code == 302 and r.headers["Location"] == "/"
    assert client.get("/profile/2fa").status_code == 200
