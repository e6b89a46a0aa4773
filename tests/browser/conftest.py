"""Real Chromium (Debian's, driven by Playwright) against the portal served on a loopback port.

The served app has a FrozenClock the test controls (`live.clock`), so TOTP steps are chosen, never waited for;
codes come from `oathtool` at that time, QR codes are read back with `zbarimg`.
"""
import os
import threading
from dataclasses import dataclass

import pytest
from werkzeug.serving import make_server

from portal.clock import FrozenClock, set_clock
from tests.conftest import T0, make_app

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                         "test-artifacts")

pytestmark = pytest.mark.browser


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": ARGS}


@dataclass
class Live:
    url: str
    app: object
    clock: FrozenClock

    @property
    def localhost(self) -> str:
        """The same server as http://localhost:PORT: WebAuthn needs a domain (an IP address is never a relying-party
        id), and localhost is one browsers trust without HTTPS."""
        return self.url.replace("http://127.0.0.1:", "http://localhost:")

    def shot(self, page, name: str) -> str:
        """Save a screenshot under test-artifacts/ (kept out of git) and return its path."""
        os.makedirs(ARTIFACTS, exist_ok=True)
        path = os.path.join(ARTIFACTS, f"{name}.png")
        page.screenshot(path=path, full_page=True)
        return path


@pytest.fixture
def live(tmp_path, pg_schema):
    app = make_app(tmp_path, pg_schema)
    clock = FrozenClock(T0)
    set_clock(app, clock)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Live(f"http://127.0.0.1:{server.server_port}", app, clock)
    server.shutdown()
    thread.join()
