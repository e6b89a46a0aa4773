"""The emailed registration link: once, for 24 hours, only the newest one; a link that can't be used says why (4xx,
never a 500) and creates nothing; the mail limits per address; a mail server that fails; races."""
import threading
import pytest

from portal import registrations
from portal.extensions import db
from portal.models import PendingRegistration, User
from portal.passwords import verify_password
from tests.conftest import csrf_token, free_port, page_text
from tests.helpcenter.conftest import PASSWORD, activation_link


def users(app) -> list[tuple[str, str]]:
    with app.app_context():
        return [(u.email, u.name) for u in db.session.scalars(db.select(User).order_by(User.id))]


def rows(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(PendingRegistration))


def register(end_user, sink, email="eve@example.com", to=None, **kwargs):
    """Fill in /register; returns (the page shown, the link from the newest email to `to` (default: `email`), or
    None)."""
    to = to or email
    before = len(sink.to(to))
    r = end_user.register(email=email, activate=False, **kwargs)
    received = sink.to(to)
    return r, activation_link(sink.text(received[-1])) if len(received) > before else None


def press_activate(client, link):
    page = client.get(link)
    assert page.status_code == 200, page.status_code
    return client.post(link, data={"csrf_token": csrf_token(page)})


def refused_link(client, link, status, message):
    """Opening the link and posting to it (with a good CSRF token from another form) are both refused."""
    page = client.get(link)
    assert page.status_code == status and message in page_text(page)
    assert "This link can't be used" in page_text(page) and 'href="/register"' in page.get_data(as_text=True)
    token = csrf_token(client.get("/register"))
    r = client.post(link, data={"csrf_token": token})
    assert r.status_code == status and message in page_text(r)


def test_a_link_works_once(end_user, client, app, smtp_sink):
    _, link = register(end_user, smtp_sink)
    assert press_activate(client, link).headers["Location"] == "/"
    end_user.sign_out()
    refused_link(client, link, 410, registrations.USED)
    assert users(app) == [("eve@example.com", "Eve Customer")]
    assert "Sign in" in page_text(client.get("/"))  # the used link signed no one in


def test_a_link_expires_after_24_hours(end_user, client, app, smtp_sink):
    _, link = register(end_user, smtp_sink)
    end_user.clock.advance(24 * 3600 - 1)
    assert client.get(link).status_code == 200
    end_user.clock.advance(1)
    refused_link(client, link, 410, registrations.EXPIRED)
    assert users(app) == []
    # Registering again sends a new link that works.
    _, again = register(end_user, smtp_sink)
    assert again != link and press_activate(client, again).headers["Location"] == "/"


def test_a_newer_registration_voids_the_older_link(end_user, client, app, smtp_sink):
    _, first = register(end_user, smtp_sink, name="Eve First", password="first password")
    end_user.clock.advance(61)
    _, second = register(end_user, smtp_sink, name="Eve Second", password="second password")
    refused_link(client, first, 410, registrations.VOIDED)
    assert press_activate(client, second).headers["Location"] == "/"
    assert users(app) == [("eve@example.com", "Eve Second")]
    with app.app_context():
        user = db.session.scalar(db.select(User))
        assert verify_password(user.password_hash, "second password")
        assert not verify_password(user.password_hash, "first password")


@pytest.mark.parametrize("token", ["1", "x" * 43, "a" * 500, "' OR 1=1 --", "%C3%A9" * 10])
def test_a_made_up_link_is_not_found(end_user, client, app, smtp_sink, token):
    register(end_user, smtp_sink)
    refused_link(client, f"/register/activate/{token}", 404, registrations.UNKNOWN)
    for url in ("/register/activate/%00", "/register/activate/..%2F..%2Fadmin", "/register/activate/"):
        assert 400 <= client.get(url).status_code < 500, url
    assert users(app) == [] and "Sign in" in page_text(client.get("/"))


def test_a_forged_form_activates_nothing_and_the_link_still_works(end_user, client, app, smtp_sink):
    _, link = register(end_user, smtp_sink)
    r = client.post(link, data={"csrf_token": "forged"})
    assert r.status_code == 400 and "This form has expired or did not come from this site." in page_text(r)
    assert users(app) == []
    assert press_activate(client, link).headers["Location"] == "/"


def test_an_account_made_meanwhile_is_not_made_twice(end_user, client, app, smtp_sink):
    _, link = register(end_user, smtp_sink)
    end_user.create(email="eve@example.com", role="end-user", name="Eve by the CLI")
    page = client.get(link)
    r = client.post(link, data={"csrf_token": csrf_token(page)})
    assert r.status_code == 409 and registrations.TAKEN in page_text(r)
    assert users(app) == [("eve@example.com", "Eve by the CLI")]
    refused_link(client, link, 410, registrations.USED)


def test_one_mail_a_minute_and_five_an_hour_per_address(end_user, client, app, smtp_sink):
    r, link = register(end_user, smtp_sink)
    assert r.status_code == 200 and link
    r, again = register(end_user, smtp_sink, name="Eve Again")
    assert r.status_code == 429 and registrations.THROTTLED in page_text(r)
    assert again is None and len(smtp_sink.to("eve@example.com")) == 1
    assert 'value="Eve Again"' in r.get_data(as_text=True)  # nothing typed is lost
    for _ in range(4):
        end_user.clock.advance(61)
        assert register(end_user, smtp_sink)[0].status_code == 200
    end_user.clock.advance(61)
    r, _ = register(end_user, smtp_sink)
    assert r.status_code == 429 and registrations.CAPPED in page_text(r)
    assert len(smtp_sink.to("eve@example.com")) == 5
    # Another address is not held up, and an hour after the first mail the next one goes.
    assert register(end_user, smtp_sink, email="other@example.com")[0].status_code == 200
    end_user.clock.advance(3600 - 4 * 61)
    assert register(end_user, smtp_sink)[0].status_code == 200


def test_the_limits_are_the_same_for_an_address_that_has_an_account(end_user, client, app, smtp_sink):
    end_user.create(email="eve@example.com", role="end-user", name="Eve")
    assert register(end_user, smtp_sink)[0].status_code == 200
    r, _ = register(end_user, smtp_sink)
    assert r.status_code == 429 and registrations.THROTTLED in page_text(r)
    assert len(smtp_sink.to("eve@example.com")) == 1


def test_mail_server_down_keeps_nothing_and_says_so(end_user, client, app, smtp_sink, caplog):
    good_port = app.config["MAIL_PORT"]
    app.config.update(MAIL_PORT=free_port(), MAIL_TIMEOUT=1)
    r, _ = register(end_user, smtp_sink)
    assert r.status_code == 503 and registrations.SEND_FAILED in page_text(r)
    html = r.get_data(as_text=True)
    assert 'value="Eve Customer"' in html and 'value="eve@example.com"' in html
    assert rows(app) == 0 and users(app) == []
    assert "registration mail" in caplog.text and "could not be sent" in caplog.text
    app.config["MAIL_PORT"] = good_port  # "try again": the failed send counted for nothing
    _, link = register(end_user, smtp_sink)
    assert press_activate(client, link).headers["Location"] == "/"


def test_no_token_password_or_link_is_logged(end_user, client, app, smtp_sink, caplog):
    caplog.set_level("DEBUG")
    _, link = register(end_user, smtp_sink)
    press_activate(client, link)
    token = link.rsplit("/", 1)[1]
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("portal"))
    assert '"type": "login.success"' in logged  # the portal's log was captured (the event's JSON line)
    assert token not in logged and PASSWORD not in logged and "$argon2" not in logged


def test_an_internationalised_domain_is_stored_and_mailed_in_its_ascii_form(end_user, client, app, smtp_sink):
    r, link = register(end_user, smtp_sink, email="eve@bücher.de", to="eve@xn--bcher-kva.de")
    assert r.status_code == 200 and "eve@xn--bcher-kva.de" in page_text(r)
    assert smtp_sink.latest("eve@xn--bcher-kva.de")["X-Envelope-To"] == "eve@xn--bcher-kva.de"
    assert press_activate(client, link).headers["Location"] == "/"
    assert users(app) == [("eve@xn--bcher-kva.de", "Eve Customer")]
    end_user.sign_out()
    for typed in ("eve@bücher.de", "Eve@XN--BCHER-KVA.de"):  # either way it is written, sign-in finds it
        assert end_user.sign_in(email=typed).headers["Location"] == "/", typed
        end_user.sign_out()


def test_two_clicks_at_once_make_one_account(end_user, client, app, smtp_sink):
    _, link = register(end_user, smtp_sink)
    clients = [app.test_client() for _ in range(4)]
    tokens = [csrf_token(c.get(link)) for c in clients]
    barrier, statuses = threading.Barrier(len(clients)), []

    def click(c, token):
        barrier.wait()
        statuses.append(c.post(link, data={"csrf_token": token}).status_code)

    threads = [threading.Thread(target=click, args=pair) for pair in zip(clients, tokens)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [302, 410, 410, 410]
    assert users(app) == [("eve@example.com", "Eve Customer")]


def test_parallel_registrations_for_one_address_send_one_mail(end_user, client, app, smtp_sink):
    clients = [app.test_client() for _ in range(4)]
    tokens = [csrf_token(c.get("/register")) for c in clients]
    barrier, statuses = threading.Barrier(len(clients)), []

    def send(c, token):
        barrier.wait()
        statuses.append(c.post("/register", data={"csrf_token": token, "name": "Eve", "email": "eve@example.com",
                                                  "password": PASSWORD}).status_code)

    threads = [threading.Thread(target=send, args=pair) for pair in zip(clients, tokens)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200, 429, 429, 429]
    assert len(smtp_sink.to("eve@example.com")) == 1 and rows(app) == 1


def test_old_rows_are_cleared_as_people_register(end_user, client, app, smtp_sink):
    _, link = register(end_user, smtp_sink)
    end_user.clock.advance((registrations.LINK_LIFETIME + registrations.KEEP_ROWS).total_seconds() + 1)
    register(end_user, smtp_sink, email="someone@example.com")
    with app.app_context():
        assert db.session.scalars(db.select(PendingRegistration.email)).all() == ["someone@example.com"]
    refused_link(client, link, 404, registrations.UNKNOWN)


def test_registering_and_activating_are_limited_per_ip(tmp_path, pg_schema, clock):
    """portal.rate_limits.auth_limit on both POSTs (TestConfig has the limits off; they are on here)."""
    from portal.clock import set_clock
    from tests.conftest import make_app

    app = make_app(tmp_path, pg_schema, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                   PORTAL_AUTH_RATE_LIMIT="2 per minute")
    set_clock(app, clock)
    client = app.test_client()
    try:
        token = csrf_token(client.get("/register"))
        statuses = [client.post("/register", data={"csrf_token": token, "name": "Eve", "password": PASSWORD,
                                                    "email": f"eve{i}@example.com"}).status_code for i in range(3)]
        assert statuses == [200, 200, 429]
        link = "/register/activate/" + "x" * 43
        assert [client.post(link, data={"csrf_token": token}).status_code for _ in range(3)] == [404, 404, 429]
        assert page_text(client.post(link, data={"csrf_token": token})).count("Too many attempts") >= 1
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
