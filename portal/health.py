"""Checks for the load balancer: `GET /healthz` (liveness: the process answers; touches nothing) and `GET /readyz`
(readiness: one database round trip and, when RATELIMIT_STORAGE_URI is a redis:// URL, a Redis PING, each given
READINESS_TIMEOUT seconds; 503 with a JSON body naming what failed).

Cheap enough to be called every second: no template, no session (no cookie is set), no CSRF (GET only), no rate
limit, nothing in the security log, not timed by the metrics. A failed check says which dependency failed and the
exception's type, never its message (a connection error can quote a URL with its password).
"""
import concurrent.futures
import logging

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from .extensions import db

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)
EXTENSION = "portal_health"


class Probes:
    """The app's readiness probes: a small pool of threads so that a hung dependency costs the request only the
    timeout (a hung probe keeps its thread; with every thread hung the next checks time out too, as they should)."""

    def __init__(self, app):
        self.timeout = float(app.config.get("READINESS_TIMEOUT", 2))
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="readyz")
        storage = app.config.get("RATELIMIT_STORAGE_URI") or ""
        self.redis = None
        if storage.startswith(("redis://", "rediss://")):
            import redis
            self.redis = redis.Redis.from_url(storage, socket_timeout=self.timeout,
                                              socket_connect_timeout=self.timeout)

    def run(self, name: str, check) -> str:
        try:
            self.pool.submit(check).result(timeout=self.timeout)
            return "ok"
        except concurrent.futures.TimeoutError:
            log.warning("readiness: %s did not answer within %ss", name, self.timeout)
            return "timeout"
        except Exception as exc:
            log.warning("readiness: %s failed: %s", name, type(exc).__name__)
            return f"failed: {type(exc).__name__}"


def _database_round_trip(engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1")).scalar_one()


@bp.get("/healthz")
def healthz():
    return {"status": "ok"}


@bp.get("/readyz")
def readyz():
    probes: Probes = current_app.extensions[EXTENSION]
    checks = {"database": probes.run("database", lambda engine=db.engine: _database_round_trip(engine))}
    if probes.redis is not None:
        checks["redis"] = probes.run("redis", probes.redis.ping)
    failed = sorted(name for name, result in checks.items() if result != "ok")
    body = {"status": "unavailable" if failed else "ok", "checks": checks}
    if failed:
        body["failed"] = failed
    return jsonify(body), (503 if failed else 200)


def init_app(app) -> None:
    app.extensions[EXTENSION] = Probes(app)
    app.register_blueprint(bp)
