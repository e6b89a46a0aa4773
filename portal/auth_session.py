"""Flask-Login wiring: the signed-in person is the one of this browser's session row (portal.sessions); the cookie
is Flask's own signed session and holds only that row's token, a pending sign-in's id, the CSRF token and flashes.

The session cookie is HttpOnly and SameSite=Lax always, and Secure whenever the request came over HTTPS (or
SESSION_COOKIE_SECURE says so), so a deployment behind TLS never sends it in clear by mistake.
"""
from flask import redirect, request, url_for
from flask.sessions import SecureCookieSessionInterface

from . import sessions
from .extensions import login_manager


# Answers that are the same for everyone and never carry a session: a static file, the health checks.
SESSIONLESS = {"static", "health.healthz", "health.readyz"}


class SessionInterface(SecureCookieSessionInterface):
    def get_cookie_secure(self, app) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)

    def save_session(self, app, session, response) -> None:
        # Flask-Login reads the session after every response, which would add `Vary: Cookie` (a cache would keep
        # one copy of each static file per visitor); these answers' session is never changed.
        if request.endpoint in SESSIONLESS and not session.modified:
            return
        super().save_session(app, session, response)


def init_app(app) -> None:
    app.session_interface = SessionInterface()
    sessions.init_app(app)

    @login_manager.unauthorized_handler
    def unauthorized():
        area = "agent" if request.path.startswith(("/agent", "/admin")) else "helpcenter"
        return redirect(url_for(f"{area}.login", next=request.full_path))
