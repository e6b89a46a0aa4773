"""Where the whole sign-in's CPU goes, in one process: the portal's, Flask-Security-Too's and the floor's whole
sign-ins (sign-in page, password, challenge page, code, landing page, as bench/load.py makes them) behind Werkzeug's
test client on one fresh database, every person with argon2id at its cheapest, so what is timed is everything but
the hash. Interleaved batches; the lowest batch of each app counts (a busy neighbour counts as little as possible).
Then the portal's sign-ins under cProfile, and its CPU per request of the five.

    python bench/profile_signin.py                     # SQLite, per-IP limits counted in Redis as in production
    python bench/profile_signin.py --database postgresql
    python bench/profile_signin.py --top 60 --sort tottime
    python bench/profile_signin.py --instructions      # instructions per request instead (valgrind's callgrind)

The test client costs every app the same few hundred microseconds per request that gunicorn's own parsing would;
the headline figures are bench/run.py's (gunicorn, the kernel's accounting of the servers' CPU).

CPU time moves from run to run on a shared host by more than most changes do; `--instructions` counts instructions
instead (the same code on the same input executes the same instructions whatever else the machine does): this
script runs again under `valgrind --tool=callgrind --dump-before=os_getppid`, calls os.getppid() just before and
just after each request, so callgrind writes each request's count on its own, and prints the mean per request of
each app (user-space instructions only: not the kernel's share, nor the database server's).
"""
import argparse
import cProfile
import glob
import json
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import pyotp  # noqa: E402
from argon2 import PasswordHasher  # noqa: E402
from sqlalchemy import create_engine  # noqa: E402

from bench import floor_app, load, seed, statements  # noqa: E402
from bench.run import fst_settings  # noqa: E402
from bench.whole_signin import PASSWORD  # noqa: E402
from tests.system.servers import REDIS_URL, new_keys  # noqa: E402

BATCHES = 5


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--signins", type=int, default=40, help="sign-ins per app and batch (40)")
    parser.add_argument("--top", type=int, default=40, help="functions listed (40)")
    parser.add_argument("--sort", default="cumulative", help="cProfile's sort key (cumulative)")
    parser.add_argument("--callers", default="",
                        help="also list who calls the functions matching this (a regular expression)")
    parser.add_argument("--dump", help="also write the portal's profile here (pstats)")
    parser.add_argument("--instructions", action="store_true", help="count instructions (callgrind) instead")
    parser.add_argument("--labels", help=argparse.SUPPRESS)  # the counted child writes its dumps' labels here
    args = parser.parse_args()
    if args.instructions and not args.labels:
        return _count_instructions(args)

    from portal import create_app
    from portal.config import Config
    from portal.passwords import PROFILES

    keys, secret = new_keys(), pyotp.random_base32()
    fst = fst_settings()
    cheap_hash = PasswordHasher(**PROFILES["test"]["password"]).hash(PASSWORD)
    people_needed = 3 * (BATCHES + 1) * args.signins + 20 if not args.labels else 3 * args.signins + 20
    database = seed.create(args.database, people_needed + 2, people_needed + 2, {**keys, "FLASK_DEBUG": "0"}, secret,
                           seed.stored_secret(keys, secret), cheap_hash, fst=fst["people"])
    try:
        seed.set_password_hash(database, range(1, people_needed + 3), cheap_hash, fst["cheap_hash"])
        portal = create_app(Config, SQLALCHEMY_DATABASE_URI=database.url, **keys, RATELIMIT_STORAGE_URI=REDIS_URL,
                            RATELIMIT_KEY_PREFIX=f"profile-{os.getpid()}", PORTAL_AUTH_RATE_LIMIT="1000000 per minute")
        from bench import fst_app
        env = fst["env"]
        fst_flask = fst_app.create_app(database.url, env["FST_SECRET_KEY"], env["FST_PASSWORD_SALT"],
                                       env["FST_TOTP_SECRET"], "cheapest")
        floor_app.engine = create_engine(database.url)
        floor_app.app.config["SECRET_KEY"] = keys["SECRET_KEY"]
        apps = {"portal": (portal, load.PORTAL_SIGNIN, secret), "FST": (fst_flask, load.FST_SIGNIN, fst["secret"]),
                "floor": (floor_app.app, load.FLOOR_SIGNIN, secret)}
        people = iter(range(2, people_needed + 2))
        per_request = {name: [] for name in apps}  # the same people in each app's own tables; 1 is the admin

        def batch(name, count):
            app, where, code_secret = apps[name]
            emails = [f"u{next(people):07d}@example.com" for _ in range(count)]
            start, spent = time.process_time(), [0.0] * 5
            for email in emails:
                spent = [a + b for a, b in zip(spent, _sign_in(app, where, email, code_secret))]
            per_request[name].append([ms / count for ms in spent])
            return 1000 * (time.process_time() - start) / count

        for name in apps:  # imports, caches
            batch(name, 5)
        if args.labels:
            return _counted(apps, people, args)
        best = {name: float("inf") for name in apps}
        for b in range(BATCHES):
            for name in (apps if b % 2 == 0 else reversed(list(apps))):
                best[name] = min(best[name], batch(name, args.signins))
        print(f"{args.database}, in-process, argon2id at its cheapest: CPU ms per whole sign-in (lowest of "
              f"{BATCHES} batches of {args.signins})")
        for name, ms in best.items():
            lowest = [min(r[i] for r in per_request[name][1:]) for i in range(5)]
            print(f"  {name:7s} {ms:6.2f}   portal ÷ {name}: {best['portal'] / ms:.2f}×   per request (lowest of "
                  f"each): " + ", ".join(f"{x:.2f}" for x in lowest))

        per_request = [0.0] * 5
        profile = cProfile.Profile()
        count = args.signins
        for _ in range(count):
            email = f"u{next(people):07d}@example.com"
            for i, ms in enumerate(_sign_in(portal, load.PORTAL_SIGNIN, email, secret, profile)):
                per_request[i] += ms
        print("portal, CPU ms per request (under cProfile, so inflated): " + ", ".join(
            f"{name} {ms / count:.2f}" for name, ms in zip(statements.SIGN_IN, per_request)))
        if args.dump:
            profile.dump_stats(args.dump)
        stats = pstats.Stats(profile).sort_stats(args.sort)
        stats.print_stats(args.top)
        if args.callers:
            stats.print_callers(args.callers)
    finally:
        floor_app.engine.dispose()
        database.drop()
    return 0


def _count_instructions(args) -> int:
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is needed: apt-get install valgrind")
    out = tempfile.mkdtemp(prefix="portal-callgrind-")
    labels = os.path.join(out, "labels.json")
    try:
        run = subprocess.run(["valgrind", "--tool=callgrind", "--dump-before=os_getppid",
                              f"--callgrind-out-file={out}/callgrind.%p", sys.executable, os.path.abspath(__file__),
                              "--instructions", "--labels", labels, "--database", args.database,
                              "--signins", str(args.signins)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True)
        if run.returncode != 0 or not os.path.exists(labels):
            raise SystemExit(f"the counted run failed:\n{run.stdout[-3000:]}")
        with open(labels) as fh:
            names = json.load(fh)
        totals = {}
        for number, label in enumerate(names, start=1):
            if label is None:
                continue
            files = glob.glob(os.path.join(out, f"callgrind.*.{number}"))
            if len(files) != 1:
                raise SystemExit(f"no callgrind dump {number} in {out}: is os_getppid a symbol of this Python?")
            app, request = label
            totals.setdefault(app, [0] * 5)[request] += _total(files[0])
    finally:
        shutil.rmtree(out, ignore_errors=True)
    print(f"{args.database}, in-process, argon2id at its cheapest: million instructions per request, mean of "
          f"{args.signins} whole sign-ins (callgrind)")
    print(f"  {'':7s} {'whole':>7s}  " + "  ".join(f"{n:>14s}" for n in statements.SIGN_IN))
    whole = {app: sum(counts) / args.signins / 1e6 for app, counts in totals.items()}
    for app, counts in totals.items():
        print(f"  {app:7s} {whole[app]:7.2f}  " + "  ".join(f"{c / args.signins / 1e6:14.2f}" for c in counts)
              + f"   portal ÷ {app}: {whole['portal'] / whole[app]:.2f}×")
    return 0


def _total(path: str) -> int:
    with open(path) as fh:
        for line in fh:
            if line.startswith(("summary:", "totals:")):
                return int(line.split()[1])
    raise SystemExit(f"{path}: no total")


def _counted(apps: dict, people, args) -> int:
    """Under callgrind: each app's sign-ins, a dump just before and just after each request (see the docstring)."""
    labels = []  # dump n is labelled labels[n - 1]: None for anything but a request
    for name, (app, where, code_secret) in apps.items():
        for _ in range(args.signins):
            email = f"u{next(people):07d}@example.com"
            _sign_in(app, where, email, code_secret, dumps=(labels, name))
    os.getppid()  # the last client's work
    labels.append(None)
    with open(args.labels, "w") as fh:
        json.dump(labels, fh)
    return 0


def _sign_in(app, where: dict, email: str, secret: str, profile=None, dumps=None) -> list[float]:
    """One whole sign-in behind the test client, checked to end signed in; the CPU ms of each request. `dumps`:
    (labels, app name) when counted by callgrind: each request between two dumps, labelled."""
    client, spent = app.test_client(), []

    def timed(send):
        start = time.process_time()
        if profile:
            profile.enable()
        if dumps:
            os.getppid()  # ends the dump before: the client's own work
            dumps[0].append(None)
        response = send()
        if dumps:
            os.getppid()  # ends this request's dump
            dumps[0].append((dumps[1], len(spent)))
        if profile:
            profile.disable()
        spent.append(1000 * (time.process_time() - start))
        return response

    page = timed(lambda: client.get(where["start"]))
    action, hidden = load.form_with(page.text, "password", where["start"])
    r = timed(lambda: client.post(action, data={**hidden, "email": email, "password": PASSWORD}))
    challenge = load.redirect_target(r.headers.get("Location"))
    assert r.status_code in (302, 303) and challenge, (email, r.status_code)
    page = timed(lambda: client.get(challenge))
    action, hidden = load.form_with(page.text, "code", challenge)
    r = timed(lambda: client.post(action, data={**hidden, "code": pyotp.TOTP(secret).now()}))
    assert load.redirect_target(r.headers.get("Location")) == where["landing"], (email, r.headers.get("Location"))
    r = timed(lambda: client.get(where["landing"]))
    assert r.status_code == 200, (email, r.status_code)
    return spent


if __name__ == "__main__":
    sys.exit(main())
