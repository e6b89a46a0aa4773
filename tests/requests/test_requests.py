"""Requests: Contact support, My requests, the agents' queue, replies, status, search, mail and the rules every
page keeps (ownership, CSRF, limits, junk)."""
from sqlalchemy import event

from portal.extensions import db
from portal.models import RequestMessage, SupportRequest, User
from portal import clock as portal_clock
from tests.conftest import page_text
from .conftest import events, flashes, status_of, words


def test_a_request_from_contact_support_to_an_answer_by_mail_and_back(app, agent, customer, smtp_sink):
    page = customer.get("/")
    assert 'href="/requests/new"' in page_text(page) and 'href="/requests"' in page_text(page)
    number = customer.ask_support("Can't print", "The printer says <b>PC LOAD LETTER</b>.")
    mine = words(customer.get("/requests"))
    assert f"#{number} Can't print" in mine and "Open" in mine

    queue = words(agent.get("/agent/"))
    assert f"#{number} Can't print" in queue and "Eve Customer" in queue and "Open (1)" in queue
    request_page = agent.get(f"/agent/requests/{number}")
    assert "&lt;b&gt;PC LOAD LETTER&lt;/b&gt;" in request_page.get_data(as_text=True)  # plain text, escaped

    r = agent.send(f"/agent/requests/{number}/reply",
                   {"body": "Load <i>letter</i> paper.\nThen try again.", "status": "pending"},
                   page=f"/agent/requests/{number}")
    assert r.status_code == 303
    assert flashes(agent.get(r.headers["Location"])) == ["Your reply was sent to the requester."]
    assert status_of(app, number) == "pending"
    mail = smtp_sink.latest("eve@example.com")
    assert mail["Subject"] == f"[Helpdesk] New reply to your request #{number}"
    text = smtp_sink.text(mail)
    assert "Sam Agent from support replied" in text and "Load <i>letter</i> paper.\r\nThen try again." in text
    assert f"http://localhost/requests/{number}" in text
    assert "Load &lt;i&gt;letter&lt;/i&gt; paper." in smtp_sink.html(mail)  # the HTML part escapes it
    assert "Waiting on customer (1)" in words(agent.get("/agent/?status=pending"))

    conversation = words(customer.get(f"/requests/{number}"))
    assert "Sam Agent Support" in conversation and "Waiting on customer" in conversation
    r = customer.send(f"/requests/{number}/reply", {"body": "Thanks, it works."}, page=f"/requests/{number}")
    assert r.status_code == 303
    assert status_of(app, number) == "open"  # the requester's reply reopens it
    assert len(smtp_sink.to("eve@example.com")) == 1  # the requester is not mailed their own reply


def test_the_link_in_the_mail_leads_through_sign_in(app, client, agent, customer, smtp_sink):
    number = customer.ask_support()
    agent.send(f"/agent/requests/{number}/reply", {"body": "Hello", "status": "pending"},
               page=f"/agent/requests/{number}")
    r = client.get(f"/requests/{number}")  # a browser not signed in
    assert r.status_code == 302 and r.headers["Location"] == f"/login?next=/requests/{number}?"


def test_a_customer_sees_only_their_own_requests(app, agent, customer, make_customer):
    number = customer.ask_support("Mine", "Private details")
    other = make_customer("mallory@example.com", "Mallory")
    assert other.get(f"/requests/{number}").status_code == 404
    assert other.get(f"/requests/{number}/verify").status_code == 404
    r = other.send(f"/requests/{number}/reply", {"body": "injected"}, page="/requests/new")
    assert r.status_code == 404
    assert "Mine" not in page_text(other.get("/requests"))
    for junk in ("abc", "-1", "0", "99999999999999999999", "1.5"):
        assert customer.get(f"/requests/{junk}").status_code == 404
        assert agent.get(f"/agent/requests/{junk}").status_code == 404
    assert customer.get(f"/agent/requests/{number}").status_code == 403  # an end user never reaches the console
    with app.app_context():
        assert [m.body for m in db.session.scalars(db.select(RequestMessage))] == ["Private details"]


def test_limits_and_junk_get_a_clear_message_and_lose_nothing(app, customer, agent):
    r = customer.send("/requests/new", {"subject": "x" * 151, "body": "Typed text"})
    assert r.status_code == 400 and "The subject can be at most 150 characters." in page_text(r)
    assert "Typed text" in page_text(r)  # nothing typed is lost
    r = customer.send("/requests/new", {"subject": "Hi", "body": "y" * 5001})
    assert r.status_code == 400 and "A message can be at most 5000 characters." in page_text(r)
    r = customer.send("/requests/new", {"subject": "   ", "body": "   "})
    assert r.status_code == 400 and "Enter a subject." in page_text(r) and "Enter a message." in page_text(r)
    r = customer.send("/requests/new", {"subject": "Line\r\nBcc: someone@example.com", "body": "ab  \r\nc"})
    assert r.status_code == 303, page_text(r)
    with app.app_context():
        req = db.session.scalar(db.select(SupportRequest))
        assert req.subject == "Line Bcc: someone@example.com" and req.messages[0].body == "ab\nc"
        number = req.id
    r = customer.client.post("/requests/new", data={"csrf_token": "forged", "subject": "a", "body": "b"})
    assert r.status_code == 400
    r = agent.send(f"/agent/requests/{number}/reply", {"body": "Hi", "status": "deleted"},
                   page=f"/agent/requests/{number}")
    assert r.status_code == 400 and "Not a valid choice" in page_text(r) and "Hi" in page_text(r)
    r = agent.send(f"/agent/requests/{number}/status", {"status": "nonsense"}, page=f"/agent/requests/{number}")
    assert r.status_code == 303 and status_of(app, number) == "open"
    assert agent.client.post(f"/agent/requests/{number}/status", data={"status": "solved"}).status_code == 400
    assert status_of(app, number) == "open"
    assert agent.get("/agent/?status=<script>&page=-5&q=%F0%9F%98%80").status_code == 200


def test_status_change_is_logged_and_the_queue_follows_it(app, agent, customer):
    number = customer.ask_support()
    r = agent.send(f"/agent/requests/{number}/status", {"status": "solved"}, page=f"/agent/requests/{number}")
    assert r.status_code == 303 and status_of(app, number) == "solved"
    assert "Solved (1)" in words(agent.get("/agent/")) and "No requests here." in words(agent.get("/agent/"))
    assert f"#{number}" in words(agent.get("/agent/?status=solved"))
    [logged] = events(app, "request.status_changed")
    assert logged.actor_id == agent.id and logged.user_id == customer.id and '"solved"' in logged.detail


def add_requests(app, count, start=0):
    with app.app_context():
        users = [User(email=f"req{i:03d}@example.com", name=f"Requester {i:03d}", kind="end_user",
                      password_hash="x", created_at=portal_clock.now()) for i in range(start, start + count)]
        db.session.add_all(users)
        db.session.flush()
        for i, user in enumerate(users, start):
            at = portal_clock.now()
            db.session.add(SupportRequest(requester_id=user.id, subject=f"Subject {i:03d}", status="open",
                                          created_at=at, updated_at=at))
        db.session.commit()


def test_the_queue_is_newest_first_paged_in_a_constant_number_of_queries(app, agent, clock):
    def statements(url):
        agent.get("/agent/")  # the session's last-seen time is written at most once a minute: not counted here
        with app.app_context():
            engine = db.engine
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert agent.get(url).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(seen)

    for i in range(3):
        add_requests(app, 1, start=i)
        clock.advance(60)
    few = statements("/agent/")
    for i in range(3, 60):
        add_requests(app, 1, start=i)
        clock.advance(60)
    assert statements("/agent/") == few
    assert statements("/agent/?page=2") == few

    first = words(agent.get("/agent/"))
    assert first.index("Subject 059") < first.index("Subject 058")  # newest first
    assert "Subject 035" in first and "Subject 034" not in first and "Older requests" in first
    third = words(agent.get("/agent/?page=3"))
    assert "Subject 009" in third and "Subject 000" in third and "Older requests" not in third


def test_search_by_subject_or_requester(app, agent, customer, make_customer):
    customer.ask_support("Printer jam", "…")
    make_customer("bob@example.com", "Bob Builder").ask_support("VPN down", "…")
    found = words(agent.get("/agent/?q=printer"))
    assert "Printer jam" in found and "VPN down" not in found
    found = words(agent.get("/agent/?q=bob@"))
    assert "VPN down" in found and "Printer jam" not in found
    found = words(agent.get("/agent/?q=eve+cust"))
    assert "Printer jam" in found and "VPN down" not in found
    assert "No requests here." in words(agent.get("/agent/?q=%25"))  # a wildcard is just a character


def test_a_reply_whose_mail_cannot_be_sent_is_kept_and_says_so(app, agent, customer):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=9, MAIL_SUPPRESS_SEND=False)  # nothing listens there
    number = customer.ask_support()
    r = agent.send(f"/agent/requests/{number}/reply", {"body": "Kept", "status": "pending"},
                   page=f"/agent/requests/{number}")
    assert flashes(agent.get(r.headers["Location"])) == [
        "Your reply is saved on the request, but the email to the requester could not be sent."]
    assert "Kept" in words(customer.get(f"/requests/{number}"))
