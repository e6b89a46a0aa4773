"""The help center's requests: Contact support, My requests, a request's conversation and reply, and answering an
agent's "Verify requester" (with one of your own second factors, or "This wasn't me")."""
from flask import abort, flash, redirect, request
from flask_babel import gettext as _

from ..rate_limits import auth_limit
from ..twofactor import registry
from ..twofactor.areas import STATUS, Area, area_required, me
from ..twofactor.base import MESSAGES, Outcome
from ..twofactor.forms import ActionForm, ChallengeForm, for_method
from ..twofactor.login import choose_authenticator
from . import core, verification
from .forms import NewRequestForm, ReplyForm


def register_helpcenter_request_routes(bp, area: Area) -> None:
    render = area.render

    def owned_or_404(request_id):
        req = core.own(me(), request_id)
        if req is None:
            abort(404)
        return req

    @area_required(area)
    def list_view():
        return render("requests/mine.html", requests=core.mine(me()), statuses=core.STATUSES)

    @area_required(area)
    def new_view():
        form, status = NewRequestForm(), 200
        if request.method == "POST":
            if form.validate_on_submit():
                try:
                    req = core.create(me(), form.subject.data, form.body.data)
                except core.RequestError as error:
                    form.body.errors.append(str(error))
                    return render("requests/new.html", 400, form=form)
                flash(_("Your request #%(id)s was sent. We'll reply here and by email.", id=req.id), "success")
                return redirect(area.url("request_page", request_id=req.id), code=303)
            status = 400
        return render("requests/new.html", status, form=form)

    def page(req, form=None, status=200):
        return render("requests/customer_request.html", status, req=req, form=form or ReplyForm(),
                      ask=verification.open_ask(req), statuses=core.STATUSES)

    @area_required(area)
    def page_view(request_id):
        return page(owned_or_404(request_id))

    @area_required(area)
    def reply_view(request_id):
        req, form = owned_or_404(request_id), ReplyForm()
        if not form.validate_on_submit():
            return page(req, form, 400)
        try:
            core.reply(req, me(), form.body.data)
        except core.RequestError as error:
            form.body.errors.append(str(error))
            return page(req, form, 400)
        flash(_("Your reply was sent."), "success")
        return redirect(area.url("request_page", request_id=req.id), code=303)

    def ask_or_gone(req):
        ask = verification.open_ask(req)
        if ask is None:
            flash(_("There is no request to confirm it is you on this request now (it was answered, or it lapsed)."),
                  "info")
        return ask

    @auth_limit
    @area_required(area)
    def verify_view(request_id):
        req = owned_or_404(request_id)
        ask = ask_or_gone(req)
        if ask is None:
            return redirect(area.url("request_page", request_id=req.id))
        user = me()
        factors = verification.factors(user)
        wanted = (request.args.get("with") if request.method == "GET"
                  else (request.form.get("authenticator_id") or None))
        authenticator = choose_authenticator(factors, wanted) if factors else None
        if factors and authenticator is None:
            abort(404)
        method = registry.method(authenticator.method) if authenticator else None
        form = for_method(ChallengeForm, method)() if method else ChallengeForm()  # a key posts its response
        status = 200
        if request.method == "POST":
            if form.validate_on_submit():
                outcome = verification.confirm(user, req, ask, authenticator, form.code.data)
                if outcome is Outcome.OK:
                    flash(_("Thank you: support can see that you confirmed it is you."), "success")
                    return redirect(area.url("request_page", request_id=req.id), code=303)
                form.code.errors.append(method.code_message(outcome) if method else
                                        _email_only_message(outcome))
                status = STATUS.get(outcome, 401)
            else:
                status = 400
        form.authenticator_id.data = str(authenticator.id) if authenticator else ""
        others = [a for a in factors if authenticator is None or a.id != authenticator.id]
        details = method.challenge_details(authenticator, verification.purpose(ask)) if method else {}
        return render("requests/verify.html", status, req=req, ask=ask, form=form, authenticator=authenticator,
                      method=method, others=others, action_form=ActionForm(), details=details,
                      form_action=area.url("request_verify", request_id=req.id))

    @auth_limit
    @area_required(area)
    def send_code_view(request_id):
        req = owned_or_404(request_id)
        form = ActionForm()
        if not form.validate_on_submit():
            abort(400)
        ask = ask_or_gone(req)
        if ask is None:
            return redirect(area.url("request_page", request_id=req.id), code=303)
        user = me()
        factors = verification.factors(user)
        wanted = request.form.get("authenticator_id") or None
        authenticator = choose_authenticator(factors, wanted) if factors else None
        if factors and (authenticator is None or not registry.method(authenticator.method).sends_code):
            abort(404)
        outcome, message = verification.send_code(user, ask, authenticator)
        flash(message, "success" if outcome is Outcome.OK else "error")
        target = {"with": authenticator.id} if authenticator else {}
        return redirect(area.url("request_verify", request_id=req.id, **target), code=303)

    @area_required(area)
    def deny_view(request_id):
        req = owned_or_404(request_id)
        if not ActionForm().validate_on_submit():
            abort(400)
        ask = ask_or_gone(req)
        if ask is not None and verification.deny(me(), req, ask):
            flash(_("Thank you for telling us. Support can see that you did not ask for this, and it is logged."),
                  "success")
        return redirect(area.url("request_page", request_id=req.id), code=303)

    bp.add_url_rule("/requests", "requests", list_view)
    bp.add_url_rule("/requests/new", "request_new", new_view, methods=["GET", "POST"])
    bp.add_url_rule("/requests/<request_id>", "request_page", page_view)
    bp.add_url_rule("/requests/<request_id>/reply", "request_reply", reply_view, methods=["POST"])
    bp.add_url_rule("/requests/<request_id>/verify", "request_verify", verify_view, methods=["GET", "POST"])
    bp.add_url_rule("/requests/<request_id>/verify/send-code", "request_verify_send", send_code_view,
                    methods=["POST"])
    bp.add_url_rule("/requests/<request_id>/verify/not-me", "request_verify_deny", deny_view, methods=["POST"])


def _email_only_message(outcome: Outcome) -> str:
    if outcome is Outcome.NO_CODE:
        return _("Ask for a code first: select “Email me a code”.")
    if outcome is Outcome.WRONG:
        return _("That code isn't right. Check the code in the email we sent you and try again.")
    return str(MESSAGES.get(outcome, MESSAGES[Outcome.UNAVAILABLE]))
