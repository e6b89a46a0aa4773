"""Development only: the outbox page that shows mail the portal would have sent, newest first. Registered only in
debug with no MAIL_SERVER configured (see create_app), so it does not exist in production."""
from flask import Blueprint, abort, make_response, render_template

from .extensions import db
from .models import OutboxMessage

bp = Blueprint("dev_outbox", __name__)

# The HTML version is shown as the mail client would: its own inline styles, nothing else (no script, no fetch).
HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"


@bp.route("/")
def index():
    messages = db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(50)).all()
    return render_template("dev/outbox.html", messages=messages)


@bp.route("/<int:message_id>")
def show(message_id: int):
    message = db.session.get(OutboxMessage, message_id) or abort(404)
    return render_template("dev/message.html", message=message)


@bp.route("/<int:message_id>/html")
def show_html(message_id: int):
    message = db.session.get(OutboxMessage, message_id) or abort(404)
    response = make_response(message.html)
    response.headers["Content-Security-Policy"] = HTML_CSP
    return response
