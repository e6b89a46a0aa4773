"""Flask-Login wiring: the session names "id:session_version", so bumping the version signs out everywhere."""
from flask import redirect, request, url_for

from .extensions import db, login_manager
from .models import User


def init_app(app) -> None:
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
