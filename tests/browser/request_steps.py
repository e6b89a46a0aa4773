"""Support requests for the browser tests: a request with an open "Verify requester" ask, made the way the flows
make them, so that every requests page is reachable by a link."""
from tests.browser.a11y import Visitor


def add_request_with_ask(app, requester: Visitor, agent: Visitor, subject: str = "My printer is on fire") -> int:
    from portal.extensions import db
    from portal.models import User
    from portal.requests import core, verification
    with app.test_request_context():
        customer = db.session.scalar(db.select(User).where(User.email == requester.email))
        staff = db.session.scalar(db.select(User).where(User.email == agent.email))
        req = core.create(customer, subject, "It started this morning.\nPlease help.")
        core.reply(req, staff, "We are on it.", "open")  # open: on the queue's first tab
        verification.ask(req, staff)
        return req.id


def add_recovery(app, owner: Visitor) -> str:
    """A lost-device recovery of `owner`'s account, asked for as after the password; returns its cancel link's
    path (the one the owner's mail carries)."""
    from urllib.parse import urlsplit

    from portal.account_recovery import flow
    from portal.extensions import db
    from portal.models import User
    with app.test_request_context():
        user = db.session.scalar(db.select(User).where(User.email == owner.email))
        row, _ = flow.ask(user)
        return urlsplit(flow.cancel_link(row)).path
