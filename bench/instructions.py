"""Instructions per second-factor step, the floor's and the portal's, counted by valgrind's callgrind.

    python bench/instructions.py                     # this tree, on SQLite and PostgreSQL
    python bench/instructions.py --rev c4ccc33       # and that revision beside it (a temporary git worktree)
    python bench/instructions.py --databases sqlite --steps 200
    python bench/instructions.py --databases postgresql --users 1000000   # in a database of a million people

CPU time per request is what the targets are stated in (bench/run.py), but on a shared host it moves from run to
run by more than most changes do. An instruction count does not: the same code on the same inputs executes the
same instructions whatever else the machine is doing. So this is how a change is judged before a full run.

How: this process seeds one database (bench/seed.py) and makes each tree's sign-ins waiting for their code
(bench/load.py, disjoint people per tree). Then, for each tree, a child process under
`valgrind --tool=callgrind --dump-before=os_getppid` builds the portal (as production: per-IP limits in Redis)
and the floor, prepares every step's WSGI environ (what gunicorn hands the app), takes 20 steps of each to warm
up, then the floor's steps, then the portal's, calling os.getppid() between the phases: callgrind writes its
counts at each call, so each phase is counted on its own and nothing of the start-up is. The WSGI app is called
directly, without HTTP parsing or a test client, which would add the same to both. Every step is checked to
have signed in (a 302 to the signed-in page). Counted: user-space instructions of the process, so neither the
kernel's share (system calls, the database and Redis round trips) nor how fast the instructions run.
Writes bench/results/instructions.md and .json.
"""
import argparse
import glob
import importlib.util
import json
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WARM = 20


def arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rev", help="a git revision to count beside this working tree")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--steps", type=int, default=100, help="steps counted per server (100)")
    parser.add_argument("--users", type=int, default=0,
                        help="people in the database (default: only as many as the steps need)")
    parser.add_argument("--out", default=os.path.join(ROOT, "bench", "results"))
    parser.add_argument("--child", nargs=2, metavar=("PLAN", "TREE"), help=argparse.SUPPRESS)
    return parser.parse_args()


def main() -> int:
    args = arguments()
    if args.child:
        return child(*args.child)
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is needed: apt-get install valgrind")
    sys.path.insert(0, ROOT)
    import pyotp

    from bench import load, seed
    from bench.floor_app import app as floor_app
    from portal import create_app
    from portal.config import Config
    from tests.system.servers import REDIS_URL, new_keys

    trees, worktree = {"this tree": ROOT}, None
    if args.rev:
        worktree = tempfile.mkdtemp(prefix="portal-instructions-")
        subprocess.run(["git", "-C", ROOT, "worktree", "add", "--detach", worktree, args.rev], check=True,
                       capture_output=True)
        trees[args.rev] = worktree
    rows, started = [], time.time()
    try:
        for kind in args.databases.split(","):
            keys, secret = new_keys(), pyotp.random_base32()
            per_tree = 2 * (WARM + args.steps)
            people = 1 + len(trees) * per_tree
            database = seed.create(kind, max(people, args.users), people, {**keys, "FLASK_DEBUG": "0"}, secret,
                                   seed.stored_secret(keys, secret, for_older=bool(args.rev)), "unused")
            try:
                app = create_app(Config, SQLALCHEMY_DATABASE_URI=database.url, RATELIMIT_ENABLED=False, **keys)
                floor_app.config["SECRET_KEY"] = keys["SECRET_KEY"]
                children, first = [], 2
                for name, tree in trees.items():
                    half = WARM + args.steps
                    floor = load.floor_flows(floor_app, range(first, first + half))
                    portal = load.portal_flows(app, range(first + half, first + 2 * half))
                    first += 2 * half
                    plan = tempfile.mkstemp(prefix="portal-instructions-", suffix=".pickle")[1]
                    with open(plan, "wb") as fh:
                        pickle.dump({"url": database.url, "keys": keys, "secret": secret, "redis": REDIS_URL,
                                     "floor": [f.cookie for f in floor],
                                     "portal": [(f.cookie, f.token) for f in portal]}, fh)
                    children.append((name, plan, _start(plan, tree)))
                    if len(children) == 2:  # two cores: two children at a time
                        rows += [_finish(kind, *c, args.steps) for c in children]
                        children = []
                rows += [_finish(kind, *c, args.steps) for c in children]
            finally:
                database.drop()
    finally:
        if worktree:
            subprocess.run(["git", "-C", ROOT, "worktree", "remove", "--force", worktree], capture_output=True)
    markdown = _render(rows, args, time.time() - started)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "instructions.md"), "w") as fh:
        fh.write(markdown)
    with open(os.path.join(args.out, "instructions.json"), "w") as fh:
        json.dump({"rows": rows, "steps": args.steps, "rev": args.rev}, fh, indent=2)
    print(markdown)
    return 0


def _start(plan: str, tree: str):
    out = tempfile.mkdtemp(prefix="portal-callgrind-")
    proc = subprocess.Popen(
        ["valgrind", "--tool=callgrind", "--dump-before=os_getppid", f"--callgrind-out-file={out}/callgrind.%p",
         sys.executable, os.path.abspath(__file__), "--child", plan, tree],
        cwd=tree, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return proc, out


def _finish(kind: str, name: str, plan: str, started, steps: int) -> dict:
    proc, out = started
    log = proc.communicate()[0]
    os.unlink(plan)
    try:
        if proc.returncode != 0 or "signed in: every step" not in log:
            raise SystemExit(f"{kind} {name}: the counted run failed:\n{log[-3000:]}")
        floor, portal = (_instructions(out, part) for part in (2, 4))  # the others: start-up, environs
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return {"database": kind, "tree": name, "floor": floor / steps, "portal": portal / steps,
            "ratio": portal / floor}


def _instructions(out: str, part: int) -> int:
    files = glob.glob(os.path.join(out, f"callgrind.*.{part}"))
    if len(files) != 1:
        raise SystemExit(f"no callgrind dump {part} in {out}: is os_getppid a symbol of this Python?")
    with open(files[0]) as fh:
        for line in fh:
            if line.startswith(("summary:", "totals:")):
                return int(line.split()[1])
    raise SystemExit(f"{files[0]}: no total")


def _render(rows: list, args, seconds: float) -> str:
    lines = [f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: `python bench/instructions.py"
             f"{' --rev ' + args.rev if args.rev else ''}`, {args.steps} steps per server, {seconds:.0f} s.", "",
             "| database | tree | floor instructions per step | portal instructions per step | portal ÷ floor |",
             "| --- | --- | --- | --- | --- |"]
    for r in rows:
        lines.append(f"| {r['database']} | {r['tree']} | {r['floor'] / 1e6:.2f} M | {r['portal'] / 1e6:.2f} M | "
                     f"{r['ratio']:.2f}× |")
    return "\n".join(lines) + "\n"


def child(plan_path: str, tree: str) -> int:
    """Under callgrind: count the floor's steps, then the portal's (see the module's docstring)."""
    with open(plan_path, "rb") as fh:
        plan = pickle.load(fh)
    sys.path.insert(0, tree)  # the portal of the tree counted
    import pyotp
    from sqlalchemy import create_engine
    from werkzeug.test import EnvironBuilder

    from portal import create_app
    from portal.config import Config
    spec = importlib.util.spec_from_file_location("floor_app", os.path.join(ROOT, "bench", "floor_app.py"))
    floor_app = importlib.util.module_from_spec(spec)  # the floor is always this tree's
    spec.loader.exec_module(floor_app)

    url = plan["url"]
    portal = create_app(Config, SQLALCHEMY_DATABASE_URI=url, **plan["keys"], RATELIMIT_STORAGE_URI=plan["redis"],
                        RATELIMIT_KEY_PREFIX=f"portal-instructions-{os.getpid()}",
                        PORTAL_AUTH_RATE_LIMIT="1000000 per minute")
    floor_app.engine = create_engine(url, **({} if url.startswith("sqlite") else {"pool_recycle": 1800}))
    floor_app.app.config["SECRET_KEY"] = plan["keys"]["SECRET_KEY"]
    totp = pyotp.TOTP(plan["secret"])

    def environ(path: str, cookie: str, form: dict) -> dict:
        return EnvironBuilder(path=path, method="POST", data=form, headers={"Cookie": f"session={cookie}"},
                              environ_base={"REMOTE_ADDR": "127.0.0.1"}).get_environ()

    def step(app, env: dict, signed_in: str) -> None:
        answer = []
        body = b"".join(app(env, lambda status, headers, exc_info=None: answer.append((status, dict(headers)))))
        status, headers = answer[0]
        if not (status.startswith("302") and headers.get("Location", "").endswith(signed_in)):
            raise SystemExit(f"a step did not sign in: {status} {body[:200]!r}")

    def floor_environs(cookies):
        return [environ("/verify", cookie, {"code": totp.now()}) for cookie in cookies]

    def portal_environs(flows):
        return [environ("/agent/login/verify", cookie, {"csrf_token": token, "code": totp.now()})
                for cookie, token in flows]

    for env in floor_environs(plan["floor"][:WARM]):
        step(floor_app.app, env, "/me")
    for env in portal_environs(plan["portal"][:WARM]):
        step(portal, env, "/agent/")
    floors = floor_environs(plan["floor"][WARM:])  # made just before they are used: the codes stay current
    os.getppid()  # callgrind: dump 1, the start-up and warm-up
    for env in floors:
        step(floor_app.app, env, "/me")
    os.getppid()  # dump 2, the floor's steps
    portals = portal_environs(plan["portal"][WARM:])
    os.getppid()  # dump 3, making the portal's environs
    for env in portals:
        step(portal, env, "/agent/")
    os.getppid()  # dump 4, the portal's steps
    floor_app.engine.dispose()
    print("signed in: every step")
    return 0


if __name__ == "__main__":
    sys.exit(main())
