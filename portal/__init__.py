"""The helpdesk portal: an app factory binding the extensions, the three areas and the shared 2FA core."""
import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import passwords, public_url, rate_limits
from .config import Config
from .crypto import KeyRing, parse_keys
from .connections import replace_closed_connections, tune_sqlite
from .extensions import csrf, db, login_manager, migrate
from .extensions import mail as mail_extension
from .keys import load_keys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def create_app(config_class=Config, **overrides) -> Flask:
    app = Flask(__name__, instance_relative_config=True, template_folder=os.path.join(ROOT, "templates"),
                static_folder=os.path.join(ROOT, "static"))
    app.config.from_object(config_class)
    app.config.update(overrides)
    load_keys(app)
    public_url.configure(app)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        os.makedirs(app.instance_path, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(app.instance_path, "portal.db")
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {}

    passwords.configure(app.config["PASSWORD_HASH_PROFILE"])
    app.extensions["portal_keyring"] = KeyRing(parse_keys(app.config["PORTAL_ENCRYPTION_KEYS"]))
    db.init_app(app)
    with app.app_context():
        tune_sqlite(db.engine)
        replace_closed_connections(db.engine)
    migrate.init_app(app, db, directory=os.path.join(ROOT, "migrations"))
    csrf.init_app(app)
    mail_extension.init_app(app)
    rate_limits.init_app(app)
    login_manager.init_app(app)
    from . import i18n
    i18n.init_app(app)  # Flask-Babel: the reader's language and time zone
    from . import script_words
    script_words.init_app(app)  # the JavaScript's words, translated, in every page

    from . import auth_session, compression, errors, headers, health, logs, metrics, security_webhook
    logs.init_app(app)  # first: every later request hook and error page has the request id
    security_webhook.check_settings(app)
    from .twofactor import webauthn_rp
    webauthn_rp.check_settings(app)  # the relying-party id and origins of security keys and passkeys
    health.init_app(app)  # /healthz, /readyz: before anything that would touch a session
    metrics.init_app(app)  # off unless METRICS_PATH is set
    compression.init_app(app)  # static CSS, JS and SVG only: never a page (BREACH; see portal/compression.py)
    auth_session.init_app(app)
    errors.init_app(app)
    headers.init_app(app)
    from . import sso
    sso.init_app(app)  # OpenID Connect single sign-on (portal/sso)

    from .admin import bp as admin_bp
    from .agent import bp as agent_bp
    from .helpcenter import bp as helpcenter_bp
    app.register_blueprint(agent_bp, url_prefix="/agent")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(helpcenter_bp)
    from .account_recovery.views import bp as account_recovery_bp
    app.register_blueprint(account_recovery_bp, url_prefix="/account-recovery")  # the owner's cancel link

    from .mail import uses_dev_outbox
    if uses_dev_outbox(app):
        from .dev_outbox import bp as outbox_bp
        app.register_blueprint(outbox_bp, url_prefix="/dev/outbox")

    from .cli import register_cli
    register_cli(app)
    from . import dates, grace_period
    dates.init_app(app)  # times on the portal's clock in templates
    grace_period.register(app)  # the grace banner on every page, `flask grace remind`
    if app.config.get("PROXY_FIX_HOPS"):  # outermost: everything inside sees the client's address and scheme
        hops = app.config["PROXY_FIX_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    return app
