"""Extensions, created once and bound to the app in create_app()."""
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


# Objects keep what they hold across a commit (SQLAlchemy's expire_on_commit=False): a flow that commits and goes on
# (the sign-in: the pending row, then the new session) does not read back rows it just wrote. A value changed by a
# Core UPDATE elsewhere in the same request is read with a fresh SELECT (or db.session.refresh), never from the object.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
mail = Mail()

