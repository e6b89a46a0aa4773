"""Prometheus metrics (prometheus-flask-exporter), off by default: METRICS_PATH (e.g. "/metrics") turns them on,
guarded by METRICS_TOKEN (a bearer token) and/or METRICS_ALLOWED_IPS (addresses or networks). Outside debug the
portal refuses to start with a metrics path and neither guard: never public by accident.

- Request latency: `flask_http_request_duration_seconds{method,status,endpoint}` (a histogram) and
  `flask_http_request_total`, from the exporter; the health checks and the metrics path are not timed.
- Security counters, derived in one place from the security log (count_security_event, called for every event
  that committed): sign-ins by how, refused codes by reason, locks, admin 2FA resets, password-reset requests,
  mails that failed, and every event by type.

Under several gunicorn workers prometheus_client's multiprocess mode adds the workers' counts up: gunicorn.conf.py
sets PROMETHEUS_MULTIPROC_DIR before the workers fork and marks a dead worker's files.
"""
import hmac
import ipaddress
import os
import re
from functools import wraps

from flask import abort, current_app, request
from prometheus_client import CollectorRegistry, Counter

EXTENSION = "portal_metrics"
_LABEL = re.compile(r"^[a-z0-9_.-]{1,40}$")
NOT_TIMED = [r"^/healthz$", r"^/readyz$"]


def _label(value, default: str = "other") -> str:
    """A label value from an event's detail: short and plain, so a label never grows without bound."""
    return value if isinstance(value, str) and _LABEL.match(value) else default


class SecurityCounters:
    def __init__(self, registry):
        self.sign_ins = Counter("portal_sign_ins_total", "Sign-ins, by how (password, a method key, recovery, "
                                "remembered_device, setup, skipped, passkey, provider_mfa)", ["how"], registry=registry)
        self.sso_sign_ins = Counter("portal_sso_sign_ins_total", "Sign-ins through single sign-on, by who gave the "
                                    "second factor (provider, portal, none)", ["mfa"], registry=registry)
        self.refused_codes = Counter("portal_refused_codes_total", "Second-factor codes refused, by reason "
                                     "(wrong, expired, used_up, no_code, replay, throttled, locked)", ["reason"],
                                     registry=registry)
        self.account_recoveries = Counter("portal_account_recoveries_total", "Lost-device account recoveries, by "
                                          "step (requested, approved, refused, cancelled, completed)", ["step"],
                                          registry=registry)
        self.locks = Counter("portal_account_locks_total", "Accounts locked after too many wrong codes",
                             registry=registry)
        self.admin_resets = Counter("portal_admin_2fa_resets_total", "Admins removing a person's 2FA",
                                    registry=registry)
        self.recovery_requests = Counter("portal_password_reset_requests_total", "Password-reset links sent",
                                         registry=registry)
        self.mail_failures = Counter("portal_mail_failures_total", "Emails that could not be sent, by purpose",
                                     ["purpose"], registry=registry)
        self.password_failures = Counter("portal_password_failures_total", "Wrong passwords at sign-in",
                                         registry=registry)
        self.events = Counter("portal_security_events_total", "Every security-log event, by type", ["type"],
                              registry=registry)


_RECOVERY_STEPS = {f"recovery.{step}": step for step in ("requested", "approved", "refused", "cancelled", "completed")}
# Why a code was refused, as 2fa.challenge_failed records it (base.Outcome values); anything else counts as wrong.
_CODE_REFUSALS = {"wrong", "expired", "used_up", "no_code"}


def count_security_event(event_type: str, details: dict, app=None) -> None:
    """Count one committed security-log event (portal.logs calls this for each). A no-op with metrics off."""
    if app is None:
        return
    counters = app.extensions.get(EXTENSION)
    if counters is None:
        return
    from .security_log import EVENT_TYPES
    counters.events.labels(type=event_type if event_type in EVENT_TYPES else "other").inc()
    if event_type == "login.success":
        how = _label(details.get("how"))
        counters.sign_ins.labels(how=how).inc()
        if details.get("sso"):
            counters.sso_sign_ins.labels(mfa={"provider_mfa": "provider", "password": "none",
                                              "skipped": "none"}.get(how, "portal")).inc()
    elif event_type in _RECOVERY_STEPS:
        counters.account_recoveries.labels(step=_RECOVERY_STEPS[event_type]).inc()
    elif event_type == "2fa.challenge_failed":
        reason = details.get("reason")
        counters.refused_codes.labels(reason=reason if reason in _CODE_REFUSALS else "wrong").inc()
    elif event_type == "2fa.replay_refused":
        counters.refused_codes.labels(reason="replay").inc()
    elif event_type == "2fa.throttled":
        counters.refused_codes.labels(reason="locked" if details.get("reason") == "locked" else "throttled").inc()
    elif event_type == "2fa.locked":
        counters.locks.inc()
    elif event_type == "2fa.admin_reset":
        counters.admin_resets.inc()
    elif event_type == "2fa.email_failed":
        counters.mail_failures.labels(purpose=_label(details.get("purpose"))).inc()
    elif event_type == "password.reset_requested":
        counters.recovery_requests.inc()
    elif event_type == "login.password_failed":
        counters.password_failures.inc()


def _allowed_networks(setting: str) -> list:
    networks = []
    for item in (setting or "").split(","):
        item = item.strip()
        if item:
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                raise RuntimeError(f"METRICS_ALLOWED_IPS: {item!r} is not an address or a network "
                                   "(e.g. 10.0.0.5 or 10.0.0.0/24).") from None
    return networks


def guard(token: str | None, networks: list):
    """The metrics view's access check: the bearer token when one is set, the address when networks are set."""
    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            if networks:
                try:
                    address = ipaddress.ip_address(request.remote_addr or "")
                except ValueError:
                    abort(403)
                if not any(address in network for network in networks):
                    abort(403)
            if token:
                given = request.headers.get("Authorization", "")
                scheme, _, value = given.partition(" ")
                if scheme.lower() != "bearer" or not hmac.compare_digest(value.strip().encode(), token.encode()):
                    abort(401)
            return view(*args, **kwargs)
        return guarded
    return decorate


def init_app(app) -> None:
    path = (app.config.get("METRICS_PATH") or "").strip()
    if not path:
        return  # off: no exporter, no hook on any request, nothing counted
    if not path.startswith("/"):
        raise RuntimeError(f'METRICS_PATH must be a path such as "/metrics", not {path!r}.')
    token = app.config.get("METRICS_TOKEN") or None
    networks = _allowed_networks(app.config.get("METRICS_ALLOWED_IPS"))
    if not token and not networks and not app.debug:
        raise RuntimeError("METRICS_PATH is set but the metrics would be public: set METRICS_TOKEN (a bearer token "
                           "Prometheus sends) and/or METRICS_ALLOWED_IPS (the Prometheus server's address), or "
                           "unset METRICS_PATH.")
    from prometheus_flask_exporter import PrometheusMetrics
    registry = CollectorRegistry(auto_describe=True)  # one per app: the tests make many apps in one process
    PrometheusMetrics(app, path=path, registry=registry, group_by="endpoint",
                      excluded_paths=[*NOT_TIMED, "^" + re.escape(path) + "$"],
                      metrics_decorator=guard(token, networks))
    app.extensions[EXTENSION] = SecurityCounters(registry)
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        app.logger.info("metrics: multiprocess mode (%s)", os.environ["PROMETHEUS_MULTIPROC_DIR"])


def counters(app=None) -> SecurityCounters | None:
    return (app or current_app).extensions.get(EXTENSION)
