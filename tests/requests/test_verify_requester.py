"""Verify requester: the requester confirms with one of their own second factors, through the sign-in's method
interface, failure budget, replay guard and security log; the agent sees with what and when, never a code."""
import re

from portal.extensions import db
from portal.models import User
from tests.conftest import page_text
from .conftest import events, flashes, words


def ask(agent, number):
    r = agent.send(f"/agent/requests/{number}/verify", {}, page=f"/agent/requests/{number}")
    assert r.status_code == 303
    return r


def verification_state(agent, number) -> str:
    match = re.search(r'id="verification-state">(.*?)</p>', page_text(agent.get(f"/agent/requests/{number}")), re.S)
    return " ".join(match.group(1).split())


def test_the_requester_confirms_with_their_app_and_the_agent_sees_it_for_15_minutes(app, agent, customer, clock,
                                                                                      smtp_sink):
    number = customer.ask_support()
    assert verification_state(agent, number).startswith("Not verified.")
    ask(agent, number)
    assert verification_state(agent, number) == "Waiting for the requester to confirm (asked by Sam Agent at 1 Mar 2026, 09:00 UTC)."
    mail = smtp_sink.latest("eve@example.com")
    text = smtp_sink.text(mail)
    assert f"Sam Agent from support asks you to confirm it is you, for request #{number}" in text
    assert f"http://localhost/requests/{number}/verify" in text

    page = words(customer.get(f"/requests/{number}"))
    assert f"Sam Agent from support asks you to confirm it is you, for request #{number}" in page
    form = customer.get(f"/requests/{number}/verify")
    assert form.status_code == 200 and "Confirm with Work phone" in words(form)

    r = customer.send(f"/requests/{number}/verify", {"code": wrong(customer)})
    assert r.status_code == 401 and "That code isn't right." in page_text(r)
    assert failures(app, customer) == 1  # the same budget as a sign-in
    assert [e.detail for e in events(app, "2fa.challenge_failed")][-1] == (
        '{"failures": 1, "method": "totp", "reason": "wrong"}')

    code = customer.code(customer.secret)
    r = customer.send(f"/requests/{number}/verify", {"code": code})
    assert r.status_code == 303
    assert flashes(customer.get(r.headers["Location"])) == [
        "Thank you: support can see that you confirmed it is you."]
    assert failures(app, customer) == 0
    assert verification_state(agent, number) == (
        "Identity verified with Authentication App at 1 Mar 2026, 09:00 UTC (asked by Sam Agent)")
    [logged] = events(app, "request.verified")
    assert logged.user_id == customer.id and code not in logged.detail and "Authentication App" in logged.detail
    assert code not in page_text(agent.get(f"/agent/requests/{number}"))  # the agent never sees a code

    clock.advance(15 * 60 + 1)
    assert verification_state(agent, number).startswith(
        "Verified earlier: with Authentication App at 1 Mar 2026, 09:00 UTC (asked by Sam Agent).")



def test_an_answered_ask_is_closed_and_a_used_code_is_a_replay(app, agent, customer, smtp_sink):
    number = customer.ask_support()
    ask(agent, number)
    code = customer.code(customer.secret)
    assert customer.send(f"/requests/{number}/verify", {"code": code}).status_code == 303
    assert "There is no request to confirm it is you on this request now (it was answered, or it lapsed)." in \
        flashes(customer.client.get(f"/requests/{number}/verify", follow_redirects=True))
    ask(agent, number)  # asked again within the same 30 seconds: the code just used is refused (the replay guard)
    r = customer.send(f"/requests/{number}/verify", {"code": code})
    assert r.status_code == 401 and "already been used" in page_text(r)
    assert len(events(app, "2fa.replay_refused")) == 1
    assert "A code of yours was used twice" in smtp_sink.latest("eve@example.com")["Subject"]  # the owner is told


def wrong(person) -> str:
    right = person.code(person.secret)
    return "000000" if right != "000000" else "111111"


def failures(app, person) -> int:
    with app.app_context():
        return db.session.get(User, person.id).failure_count


def test_this_wasnt_me_is_shown_to_the_agent_and_logged(app, agent, customer):
    number = customer.ask_support()
    ask(agent, number)
    r = customer.send(f"/requests/{number}/verify/not-me", {}, page=f"/requests/{number}")
    assert r.status_code == 303
    assert verification_state(agent, number).startswith(
        "The requester answered “This wasn't me” at 1 Mar 2026, 09:00 UTC (asked by Sam Agent).")
    [logged] = events(app, "request.verify_denied")
    assert logged.user_id == customer.id and logged.actor_id == customer.id
    assert "asks you to confirm" not in words(customer.get(f"/requests/{number}"))  # answered: gone
    r = customer.send(f"/requests/{number}/verify", {"code": customer.code(customer.secret)},
                      page=f"/requests/{number}")
    assert r.status_code == 302 and failures(app, customer) == 0  # nothing left to answer: no code is checked


def test_without_2fa_only_an_emailed_code_and_the_agent_is_told_it_is_weaker(app, agent, make_customer, clock,
                                                                               smtp_sink):
    noa = make_customer("noa@example.com", "Noa Newcomer")
    number = noa.ask_support()
    assert "email only — weaker" in words(agent.get(f"/agent/requests/{number}"))
    ask(agent, number)
    page = noa.get(f"/requests/{number}/verify")
    assert "you confirm with a code we email to noa@example.com" in words(page)
    r = noa.send(f"/requests/{number}/verify", {"code": "123456"})
    assert r.status_code == 400 and "Ask for a code first" in page_text(r)
    r = noa.send(f"/requests/{number}/verify/send-code", {}, page=f"/requests/{number}/verify")
    assert r.status_code == 303
    mail = smtp_sink.latest("noa@example.com")
    assert mail["Subject"] == "[Helpdesk] Your code to confirm it is you"
    assert "Use this code to confirm to Helpdesk support that it is you" in smtp_sink.text(mail)
    code = smtp_sink.latest_code("noa@example.com")
    r = noa.send(f"/requests/{number}/verify", {"code": code})
    assert r.status_code == 303
    assert verification_state(agent, number) == (
        "Identity verified with an emailed code at 1 Mar 2026, 09:00 UTC (asked by Sam Agent) — email only, weaker")


def test_an_ask_lapses_after_an_hour_and_a_new_one_replaces_it(app, agent, customer, clock):
    number = customer.ask_support()
    ask(agent, number)
    clock.advance(3601)
    assert verification_state(agent, number).startswith("Not verified: the requester did not answer")
    assert "asks you to confirm" not in words(customer.get(f"/requests/{number}"))
    r = customer.send(f"/requests/{number}/verify", {"code": customer.code(customer.secret)},
                      page=f"/requests/{number}")
    assert r.status_code == 302 and failures(app, customer) == 0
    ask(agent, number)
    ask(agent, number)  # a second ask replaces the first: one answer for both
    r = customer.send(f"/requests/{number}/verify", {"code": customer.code(customer.secret)})
    assert r.status_code == 303 and verification_state(agent, number).startswith("Identity verified")


def test_a_locked_account_cannot_confirm(app, agent, customer):
    number = customer.ask_support()
    ask(agent, number)
    with app.app_context():
        db.session.get(User, customer.id).admin_locked = True
        db.session.commit()
    r = customer.send(f"/requests/{number}/verify", {"code": customer.code(customer.secret)})
    assert r.status_code == 403 and "This account is locked" in page_text(r)
    assert verification_state(agent, number).startswith("Waiting for the requester")


def test_verify_pages_refuse_forgery_and_other_peoples_factors(app, agent, customer, make_customer):
    number = customer.ask_support()
    ask(agent, number)
    assert customer.client.post(f"/requests/{number}/verify/not-me", data={}).status_code == 400
    assert customer.send(f"/agent/requests/{number}/verify", {}, page="/requests/new").status_code == 403
    assert agent.client.post(f"/agent/requests/{number}/verify", data={"csrf_token": "x"}).status_code == 400
    other = make_customer("mallory@example.com", "Mallory", with_app=True)
    with app.app_context():
        from portal.models import Authenticator
        mallorys = db.session.scalar(db.select(Authenticator.id).where(Authenticator.user_id == other.id))
    assert customer.get(f"/requests/{number}/verify?with={mallorys}").status_code == 404
    assert customer.get(f"/requests/{number}/verify?with=junk").status_code == 404
    r = customer.send(f"/requests/{number}/verify", {"code": "12ab56"})
    assert r.status_code == 400 and failures(app, customer) == 0
    assert verification_state(agent, number).startswith("Waiting for the requester")


def test_a_factor_that_sends_codes_is_used_through_its_method(app, agent, customer, clock, smtp_sink):
    from portal.models import Authenticator, PluginInstance
    with app.app_context():
        instance = db.session.scalar(db.select(PluginInstance).where(PluginInstance.plugin_key == "email"))
        row = Authenticator(user_id=customer.id, method="email", instance_id=instance.id, name="Work email",
                            target="eve@example.com", is_default=False, created_at=clock.now(),
                            confirmed_at=clock.now())
        db.session.add(row)
        db.session.commit()
        email_id = row.id
    number = customer.ask_support()
    ask(agent, number)
    page = customer.get(f"/requests/{number}/verify")
    assert f'href="/requests/{number}/verify?with={email_id}"' in page_text(page)  # "Use another method"
    page = customer.get(f"/requests/{number}/verify?with={email_id}")
    assert "Confirm with Work email" in words(page) and "Email me a code" in words(page)
    r = customer.send(f"/requests/{number}/verify/send-code", {"authenticator_id": str(email_id)},
                      page=f"/requests/{number}/verify?with={email_id}")
    assert r.status_code == 303 and r.headers["Location"] == f"/requests/{number}/verify?with={email_id}"
    code = smtp_sink.latest_code("eve@example.com")
    assert "confirm to Helpdesk support that it is you" in smtp_sink.text(smtp_sink.latest("eve@example.com"))
    r = customer.send(f"/requests/{number}/verify", {"authenticator_id": str(email_id), "code": code},
                      page=f"/requests/{number}/verify?with={email_id}")
    assert r.status_code == 303
    assert verification_state(agent, number) == (
        "Identity verified with Email Authentication at 1 Mar 2026, 09:00 UTC (asked by Sam Agent)")
    # A factor that sends nothing has no send-code: asking for one is refused.
    ask(agent, number)
    with app.app_context():
        app_id = db.session.scalar(db.select(Authenticator.id).where(Authenticator.user_id == customer.id,
                                                                     Authenticator.method == "totp"))
    r = customer.send(f"/requests/{number}/verify/send-code", {"authenticator_id": str(app_id)},
                      page=f"/requests/{number}/verify")
    assert r.status_code == 404
