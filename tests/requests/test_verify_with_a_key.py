"""Verify requester with a security key or passkey: the same confirm page, the browser's answer in place of a code,
bound to this ask (an answer made for a sign-in, or replayed, is refused)."""
from portal.extensions import db
from portal.models import Authenticator
from tests.conftest import page_text
from tests.webauthn.authenticator import SoftKey, options_on
from tests.webauthn.helpers import register_key, switch_on
from .conftest import flashes, words
from .test_verify_requester import ask, verification_state


def test_the_requester_confirms_with_a_security_key(app, agent, customer):
    switch_on(app)
    key = SoftKey()
    assert register_key(customer.client, app, key, name="Blue key", area="").status_code in (302, 303)
    with app.app_context():
        key_id = db.session.scalar(db.select(Authenticator.id).where(Authenticator.method == "webauthn"))
    number = customer.ask_support()
    ask(agent, number)

    page = customer.get(f"/requests/{number}/verify?with={key_id}")
    assert page.status_code == 200 and "Confirm with Blue key" in words(page)
    assert f'action="/requests/{number}/verify"' in page_text(page)  # the key's form posts here, not to sign-in
    answer = key.get(options_on(page))
    r = customer.send(f"/requests/{number}/verify", {"authenticator_id": str(key_id), "code": answer})
    assert r.status_code == 303
    assert flashes(customer.get(r.headers["Location"])) == [
        "Thank you: support can see that you confirmed it is you."]
    assert verification_state(agent, number).startswith("Identity verified with Security key or passkey at")

    ask(agent, number)  # a new ask: the old answer is bound to the old one
    replayed = customer.send(f"/requests/{number}/verify", {"authenticator_id": str(key_id), "code": answer})
    assert replayed.status_code in (400, 401, 409) and verification_state(agent, number).startswith("Waiting")
