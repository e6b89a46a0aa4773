"""Flask-Login wiring: the session names "id:session_version", so bumping the version signs out everywhere.

The session cookie is HttpOnly and SameSite=Lax always, and Secure whenever the request came over HTTPS (or
SESSION_COOKIE_SECURE says so), so a deployment behind TLS never sends it in clear by mistake.
"""
from flask import redirect, request, url_for
from flask.sessions import SecureCookieSessionInterface

from .extensions import db, login_manager
from .models import User


class SessionInterface(SecureCookieSessionInterface):
    def get_cookie_secure(self, app) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)

    def save_session(self, app, session, response) -> None:
        # A static file is the same for everyone. Flask-Login reads the session after every response, which would
        # add `Vary: Cookie` and make a cache keep one copy of each file per visitor; its session is never changed.
        if request.endpoint == "static" and not session.modified:
            return
        super().save_session(app, session, response)


def init_app(app) -> None:
    app.session_interface = SessionInterface()

    @login_manager.user_loader
    def load_user(token: str):
        user_id, _, version = (token or "").partition(":")
        if not (user_id.isdigit() and version.isdigit()):
            return None
        user = db.session.get(User, int(user_id))
        if user is None or user.session_version != int(version):
            return None
        return user

    @login_manager.unauthorized_handler
    def unauthorized():
        area = "agent" if request.path.startswith(("/agent", "/admin")) else "helpcenter"
        return redirect(url_for(f"{area}.login", next=request.full_path))
