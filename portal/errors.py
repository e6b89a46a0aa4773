"""Every error is a page with a plain message and the right status; never a traceback, never a secret."""
import logging

from flask import g, render_template, request
from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, TooManyRequests

from .account_status import AccountDisabled
from .crypto import SecretsUnavailable
from .extensions import db, login_manager
from .logs import request_id

log = logging.getLogger(__name__)

MESSAGES = {
    400: _l("That request could not be understood. Go back and try again."),
    403: _l("You don't have access to this page."),
    404: _l("We couldn't find that page."),
    405: _l("That action isn't allowed here."),
    413: _l("That request is too large."),
    429: _l("Too many attempts. Wait a minute and try again."),
    500: _l("Something went wrong on our side. Try again in a moment."),
    503: _l("The service is briefly unavailable. Try again in a moment."),
}


def _page(status: int, message: str | None = None):
    return render_template("errors/error.html", status=status, reference=request_id(),
                           message=message or MESSAGES.get(status, MESSAGES[500])), status


def init_app(app) -> None:
    @app.before_request
    def refuse_nul_characters():
        # No form field, query value or path of ours ever holds a NUL; databases refuse it in text (a 500).
        if "\x00" in request.path or any("\x00" in key or "\x00" in value
                                         for key, value in request.values.items(multi=True)):
            return _page(400)

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return _page(400, _("This form has expired or did not come from this site. Reload the page and try again."))

    @app.errorhandler(TooManyRequests)
    def rate_limited(exc):
        body, status = _page(429)
        return body, status, ({"Retry-After": str(exc.retry_after)} if exc.retry_after else {})

    @app.errorhandler(AccountDisabled)
    def account_disabled(exc):  # a sign-in by any path (passkey, SSO) of a disabled account: say why
        return _page(exc.code, exc.description)

    @app.errorhandler(HTTPException)
    def http_error(exc):
        description = exc.description if exc.code == 404 and exc.description and "requested URL" not in exc.description else None
        return _page(exc.code or 500, description)

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_down(exc):
        try:
            db.session.rollback()
        except Exception:  # the connection is gone; the pool replaces it next time
            pass
        log.error("database unavailable: %s", type(exc).__name__)
        # Render for an anonymous visitor: Flask-Login's template context would otherwise load the signed-in
        # person from the database that just failed, and the error page itself would fail.
        g._login_user = login_manager.anonymous_user()
        return _page(503)

    @app.teardown_appcontext
    def end_database_session(exc):
        """End the request's database session here, before Flask-SQLAlchemy's own teardown does: if the database
        went away between the request's last statement and now, the ROLLBACK that ends the session fails. The
        answer was already made (its reads, or its commit, succeeded), so that is logged, not turned into a 500;
        SQLAlchemy has already discarded the dead connection."""
        try:
            db.session.remove()
        except (OperationalError, InterfaceError) as error:
            log.error("database unavailable while ending a request: %s", type(error).__name__)
            db.session.registry.clear()

    @app.errorhandler(SecretsUnavailable)
    def secrets_unavailable(exc):
        log.error("encryption keys cannot read stored secrets: sign-in refused")
        return _page(503, _("Two-factor sign-in is unavailable: the server's encryption keys are missing or wrong. "
                            "Contact your helpdesk administrator."))

    @app.errorhandler(Exception)
    def unexpected(exc):
        log.exception("unhandled error")
        return _page(500)
