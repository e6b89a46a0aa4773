"""The agent console's requests: the queue (the console's home), a request's conversation, reply, status and
"Verify requester"."""
from flask import abort, flash, redirect, request
from flask_babel import gettext as _

from ..twofactor.areas import Area, area_required, me
from ..twofactor.forms import ActionForm
from . import core, verification
from .forms import AgentReplyForm, StatusForm


def queue_page(area: Area):
    """The agent console's home: one tab of the queue, newest first, searched and paged."""
    queue = core.queue(request.args.get("status"), request.args.get("q"), request.args.get("page", 1))
    return area.render("requests/queue.html", queue=queue, statuses=core.STATUSES, user=me(), form=ActionForm())


def register_agent_request_routes(bp, area: Area) -> None:
    def request_or_404(request_id):
        req = core.get(request_id)
        if req is None:
            abort(404)
        return req

    def page(req, reply_form=None, status=200):
        status_form = StatusForm(status=req.status)
        if reply_form is None:
            reply_form = AgentReplyForm()
        return area.render("requests/agent_request.html", status, req=req, reply_form=reply_form,
                           status_form=status_form, verify_form=ActionForm(), statuses=core.STATUSES,
                           verification=verification.shown(verification.latest(req)),
                           email_only=verification.email_only(req.requester))

    @area_required(area)
    def page_view(request_id):
        return page(request_or_404(request_id))

    @area_required(area)
    def reply_view(request_id):
        req, form = request_or_404(request_id), AgentReplyForm()
        if not form.validate_on_submit():
            return page(req, form, 400)
        try:
            mailed = core.reply(req, me(), form.body.data, form.status.data)
        except core.RequestError as error:
            form.body.errors.append(str(error))
            return page(req, form, 400)
        if mailed:
            flash(_("Your reply was sent to the requester."), "success")
        else:
            flash(_("Your reply is saved on the request, but the email to the requester could not be sent."), "error")
        return redirect(area.url("request_page", request_id=req.id), code=303)

    @area_required(area)
    def status_view(request_id):
        req, form = request_or_404(request_id), StatusForm()
        if not form.validate_on_submit():
            flash(_("Choose a status from the list."), "error")
            return redirect(area.url("request_page", request_id=req.id), code=303)
        core.set_status(req, me(), form.status.data)
        flash(_("The request is now “%(status)s”.", status=core.STATUSES[req.status]), "success")
        return redirect(area.url("request_page", request_id=req.id), code=303)

    @area_required(area)
    def verify_view(request_id):
        req = request_or_404(request_id)
        if not ActionForm().validate_on_submit():
            abort(400)
        verification.ask(req, me())
        flash(_("We asked %(name)s to confirm it is them. This page shows their answer.", name=req.requester.name),
              "success")
        return redirect(area.url("request_page", request_id=req.id), code=303)

    bp.add_url_rule("/requests/<request_id>", "request_page", page_view)
    bp.add_url_rule("/requests/<request_id>/reply", "request_reply", reply_view, methods=["POST"])
    bp.add_url_rule("/requests/<request_id>/status", "request_status", status_view, methods=["POST"])
    bp.add_url_rule("/requests/<request_id>/verify", "request_verify", verify_view, methods=["POST"])
