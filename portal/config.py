"""Deploy-time settings, read from the environment. Admin-editable policy lives in the database (settings.py)."""
import os
import secrets

from cryptography.fernet import Fernet


def _bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


class Config:
    # Signs the session cookie. Required outside debug (a development one is made under instance/ in debug).
    SECRET_KEY = os.environ.get("SECRET_KEY")
    # Comma-separated Fernet keys for secrets at rest; the first encrypts, all decrypt (rotation).
    PORTAL_ENCRYPTION_KEYS = os.environ.get("PORTAL_ENCRYPTION_KEYS")
    # The address people open the portal at (https://help.example.com): every link in an email is built on it.
    # Required outside debug (portal/public_url.py).
    PORTAL_URL = os.environ.get("PORTAL_URL")
    # Database URL; the default is a SQLite file under instance/.
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    # Pooled connections are recycled after 30 minutes; ones the server closed (a restart) are replaced before
    # use without a round trip (portal/connections.py).
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_recycle": 1800}
    # Storage for per-IP rate limits: memory:// for one process, redis://host:6379/0 for several workers.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    # Prefix of the rate-limit keys in that storage (several portals can share one Redis).
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "portal")
    # Per-IP limit on every sign-in and code endpoint.
    PORTAL_AUTH_RATE_LIMIT = os.environ.get("PORTAL_AUTH_RATE_LIMIT", "30 per minute")
    # Outgoing mail. With no MAIL_SERVER and debug on, mail goes to the dev outbox page instead.
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_USE_TLS = _bool("MAIL_USE_TLS")
    MAIL_USE_SSL = _bool("MAIL_USE_SSL")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "helpdesk@localhost")
    # Seconds a mail server may take before we give up (a hanging server must not hold a worker).
    MAIL_TIMEOUT = _int("MAIL_TIMEOUT", 10)
    # How long a password-verified login waits for its second factor.
    PENDING_LOGIN_SECONDS = _int("PENDING_LOGIN_SECONDS", 600)  # as long as an email code it sends (10 minutes)
    # Wrong codes allowed for one pending login before the password is asked again.
    PENDING_LOGIN_MAX_FAILURES = _int("PENDING_LOGIN_MAX_FAILURES", 5)
    # How long a password or code proves "it is really you" before a sensitive change.
    FRESH_PROOF_SECONDS = _int("FRESH_PROOF_SECONDS", 600)
    # argon2id cost: "production" (argon2-cffi's defaults) or "test" (cheapest; never in production).
    PASSWORD_HASH_PROFILE = os.environ.get("PASSWORD_HASH_PROFILE", "production")
    # Cookies: HttpOnly and SameSite=Lax always; Secure when served over HTTPS.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE")
    REMEMBER_COOKIE_HTTPONLY = True
    # Trust X-Forwarded-* from this many proxies (0 when the portal faces clients directly).
    PROXY_FIX_HOPS = _int("PROXY_FIX_HOPS", 0)
    WTF_CSRF_TIME_LIMIT = None  # tokens live as long as the session
    # Operations (portal/logs.py, health.py, metrics.py, security_webhook.py; README "Operations").
    # Log lines as "text" or "json" (one JSON object per line: time, level, logger, message, request_id, user_id).
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
    # The lowest level written (DEBUG, INFO, WARNING, ERROR).
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    # Seconds each readiness check (database, Redis) of GET /readyz may take before it counts as failed.
    READINESS_TIMEOUT = float(os.environ.get("READINESS_TIMEOUT", "2"))
    # Where Prometheus metrics are served (e.g. "/metrics"); unset: no metrics at all.
    METRICS_PATH = os.environ.get("METRICS_PATH")
    # Bearer token Prometheus must send (Authorization: Bearer ...) for the metrics; required unless METRICS_ALLOWED_IPS.
    METRICS_TOKEN = os.environ.get("METRICS_TOKEN")
    # Comma-separated addresses or networks allowed to read the metrics (e.g. "10.0.0.5,10.1.0.0/24").
    METRICS_ALLOWED_IPS = os.environ.get("METRICS_ALLOWED_IPS")
    # Every committed security event is POSTed here as JSON, signed (X-Portal-Signature); unset: no webhook.
    SECURITY_WEBHOOK_URL = os.environ.get("SECURITY_WEBHOOK_URL")
    # The HMAC-SHA256 key of that signature; required with SECURITY_WEBHOOK_URL.
    SECURITY_WEBHOOK_SECRET = os.environ.get("SECURITY_WEBHOOK_SECRET")
    # Seconds one delivery may take, tries per event, first wait between tries (doubling), events held at most.
    SECURITY_WEBHOOK_TIMEOUT = float(os.environ.get("SECURITY_WEBHOOK_TIMEOUT", "5"))
    SECURITY_WEBHOOK_TRIES = _int("SECURITY_WEBHOOK_TRIES", 3)
    SECURITY_WEBHOOK_BACKOFF = float(os.environ.get("SECURITY_WEBHOOK_BACKOFF", "1"))
    SECURITY_WEBHOOK_QUEUE = _int("SECURITY_WEBHOOK_QUEUE", 1000)
    # Security keys and passkeys (portal/twofactor/webauthn_rp.py; README "Security keys and passkeys"): the
    # relying-party id (the domain people sign in on, e.g. help.example.com) and the comma-separated origins browsers
    # open (e.g. https://help.example.com). Required outside debug; in debug and tests, localhost.
    WEBAUTHN_RP_ID = os.environ.get("WEBAUTHN_RP_ID")
    WEBAUTHN_ORIGINS = os.environ.get("WEBAUTHN_ORIGINS")
    WEBAUTHN_RP_NAME = os.environ.get("WEBAUTHN_RP_NAME", "Helpdesk")  # what the browser's dialog calls the portal


class TestConfig(Config):
    TESTING = True
    # Made fresh for every test process: no key is ever written into the repository.
    SECRET_KEY = secrets.token_urlsafe(32)
    PORTAL_ENCRYPTION_KEYS = Fernet.generate_key().decode()
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    RATELIMIT_ENABLED = False
    PASSWORD_HASH_PROFILE = "test"
    MAIL_SUPPRESS_SEND = True
    MAIL_SERVER = "127.0.0.1"
    MAIL_PORT = 1
