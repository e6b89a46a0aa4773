"""Security events out to a SIEM: every committed security-log event POSTed as JSON to SECURITY_WEBHOOK_URL, signed
with HMAC-SHA256 under SECURITY_WEBHOOK_SECRET (header `X-Portal-Signature: sha256=<hex of the body's HMAC>`).

Deploy settings, the same on every host (like the mail server): nothing to click, nothing in the database.

Sending never touches a sign-in: portal.logs hands over events after their transaction commits, they go into a
bounded in-memory queue (SECURITY_WEBHOOK_QUEUE; when full, new events are dropped and logged, never waited for),
and one background thread per worker process POSTs them, each with SECURITY_WEBHOOK_TIMEOUT seconds and up to
SECURITY_WEBHOOK_TRIES tries, waiting SECURITY_WEBHOOK_BACKOFF, then twice that, between them. An event still
failing after its tries is logged (its type and id, never its details' values) and dropped: the security log in
the database stays the record of truth.
"""
import hashlib
import hmac
import json
import logging
import os
import queue
import threading
import time
import urllib.error
import urllib.request

log = logging.getLogger(__name__)
SIGNATURE_HEADER = "X-Portal-Signature"


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class Sender:
    """The queue and thread of one worker process for one (url, secret)."""

    def __init__(self, url: str, secret: str, timeout: float, tries: int, backoff: float, size: int):
        self.url, self.secret = url, secret
        self.timeout, self.tries, self.backoff = timeout, max(1, tries), backoff
        self.queue: queue.Queue = queue.Queue(maxsize=size)
        self.pid = None
        self.thread = None
        self.lock = threading.Lock()
        self.delivered = 0
        self.dropped = 0

    def put(self, payload: dict) -> bool:
        self._ensure_thread()
        try:
            self.queue.put_nowait(payload)
            return True
        except queue.Full:
            self.dropped += 1
            log.warning("security webhook: queue full, event %s (%s) dropped", payload.get("id"), payload.get("type"))
            return False

    def _ensure_thread(self) -> None:
        # Started on first use in each process: a thread of gunicorn's master (--preload) does not survive the fork.
        if self.pid == os.getpid() and self.thread is not None and self.thread.is_alive():
            return
        with self.lock:
            if self.pid != os.getpid() or self.thread is None or not self.thread.is_alive():
                if self.pid != os.getpid():
                    self.queue = queue.Queue(maxsize=self.queue.maxsize)
                self.pid = os.getpid()
                self.thread = threading.Thread(target=self._run, name="security-webhook", daemon=True)
                self.thread.start()

    def _run(self) -> None:
        while True:
            payload = self.queue.get()
            try:
                self._deliver(payload)
            except Exception:  # never let the thread die
                log.exception("security webhook: unexpected error")
            finally:
                self.queue.task_done()

    def _deliver(self, payload: dict) -> None:
        body = json.dumps(payload, sort_keys=True, default=str).encode()
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(self.secret, body),
                   "X-Portal-Event": str(payload.get("type", "")), "User-Agent": "helpdesk-portal-webhook"}
        for attempt in range(1, self.tries + 1):
            try:
                request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    response.read(1024)
                self.delivered += 1
                return
            except urllib.error.HTTPError as exc:
                reason = f"HTTP {exc.code}"
            except Exception as exc:
                reason = type(exc).__name__
            if attempt < self.tries:
                time.sleep(self.backoff * 2 ** (attempt - 1))
        log.warning("security webhook: event %s (%s) not delivered after %d tries (%s)", payload.get("id"),
                    payload.get("type"), self.tries, reason)

    def wait_idle(self, timeout: float) -> bool:
        """For tests and shutdown: wait until every queued event was handled (True) or the timeout passed."""
        deadline = time.monotonic() + timeout
        while self.queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.01)
        return not self.queue.unfinished_tasks


_senders: dict = {}
_senders_lock = threading.Lock()


def sender(app) -> Sender | None:
    """The app's sender, or None when no webhook is configured."""
    url = app.config.get("SECURITY_WEBHOOK_URL")
    if not url:
        return None
    key = (url, app.config.get("SECURITY_WEBHOOK_SECRET") or "")
    with _senders_lock:
        if key not in _senders:
            _senders[key] = Sender(url, key[1], float(app.config.get("SECURITY_WEBHOOK_TIMEOUT", 5)),
                                   int(app.config.get("SECURITY_WEBHOOK_TRIES", 3)),
                                   float(app.config.get("SECURITY_WEBHOOK_BACKOFF", 1)),
                                   int(app.config.get("SECURITY_WEBHOOK_QUEUE", 1000)))
        return _senders[key]


def deliver(payloads: list, app) -> None:
    """Queue committed events for the webhook (never blocks)."""
    target = sender(app) if app is not None else None
    if target is None:
        return
    for payload in payloads:
        target.put(payload)


def check_settings(app) -> None:
    url = app.config.get("SECURITY_WEBHOOK_URL")
    if not url:
        return
    if not url.startswith(("https://", "http://")):
        raise RuntimeError("SECURITY_WEBHOOK_URL must be an http(s) URL.")
    if not app.config.get("SECURITY_WEBHOOK_SECRET"):
        raise RuntimeError("SECURITY_WEBHOOK_URL is set without SECURITY_WEBHOOK_SECRET: the receiver could not "
                           "tell the portal's events from forged ones. Set a long random secret, e.g. "
                           "python -c 'import secrets; print(secrets.token_urlsafe(32))'.")
