"""Where the second-factor step's CPU goes: the floor's and the portal's step run in this process (the same code
gunicorn runs, behind Werkzeug's test client instead of gunicorn) on a fresh SQLite database, then the portal's
under cProfile.

    python bench/profile_step.py                 # the portal as in production: per-IP limits counted in Redis
    python bench/profile_step.py --limiter off   # the same without the per-IP limit, to see what it costs
    python bench/profile_step.py --top 60        # more of the heaviest functions

Prints the CPU per step of each (process time, the lowest of five batches, so a busy neighbour counts as little as
possible) and the portal's heaviest functions by cumulative time. One run is one limiter setting: the limiter is
one object per process (portal.extensions).
"""
import argparse
import cProfile
import os
import pstats
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import pyotp  # noqa: E402
from sqlalchemy import create_engine  # noqa: E402

from bench import floor_app, load, seed  # noqa: E402
from tests.system.servers import REDIS_URL, new_keys  # noqa: E402

WARM = 20
BATCHES = 5


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--flows", type=int, default=1000, help="steps timed per server (1000)")
    parser.add_argument("--top", type=int, default=35, help="functions listed (35)")
    parser.add_argument("--limiter", choices=["redis", "off"], default="redis")
    args = parser.parse_args()

    keys, secret = new_keys(), pyotp.random_base32()
    from portal import create_app
    from portal.config import Config
    per_server = WARM + args.flows
    people = 2 + 3 * per_server
    database = seed.create("sqlite", people, people, {**keys, "FLASK_DEBUG": "0"}, secret,
                           seed.stored_secret(keys, secret), "unused")
    try:
        limiter = ({"RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_KEY_PREFIX": f"profile-{os.getpid()}",
                    "PORTAL_AUTH_RATE_LIMIT": "1000000 per minute"} if args.limiter == "redis"
                   else {"RATELIMIT_ENABLED": False})
        app = create_app(Config, SQLALCHEMY_DATABASE_URI=database.url, **keys, **limiter)
        floor_app.engine = create_engine(database.url)
        floor_app.app.config["SECRET_KEY"] = keys["SECRET_KEY"]
        totp = pyotp.TOTP(secret)

        def portal_step(flow):
            client = app.test_client()
            client.set_cookie("session", flow.cookie)
            r = client.post("/agent/login/verify", data={"csrf_token": flow.token, "code": totp.now()})
            assert r.status_code == 302 and r.headers["Location"].endswith("/agent/"), r.status_code

        def floor_step(flow):
            client = floor_app.app.test_client()
            client.set_cookie("session", flow.cookie)
            r = client.post("/verify", data={"code": totp.now()})
            assert r.status_code == 302, r.status_code

        first = 2
        floor_flows = load.floor_flows(floor_app.app, range(first, first + per_server))
        portal_flows = load.portal_flows(app, range(first + per_server, first + 2 * per_server))
        profiled_flows = load.portal_flows(app, range(first + 2 * per_server, first + 3 * per_server))
        floor_ms = _cpu_per_step(floor_step, floor_flows)
        portal_ms = _cpu_per_step(portal_step, portal_flows)
        print(f"floor:  {floor_ms:.2f} ms CPU per step (in-process)")
        print(f"portal: {portal_ms:.2f} ms CPU per step (in-process, per-IP limit: {args.limiter}), "
              f"{portal_ms / floor_ms:.2f}× the floor")
        profile = cProfile.Profile()
        for flow in profiled_flows[:WARM]:
            portal_step(flow)
        profile.enable()
        for flow in profiled_flows[WARM:]:
            portal_step(flow)
        profile.disable()
        stats = pstats.Stats(profile)
        stats.sort_stats("cumulative").print_stats(args.top)
    finally:
        floor_app.engine.dispose()
        database.drop()
    return 0


def _cpu_per_step(step, flows) -> float:
    """Milliseconds of this process's CPU per step: the lowest of BATCHES batches, after WARM steps."""
    for flow in flows[:WARM]:
        step(flow)
    rest = flows[WARM:]
    size = len(rest) // BATCHES
    best = float("inf")
    for b in range(BATCHES):
        start = time.process_time()
        for flow in rest[b * size:(b + 1) * size]:
            step(flow)
        best = min(best, (time.process_time() - start) / size)
    return 1000 * best


if __name__ == "__main__":
    sys.exit(main())
