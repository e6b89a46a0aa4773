"""Two versions of the portal side by side: is a change faster, on a host whose speed drifts between runs?

    python bench/compare.py HEAD~1                 # this working tree against HEAD~1, on PostgreSQL
    python bench/compare.py main --database sqlite --rounds 12

Checks REV out into a temporary git worktree and serves it and this working tree with gunicorn (4 workers each,
as bench/run.py does) against one database seeded by this tree, so REV must share its schema. Then, round after
round and in alternating order, each server takes a batch of whole sign-ins (all five requests, landing page
included, by people whose password hash is argon2id at its cheapest: everything but the hash) and a batch of
second-factor steps (8 in flight). Every sign-in and step is checked to have ended signed in. Prints each version's
median CPU per sign-in and per step (from the gunicorn processes' own accounting) and this tree's as a share of
REV's, with the spread of the per-round ratios: both versions see the same drift, so the ratio of a round is fair
even when the host is not.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import pyotp  # noqa: E402
from argon2 import PasswordHasher  # noqa: E402

from bench import load, seed  # noqa: E402
from tests.system.servers import REDIS_URL, Gunicorn, new_keys  # noqa: E402

PASSWORD = "bench password, cheapest argon2id"
WORKERS = 4


def arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("rev", help="the git revision to compare this working tree with")
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--signins", type=int, default=20, help="whole sign-ins per server per round (20)")
    parser.add_argument("--steps", type=int, default=100, help="second-factor steps per server per round (100)")
    return parser.parse_args()


def main() -> int:
    args = arguments()
    worktree = tempfile.mkdtemp(prefix="portal-compare-")
    subprocess.run(["git", "-C", ROOT, "worktree", "add", "--detach", worktree, args.rev], check=True,
                   capture_output=True)
    keys, secret = new_keys(), pyotp.random_base32()
    from portal.passwords import PROFILES
    cheap = PasswordHasher(**PROFILES["test"]["password"]).hash(PASSWORD)
    trees = {"this tree": ROOT, args.rev: worktree}
    per_tree = 2 * WORKERS + 20 + args.rounds * (args.signins + args.steps)
    people = 1 + len(trees) * per_tree
    database = seed.create(args.database, people, people, {**keys, "FLASK_DEBUG": "0"}, secret,
                           seed.stored_secret(keys, secret, for_older=True), cheap)
    env = {**keys, "DATABASE_URL": database.url, "RATELIMIT_STORAGE_URI": REDIS_URL,
           "RATELIMIT_KEY_PREFIX": f"portal-compare-{os.getpid()}", "PORTAL_AUTH_RATE_LIMIT": "1000000 per minute",
           "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": "1", "FLASK_DEBUG": "0"}
    servers = {}
    try:
        from portal import create_app
        from portal.config import Config
        app = create_app(Config, SQLALCHEMY_DATABASE_URI=database.url, RATELIMIT_ENABLED=False, **keys)
        next_id = iter(range(2, people + 1))
        ids = {name: [next(next_id) for _ in range(per_tree)] for name in trees}
        signins, steps, apps = {}, {}, {}
        for name, tree in trees.items():
            servers[name] = Gunicorn(env, workers=WORKERS, cwd=tree).start()
            mine = ids[name]
            signins[name] = [f"u{i:07d}@example.com" for i in mine[:2 * WORKERS + args.rounds * args.signins]]
            step_ids = mine[len(signins[name]):]
            steps[name] = load.Target(name, servers[name], "/agent/login/verify", "/agent/", "/agent/",
                                      load.portal_flows(app, step_ids))
            apps[name] = load.SignInApp(name, servers[name], secret=secret, **load.PORTAL_SIGNIN)
            _checked(load.signin_batch(apps[name], _take(signins[name], 2 * WORKERS), PASSWORD))
            _checked(load.step_batch(steps[name], secret, 20, 8))
        cpu = {name: {"sign-in": [], "step": []} for name in trees}
        done = {name: [] for name in trees}  # second-factor flows, checked below (a sign-in checks itself)
        for r in range(args.rounds):
            for name in (list(trees) if r % 2 == 0 else list(reversed(trees))):
                batch = _checked(load.signin_batch(apps[name], _take(signins[name], args.signins), PASSWORD))
                cpu[name]["sign-in"].append(1000 * batch.cpu / batch.count)
                batch = _checked(load.step_batch(steps[name], secret, args.steps, 8))
                cpu[name]["step"].append(1000 * batch.cpu / batch.count)
                done[name] += batch.done
            print(f"round {r + 1}/{args.rounds} done", flush=True)
        for name in trees:  # outside what is measured: each new session opens a page only a signed-in person gets
            signed = load.verify_signed_in(steps[name], done[name])
            if signed != len(done[name]):
                raise SystemExit(f"{name}: {len(done[name]) - signed} steps did not sign in: the comparison is void")
        _report(args, cpu)
    finally:
        for server in servers.values():
            server.stop()
        database.drop()
        subprocess.run(["git", "-C", ROOT, "worktree", "remove", "--force", worktree], capture_output=True)
        shutil.rmtree(worktree, ignore_errors=True)
    return 0


def _take(pool: list, count: int) -> list:
    taken, pool[:] = pool[:count], pool[count:]
    return taken


def _checked(batch):
    """A batch counts only if every sign-in or step in it really signed in."""
    if batch.failures:
        raise SystemExit(f"{len(batch.failures)} of {batch.count} did not sign in: the comparison is void "
                         f"(first: {batch.failures[0]})")
    return batch


def _report(args, cpu) -> None:
    this, other = cpu["this tree"], cpu[args.rev]
    print(f"\nCPU per request batch, {args.database}, {args.rounds} rounds (median; per-round ratio min–max)\n")
    print(f"| what | this tree ms | {args.rev} ms | this tree ÷ {args.rev} |")
    print("| --- | --- | --- | --- |")
    for what in ("sign-in", "step"):
        ratios = [a / b for a, b in zip(this[what], other[what]) if b]
        print(f"| {what} | {statistics.median(this[what]):.2f} | {statistics.median(other[what]):.2f} | "
              f"{statistics.median(ratios):.2f} ({min(ratios):.2f}–{max(ratios):.2f}) |")


if __name__ == "__main__":
    sys.exit(main())
