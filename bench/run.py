"""Run every benchmark and print the table: `python bench/run.py` (see bench/README.md; `--help` for sizes).

Writes bench/results/latest.md and bench/results/latest.json. A run where any flow failed to sign in is void
(exit status 1) and says so at the top of the table.
"""
import argparse
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import pyotp  # noqa: E402
from argon2 import PasswordHasher  # noqa: E402

from bench import admin_list, load, pages, report, seed, statements  # noqa: E402
from tests.system.servers import REDIS_URL, Gunicorn, SmtpSink, new_keys  # noqa: E402

PASSWORD = "bench password, production argon2id"


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
    parser.add_argument("--signins", type=int, default=40,
                        help="whole sign-ins per database with the production hash, and as many with the cheapest")
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
    smtp = SmtpSink()
    env = {**keys, "RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_KEY_PREFIX": f"portal-bench-{os.getpid()}",
           "PORTAL_AUTH_RATE_LIMIT": "1000000 per minute", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp.port),
           "FLASK_DEBUG": "0"}
    result = {"meta": report.machine(), "args": vars(args)}
    databases, servers = [], []
    try:
        for kind in args.databases.split(","):
            for size in (args.small, args.large):
                t = time.time()
                print(f"seeding {kind} with {size:,} people ...", flush=True)
                databases.append(seed.create(kind, size, args.admin_agents, env, secret, secret_enc, password_hash))
                databases[-1].seconds = time.time() - t
        result["seeding"] = [{"database": d.kind, "users": d.users, "agents": d.agents,
                              "seconds": round(d.seconds, 1)} for d in databases]
        targets, portals = _start_servers(databases, env, keys, args, servers)
        result["step"] = _interleaved_steps(targets, secret, args)
        result["signin"] = _whole_signins(databases, portals, secret, args)
        result["statements"] = {  # counted on a fresh agent just below the sign-in people
            f"{d.kind} {d.users:,}": {
                "portal": statements.portal_step(_app(d, keys), d.agents - _signin_people(args), secret),
                "floor": statements.floor_step(d.url, keys["SECRET_KEY"], d.agents - _signin_people(args), secret)}
            for d in databases if d.users == args.small}
        result["signin_statements"] = {  # a fresh agent just below the one counted above
            f"{d.kind} {d.users:,}": statements.portal_signin(
                _app(d, keys), f"u{d.agents - _signin_people(args) - 1:07d}@example.com", PASSWORD, secret)
            for d in databases if d.users == args.small}
        result["admin"] = [{"database": d.kind, **row} for d in databases
                           for row in admin_list.measure(_app(d, keys), d.agents)]
        if not args.no_pages:
            # The largest database: the admin lists are full, and it has help-center people (after the agents).
            d = max(databases, key=lambda d: (d.users, d.kind == "postgresql"))
            end_user = f"u{d.agents + 1:07d}@example.com" if d.users > d.agents else None
            result["pages"] = pages.weigh(portals[id(d)].url, "u0000001@example.com", PASSWORD, secret, 1,
                                          end_user=end_user)
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
    return 1 if any(v["void"] for part in ("step", "signin") for v in result[part].values()) else 0


def _app(database, keys):
    from portal import create_app
    from portal.config import Config
    return create_app(Config, SQLALCHEMY_DATABASE_URI=database.url, RATELIMIT_ENABLED=False, **keys)


def _start_servers(databases, env, keys, args, servers):
    from bench.floor_app import app as floor_app
    floor_app.config["SECRET_KEY"] = keys["SECRET_KEY"]
    targets, portals = [], {}
    for d in databases:
        portal = Gunicorn({**env, "DATABASE_URL": d.url}, workers=args.workers)
        floor = Gunicorn({"FLOOR_DATABASE_URL": d.url, "FLOOR_SECRET_KEY": keys["SECRET_KEY"]}, app="floor_app:app",
                         workers=args.workers, cwd=os.path.join(ROOT, "bench"))
        for server in (portal, floor):
            servers.append(server)
            server.start(ready_path="/agent/login" if server is portal else "/me")
        portals[id(d)] = portal
        # People 2.. take the second-factor steps; the last ones of the pool do whole sign-ins; 1 is the admin.
        needed = args.warmup + args.rounds * (args.flows + args.sequential)
        if needed + _signin_people(args) + 3 > d.agents:  # + the admin, + two for counting statements
            raise SystemExit(f"{d.kind} {d.users:,}: {needed + _signin_people(args) + 3} fresh agents needed, "
                             f"{d.agents} made")
        ids = list(range(2, 2 + needed))
        label = f"{d.kind} {d.users:,}"
        database_cpu = load.postgres_cpu_seconds if d.kind == "postgresql" else None  # SQLite runs in the workers
        targets.append(load.Target(f"floor | {label}", floor, "/verify", "/me", "/me",
                                   load.floor_flows(floor_app, ids), database_cpu))
        targets.append(load.Target(f"portal | {label}", portal, "/agent/login/verify", "/agent/", "/agent/",
                                   load.portal_flows(_app(d, keys), ids), database_cpu))
    return targets, portals


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


def _signin_people(args) -> int:
    """The last agents of each database: warm-up sign-ins, then pairs of full- and cheap-hash sign-ins."""
    return 2 * args.workers + 2 * args.signins


def _whole_signins(databases, portals, secret, args) -> dict:
    """Whole sign-ins, one at a time (concurrent argon2id hashes, 64 MiB each, fight over memory bandwidth, which
    would charge the hash's own slowdown to everything else), each production-hash sign-in paired with one by a
    person whose stored hash is argon2id at its cheapest. "Everything but the hash" is then measured directly, in
    the same conditions, instead of as the small difference of two large, separately measured numbers (a few per
    cent of noise in either would swing that difference by tens of per cent)."""
    from portal.passwords import PROFILES
    cheap_hash = PasswordHasher(**PROFILES["test"]["password"]).hash(PASSWORD)
    cheap_hash_ms = load.hash_cpu_ms(stored=cheap_hash, password=PASSWORD, rounds=200)
    out = {}
    hash_ms = []
    for d in databases:
        if d.users != args.small:
            continue
        hash_ms.append(load.hash_cpu_ms())
        ids = list(range(d.agents - _signin_people(args) + 1, d.agents + 1))
        warm, ids = ids[:2 * args.workers], ids[2 * args.workers:]
        full, cheap = ids[::2], ids[1::2]
        seed.set_password_hash(d, warm + cheap, cheap_hash)
        load.signin_batch(portals[id(d)], [f"u{i:07d}@example.com" for i in warm], PASSWORD, secret, 1)  # warm-up
        batches = load.signin_pairs(portals[id(d)], [f"u{i:07d}@example.com" for i in full],
                                    [f"u{i:07d}@example.com" for i in cheap], PASSWORD, secret)
        hash_ms.append(load.hash_cpu_ms())
        summary, around = (b.summary() for b in batches)
        signed = sum(1 for b in batches for tab in b.done if tab.get("/agent/").status == 200)
        summary.update(signed_in=signed, requests=summary["requests"] + around["requests"],
                       around_hash_cpu_ms=around["cpu_ms"] - cheap_hash_ms,
                       void=summary["failures"] + around["failures"] > 0
                       or signed != summary["requests"] + around["requests"])
        out[f"{d.kind} {d.users:,}"] = summary
    for summary in out.values():
        summary["hash_cpu_ms"] = sum(hash_ms) / len(hash_ms)
    return out


if __name__ == "__main__":
    sys.exit(main())
