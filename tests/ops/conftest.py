"""Operations tests: an app made with the settings a test names (@pytest.mark.app_config(...)), a local HTTP
receiver for the security webhook, and a reader of what the portal logged."""
import http.server
import json
import socket
import threading
import time

import pytest

from portal.clock import set_clock
from tests.conftest import make_app


def pytest_configure(config):
    config.addinivalue_line("markers", "app_config(**settings): settings the test's app is created with")


@pytest.fixture
def app(tmp_path, pg_schema, clock, request):
    """The suite's app fixture, with the settings of the test's app_config marker."""
    from portal.extensions import db
    marker = request.node.get_closest_marker("app_config")
    app = make_app(tmp_path, pg_schema, **(marker.kwargs if marker else {}))
    set_clock(app, clock)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Receiver:
    """A webhook receiver on 127.0.0.1: keeps each POST (headers, body); answers after `delay` seconds."""

    def __init__(self, delay: float = 0.0, status: int = 204):
        self.received = []
        self.delay, self.status = delay, status
        self.arrived = threading.Condition()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if receiver.delay:
                    time.sleep(receiver.delay)  # a slow receiver (real time: it is another server, not the portal)
                with receiver.arrived:
                    receiver.received.append((dict(self.headers), body))
                    receiver.arrived.notify_all()
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def events(self) -> list[dict]:
        with self.arrived:
            return [json.loads(body) for _, body in self.received]

    def wait_for(self, predicate, timeout: float = 10.0) -> list[dict]:
        """Wait (on a condition, not a sleep loop) until the received events satisfy `predicate`."""
        deadline = time.monotonic() + timeout
        with self.arrived:
            while not predicate([json.loads(body) for _, body in self.received]):
                left = deadline - time.monotonic()
                assert left > 0, f"the receiver did not get the expected events; it got {self.received!r}"
                self.arrived.wait(left)
            return [json.loads(body) for _, body in self.received]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def json_lines(text: str) -> list[dict]:
    """Every line of captured stderr parsed as JSON (a line that is not JSON fails the test)."""
    lines = []
    for line in text.splitlines():
        if line.strip():
            try:
                lines.append(json.loads(line))
            except ValueError:
                pytest.fail(f"a log line is not JSON: {line!r}")
    return lines
