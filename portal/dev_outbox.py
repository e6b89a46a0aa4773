"""Development only: the outbox page that shows mail the portal would have sent. Registered only in debug with
no MAIL_SERVER configured (see create_app), so it does not exist in production."""
from flask import Blueprint, abort, render_template

from .extensions import db
from .models import OutboxMessage

bp = Blueprint("dev_outbox", __name__)


@bp.route("/")
def index():
    messages = db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(50)).all()
    return render_template("dev/outbox.html", messages=messages)


@bp.route("/<int:message_id>")
def show(message_id: int):
    message = db.session.get(OutboxMessage, message_id) or abort(404)
    return render_template("dev/message.html", message=message)
