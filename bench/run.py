"""Run every benchmark and print the table: `python bench/run.py` (see bench/README.md; `--help` for sizes).

The headline: the whole sign-in a person makes (sign-in page, email and password, challenge page, code, landing
page) on the portal, on Flask-Security-Too configured alike (bench/fst_app.py) and on the floor (bench/floor_app.py),
interleaved in one run. Then the second-factor step against the floor, how it grows to 1,000,000 people, the admin
lists and the weight of every page.

Writes bench/results/latest.md and bench/results/latest.json. A run where any flow failed to sign in is void
(exit status 1) and says so at the top of the table.
"""
import argparse
import os
import secrets
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import pyotp  # noqa: E402

from bench import admin_list, load, pages, report, seed, statements  # noqa: E402
from bench.whole_signin import PASSWORD, signin_people, whole_signins  # noqa: E402
from tests.system.servers import REDIS_URL, Gunicorn, SmtpSink, new_keys  # noqa: E402

def arguments():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--large", type=int, default=1_000_000, help="users in the growth database (1,000,000)")
    parser.add_argument("--small", type=int, default=1_000, help="users in the small database (1,000)")
    parser.add_argument("--admin-agents", type=int, default=100_000, help="agents in the large database")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds of every server")
    parser.add_argument("--flows", type=int, default=120, help="second-factor steps per server per round")
    parser.add_argument("--sequential", type=int, default=30,
                        help="more portal steps per round, one at a time, for the growth comparison")
    parser.add_argument("--warmup", type=int, default=20,
                        help="steps per server, and 2 sign-ins per worker, before anything is measured (20)")
    parser.add_argument("--signins", type=int, default=60,
                        help="whole sign-ins per app and database with the production hash, and as many with the "
                             "cheapest (60)")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight at once")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers of every server")
    parser.add_argument("--no-pages", action="store_true", help="skip the page-weight browser run")
    parser.add_argument("--out", default=os.path.join(ROOT, "bench", "results"))
    return parser.parse_args()


def main() -> int:
    args = arguments()
    started = time.time()
    keys, secret = new_keys(), pyotp.random_base32()
    from portal.passwords import hash_password
    secret_enc = seed.stored_secret(keys, secret)
    password_hash = hash_password(PASSWORD)
    fst = fst_settings()
    smtp = SmtpSink()
    env = {**keys, "RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_KEY_PREFIX": f"portal-bench-{os.getpid()}",
           "PORTAL_AUTH_RATE_LIMIT": "1000000 per minute", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp.port),
           "FLASK_DEBUG": "0"}
    result = {"meta": report.machine(), "args": vars(args), "phase_seconds": {}}
    databases, servers = [], []
    phase = _phases(result["phase_seconds"])
    try:
        for kind in args.databases.split(","):
            for size in (args.small, args.large):
                t = time.time()
                print(f"seeding {kind} with {size:,} people ...", flush=True)
                databases.append(seed.create(kind, size, args.admin_agents, env, secret, secret_enc, password_hash,
                                             fst=fst["people"] if size == args.small else None))
                databases[-1].seconds = time.time() - t
        result["seeding"] = [{"database": d.kind, "users": d.users, "agents": d.agents,
                              "seconds": round(d.seconds, 1)} for d in databases]
        phase("seeding")
        # The admins sign in now, minutes before the page-weight run signs one of them in again (a code's time step
        # is claimed once).
        admins = {id(d): admin_list.sign_in(_app(d, keys), "u0000001@example.com", PASSWORD, secret)
                  for d in databases}
        targets, portals, signin_apps = _start_servers(databases, env, keys, fst, secret, args, servers)
        phase("starting servers")
        result["step"] = _interleaved_steps(targets, secret, args)
        phase("second-factor steps")
        result["signin"] = whole_signins(databases, signin_apps, fst, args)
        phase("whole sign-ins")
        result["statements"] = {  # counted on a fresh agent just below the sign-in people
            f"{d.kind} {d.users:,}": {
                "portal": statements.portal_step(_app(d, keys), d.agents - signin_people(args), secret),
                "floor": statements.floor_step(d.url, keys["SECRET_KEY"], d.agents - signin_people(args), secret)}
            for d in databases if d.users == args.small}
        result["signin_statements"] = {  # a fresh agent just below the one counted above, on each app
            f"{d.kind} {d.users:,}": _signin_statements(d, keys, fst, secret, args)
            for d in databases if d.users == args.small}
        phase("SQL counts")
        result["admin"] = [{"database": d.kind, **row} for d in databases
                           for row in admin_list.measure(_app(d, keys), d.agents, admins[id(d)])]
        phase("admin lists")
        if not args.no_pages:
            # The largest database: the admin lists are full, and it has help-center people (after the agents).
            d = max(databases, key=lambda d: (d.users, d.kind == "postgresql"))
            end_user = f"u{d.agents + 1:07d}@example.com" if d.users > d.agents else None
            result["pages"] = pages.weigh(portals[id(d)].url, "u0000001@example.com", PASSWORD, secret, 1,
                                          end_user=end_user)
            phase("page weight")
    finally:
        for server in servers:
            server.stop()
        for d in databases:
            d.drop()
        smtp.stop()
    result["seconds"] = round(time.time() - started)
    markdown = report.render(result)
    report.write(args.out, result, markdown)
    print(markdown)
    void = any(v["void"] for v in result["step"].values()) or any(
        a["void"] for apps in result["signin"].values() for a in apps.values())
    return 1 if void else 0


def _phases(into: dict):
    """phase(name): the seconds since the last call, recorded under `name` (where a run's time goes)."""
    last = [time.time()]

    def phase(name: str):
        now = time.time()
        into[name] = round(now - last[0])
        last[0] = now
    return phase


def _app(database, keys):
    from portal import create_app
    from portal.config import Config
    return create_app(Config, SQLALCHEMY_DATABASE_URI=database.url, RATELIMIT_ENABLED=False, **keys)


def fst_settings() -> dict:
    """Flask-Security-Too's keys for this run, and what its people get, made by FST itself: the password hash at
    production cost and at the cheapest (its own format: argon2id through passlib of an HMAC of the password), and
    one authenticator secret from its `Totp` class (stored encrypted with SECURITY_TOTP_SECRETS)."""
    from flask_security import hash_password as fst_hash_password
    from passlib.totp import generate_secret

    from bench import fst_app
    env = {"FST_SECRET_KEY": secrets.token_urlsafe(32), "FST_PASSWORD_SALT": secrets.token_urlsafe(16),
           "FST_TOTP_SECRET": generate_secret()}
    made = {}
    for profile in fst_app.ARGON2:
        app = fst_app.create_app("sqlite://", env["FST_SECRET_KEY"], env["FST_PASSWORD_SALT"], env["FST_TOTP_SECRET"],
                                 profile)
        with app.app_context():
            made[profile] = fst_hash_password(PASSWORD)
            if profile == "production":
                stored = app.security.totp_factory.generate_totp_secret()
                b32 = app.security.totp_factory.get_totp_b32_key(stored)
    return {"env": env, "people": seed.FstPeople(made["production"], stored), "cheap_hash": made["cheapest"],
            "secret": b32}


def _start_servers(databases, env, keys, fst, secret, args, servers):
    """Portal and floor on every database; on the small ones FST too, twice: one configured with the production
    argon2id and one with the cheapest, for its cheap-hash people (FST re-hashes a stored password whose parameters
    differ from its configuration at sign-in, which would put a production hash into the cheap sign-in)."""
    from bench.floor_app import app as floor_app
    floor_app.config["SECRET_KEY"] = keys["SECRET_KEY"]
    bench_dir = os.path.join(ROOT, "bench")
    targets, portals, signin_apps = [], {}, {}
    for d in databases:
        portal = Gunicorn({**env, "DATABASE_URL": d.url}, workers=args.workers)
        floor = Gunicorn({"FLOOR_DATABASE_URL": d.url, "FLOOR_SECRET_KEY": keys["SECRET_KEY"]}, app="floor_app:app",
                         workers=args.workers, cwd=bench_dir)
        started = [(portal, "/agent/login"), (floor, "/me")]
        if d.fst:
            fst_full, fst_cheap = (Gunicorn({**fst["env"], "FST_DATABASE_URL": d.url, "FST_HASH": profile},
                                            app="fst_app:create_app()", workers=args.workers, cwd=bench_dir)
                                   for profile in ("production", "cheapest"))
            started += [(fst_full, "/login"), (fst_cheap, "/login")]
            signin_apps[id(d)] = [
                load.SignInApp("portal", portal, secret=secret, **load.PORTAL_SIGNIN),
                load.SignInApp("FST", fst_full, secret=fst["secret"], cheap_server=fst_cheap, **load.FST_SIGNIN),
                load.SignInApp("floor", floor, secret=secret, **load.FLOOR_SIGNIN)]
        for server, ready in started:
            servers.append(server)
            server.start(ready_path=ready)
        portals[id(d)] = portal
        # People 2.. take the second-factor steps; the last ones of the pool do whole sign-ins; 1 is the admin.
        needed = args.warmup + args.rounds * (args.flows + args.sequential)
        if needed + signin_people(args) + 3 > d.agents:  # + the admin, + two for counting statements
            raise SystemExit(f"{d.kind} {d.users:,}: {needed + signin_people(args) + 3} fresh agents needed, "
                             f"{d.agents} made")
        ids = list(range(2, 2 + needed))
        label = f"{d.kind} {d.users:,}"
        database_cpu = load.postgres_cpu_seconds if d.kind == "postgresql" else None  # SQLite runs in the workers
        targets.append(load.Target(f"floor | {label}", floor, "/verify", "/me", "/me",
                                   load.floor_flows(floor_app, ids), database_cpu))
        targets.append(load.Target(f"portal | {label}", portal, "/agent/login/verify", "/agent/", "/agent/",
                                   load.portal_flows(_app(d, keys), ids), database_cpu))
    return targets, portals, signin_apps


def _interleaved_steps(targets, secret, args) -> dict:
    """Every server in turn, each round in the opposite order: under load `concurrency` at a time, then (the
    portal, for growth) one at a time, so a size's latency is its own and not the queue's."""
    for target in targets:  # every worker's first requests (imports, caches, copy-on-write after the fork)
        warm = load.step_batch(target, secret, args.warmup, args.concurrency)
        if warm.failures:
            raise SystemExit(f"{target.name}: {len(warm.failures)} of {args.warmup} warm-up steps did not sign in")
    totals = {t.name: load.Batch() for t in targets}
    per_round = {t.name: [] for t in targets}  # CPU ms per request of each round's batch under load
    alone = {t.name: load.Batch() for t in targets}
    done = {t.name: [] for t in targets}
    for r in range(args.rounds):
        order = targets if r % 2 == 0 else list(reversed(targets))
        for target in order:
            for count, concurrency, into in ((args.flows, args.concurrency, totals),
                                             (args.sequential, 1, alone)):
                if count == 0 or (into is alone and target.name.startswith("floor")):
                    continue
                done[target.name] += target.flows[:count]
                batch = load.step_batch(target, secret, count, concurrency)
                into[target.name].add(batch)
                if into is totals:
                    per_round[target.name].append(1000 * batch.cpu / batch.count)
        print(f"round {r + 1}/{args.rounds} done", flush=True)
    out = {}
    for target in targets:
        summary = totals[target.name].summary()
        summary["round_cpu_ms"] = per_round[target.name]
        every = load.Batch()
        every.add(totals[target.name])
        every.add(alone[target.name])
        summary["flows"] = every.count
        summary["signed_in"] = load.verify_signed_in(target, done[target.name])
        summary["void"] = every.failures != [] or summary["signed_in"] != every.count
        if alone[target.name].count:
            one = alone[target.name].summary()
            summary.update(alone_p50_ms=one["p50_ms"], alone_p95_ms=one["p95_ms"], alone_cpu_ms=one["cpu_ms"])
        out[target.name] = summary
    return out


def _signin_statements(d, keys, fst, secret, args) -> dict:
    """SQL per request of a whole sign-in on each app, counted in-process on a fresh person (the agent just below
    the one whose second-factor step is counted)."""
    from bench import fst_app
    email = f"u{d.agents - signin_people(args) - 1:07d}@example.com"
    env = fst["env"]
    fst_flask = fst_app.create_app(d.url, env["FST_SECRET_KEY"], env["FST_PASSWORD_SALT"], env["FST_TOTP_SECRET"])
    try:
        return {"portal": statements.portal_signin(_app(d, keys), email, PASSWORD, secret),
                "FST": statements.fst_signin(fst_flask, email, PASSWORD, fst["secret"]),
                "floor": statements.floor_signin(d.url, keys["SECRET_KEY"], email, PASSWORD, secret)}
    finally:
        with fst_flask.app_context():
            fst_app.db.engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
