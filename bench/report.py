"""The benchmark's table: the machine and versions it ran on, each measurement, and each target met or missed."""
import json
import os
import platform
import sqlite3
import subprocess
from datetime import datetime, timezone
from importlib.metadata import version

PACKAGES = ["Flask", "Flask-Security-Too", "SQLAlchemy", "Werkzeug", "Flask-SQLAlchemy", "Flask-Login", "Flask-WTF",
            "Flask-Principal", "libpass", "limits", "gunicorn", "psycopg", "argon2-cffi", "pyotp", "cryptography"]
TARGETS = {"around_hash": 0.10, "vs_fst": 0.5, "growth": 1.10, "page_bytes": 30 * 1024}
APPS = ("portal", "FST", "floor")


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
               platform.processor())
    mem = next(int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal"))
    try:
        postgres = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc", "show server_version", "test"],
                                  capture_output=True, text=True, timeout=10).stdout.strip() or "unreachable"
    except (OSError, subprocess.TimeoutExpired):
        postgres = "unknown"
    return {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "cpu": cpu, "cores": os.cpu_count(),
            "memory_gb": round(mem / 1024 / 1024, 1), "os": platform.platform(), "load_average": os.getloadavg(),
            "python": platform.python_version(), "postgresql": postgres, "sqlite": sqlite3.sqlite_version,
            "packages": {p: _version(p) for p in PACKAGES}}


def _version(package: str) -> str:
    try:
        return version(package)
    except Exception:
        return "-"


def _ms(value) -> str:
    return "-" if value is None else f"{value:.2f}"


def _mark(ok: bool) -> str:
    return "met" if ok else "**missed**"


def render(r: dict) -> str:
    m = r["meta"]
    lines = [f"Measured {m['date']} on {m['cpu']} ({m['cores']} cores, {m['memory_gb']} GB), {m['os']}; "
             f"load average at start {m['load_average'][0]:.1f}. Python {m['python']}, PostgreSQL {m['postgresql']}, "
             f"SQLite {m['sqlite']}; " + ", ".join(f"{k} {v}" for k, v in m["packages"].items()) + ".",
             f"Run: `python bench/run.py {_args(r['args'])}` took {r.get('seconds', '?')} s" + (
                 " (" + ", ".join(f"{k} {v} s" for k, v in r["phase_seconds"].items()) + ")."
                 if r.get("phase_seconds") else "."), ""]
    void = [name for name, s in r["step"].items() if s["void"]] + [
        f"{app} | {label}" for label, apps in r["signin"].items() for app, s in apps.items() if s["void"]]
    if void:
        lines += [f"**VOID RUN**: flows that did not sign in: {', '.join(void)}.", ""]
    targets = []

    lines += ["### Whole sign-in: portal, Flask-Security-Too (FST) and the floor, interleaved, one at a time", "",
              "Sign-in page, email and password, challenge page, code, landing page; server CPU of all the app's "
              "processes per sign-in; argon2id at production cost (t=3, m=64 MiB, p=4) for all three. \"Everything "
              "but the hash\" is measured on sign-ins by people whose stored hash is argon2id at its cheapest, paired "
              "one for one with the production ones.", "",
              "| database | app | CPU ms per sign-in | everything but the hash, CPU ms | ÷ argon2id verify | "
              "portal ÷ this app, everything but the hash | hash as the server paid it, ms | p50 / p95 ms | "
              "cheap-hash p50 ms | signed in |",
              "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for label, apps in r["signin"].items():
        portal = apps["portal"]
        for name in APPS:
            s = apps.get(name)
            if s is None:
                continue
            around = s["around_hash_cpu_ms"]
            share = around / s["hash_cpu_ms"]
            versus = portal["around_hash_cpu_ms"] / around if around > 0 else float("inf")
            lines.append(f"| {label} | {name} | {_ms(s['cpu_ms'])} | {_ms(around)} | {share:.1%} | "
                         f"{'–' if name == 'portal' else f'{versus:.2f}×'} | {_ms(s['cpu_ms'] - s['cheap_cpu_ms'])} | "
                         f"{_ms(s['p50_ms'])} / {_ms(s['p95_ms'])} | {_ms(s['cheap_p50_ms'])} | "
                         f"{s['signed_in']}/{s['signins']} |")
        targets.append((f"(a) portal: everything around the hash ≤ 10% of the hash ({label})",
                        portal["around_hash_cpu_ms"] / portal["hash_cpu_ms"] <= TARGETS["around_hash"],
                        f"{portal['around_hash_cpu_ms'] / portal['hash_cpu_ms']:.1%}"))
        if "FST" in apps:
            fst = apps["FST"]
            ratio = portal["around_hash_cpu_ms"] / fst["around_hash_cpu_ms"]
            each = _round_ratios(portal["round_cheap_cpu_ms"], fst["round_cheap_cpu_ms"])
            targets.append((f"(b) portal's everything-but-the-hash ≤ 0.5× FST's ({label})",
                            ratio <= TARGETS["vs_fst"], f"{ratio:.2f}× (each round {each})"))
    any_apps = next(iter(r["signin"].values()), {})
    if any_apps:
        one = next(iter(any_apps.values()))
        lines += ["", f"argon2id verify alone (argon2-cffi, in the benchmark's process): {_ms(one['hash_cpu_ms'])} ms "
                  f"of CPU; at its cheapest {one['cheapest_hash_cpu_ms']:.3f} ms, subtracted from the cheap-hash "
                  "sign-ins. Each round's ratio, portal ÷ FST, everything but the hash: " + "; ".join(
                      f"{label} {_round_ratios(a['portal']['round_cheap_cpu_ms'], a['FST']['round_cheap_cpu_ms'])}"
                      for label, a in r["signin"].items() if "FST" in a) + "."]
    if r.get("signin_statements"):
        lines += ["", "SQL per sign-in request, statements in transactions (counted in-process on a fresh person; on "
                  "PostgreSQL each statement is a round trip, and so are each transaction's BEGIN and its COMMIT or "
                  "ROLLBACK):", "", "| database | app | " + " | ".join(
                      q["request"] for q in next(iter(r["signin_statements"].values()))["portal"]) + " |",
                  "| --- | --- |" + " --- |" * len(next(iter(r["signin_statements"].values()))["portal"])]
        for label, per_app in r["signin_statements"].items():
            for name in APPS:
                if name in per_app:
                    lines.append(f"| {label} | {name} | " + " | ".join(
                        f"{q['statements']} in {q['transactions']}" for q in per_app[name]) + " |")

    lines += ["", "### Second-factor step alone: portal vs floor (information; server CPU per request; latency at "
              f"{r['args']['concurrency']} in flight)", "",
              "| database | floor CPU ms | portal CPU ms | portal ÷ floor | each round's ratio | "
              "database server CPU ms, floor / portal | floor p50 / p95 ms | portal p50 / p95 ms | flows signed in |",
              "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for label in _labels(r["step"]):
        floor, portal = r["step"][f"floor | {label}"], r["step"][f"portal | {label}"]
        ratio = portal["cpu_ms"] / floor["cpu_ms"] if floor["cpu_ms"] else float("inf")
        spread = _round_ratios(portal.get("round_cpu_ms", []), floor.get("round_cpu_ms", []))
        database = (f"{_ms(floor['database_cpu_ms'])} / {_ms(portal['database_cpu_ms'])}"
                    if portal.get("database_cpu_ms") else "in the workers")
        lines.append(f"| {label} | {_ms(floor['cpu_ms'])} | {_ms(portal['cpu_ms'])} | {ratio:.2f}× | {spread} | "
                     f"{database} | {_ms(floor['p50_ms'])} / {_ms(floor['p95_ms'])} | {_ms(portal['p50_ms'])} / "
                     f"{_ms(portal['p95_ms'])} | {portal['signed_in']}/{portal['flows']} portal, "
                     f"{floor['signed_in']}/{floor['flows']} floor |")
    if r.get("statements"):
        lines += ["", "SQL per second-factor step (counted in-process on a fresh person): " + "; ".join(
            f"{label}: portal {c['portal']['statements']} statements in {c['portal']['commits']} commits, floor "
            f"{c['floor']['statements']} in {c['floor']['commits']}" for label, c in r["statements"].items()) + "."]

    lines += ["", "### Growth: the portal's second-factor step at each size", "",
              "| database | users | CPU ms, 8 in flight | CPU vs smallest (target ≤ 1.1) | "
              "one at a time: p50 / p95 ms | CPU ms | p50 vs smallest |",
              "| --- | --- | --- | --- | --- | --- | --- |"]
    for kind in dict.fromkeys(label.split()[0] for label in _labels(r["step"])):
        sizes = [label for label in _labels(r["step"]) if label.split()[0] == kind]
        base = r["step"][f"portal | {sizes[0]}"]
        for label in sizes:
            s = r["step"][f"portal | {label}"]
            cpu = s["cpu_ms"] / base["cpu_ms"]
            if label != sizes[0]:
                targets.append((f"(c) second-factor CPU at {label.split()[1]} people ≤ 1.1× at {sizes[0].split()[1]} "
                                f"({kind})", cpu <= TARGETS["growth"], f"{cpu:.2f}×"))
            p50 = (f"{s['alone_p50_ms'] / base['alone_p50_ms']:.2f}×" if s.get("alone_p50_ms") and
                   base.get("alone_p50_ms") else "-")
            lines.append(f"| {kind} | {label.split()[1]} | {_ms(s['cpu_ms'])} | {cpu:.2f}× | "
                         f"{_ms(s.get('alone_p50_ms'))} / {_ms(s.get('alone_p95_ms'))} | "
                         f"{_ms(s.get('alone_cpu_ms'))} | {p50} |")

    lines += ["", "### Admin > Agents: server time and SQL statements per page (median of 5, in-process)", "",
              "| database | agents | page | server ms | SQL statements |", "| --- | --- | --- | --- | --- |"]
    for row in r["admin"]:
        lines.append(f"| {row['database']} | {row['agents']:,} | {row['page']} | {_ms(row['server_ms'])} | "
                     f"{row['queries']} |")
    counts = {row["queries"] for row in r["admin"]}
    targets.append(("(d) constant SQL statements per admin list page", len(counts) == 1,
                    ", ".join(str(c) for c in sorted(counts))))

    if r.get("pages"):
        lines += ["", "### Page weight (Chromium; every request the page makes)", "",
                  "| page | requests | HTML bytes | CSS bytes | JS bytes | total bytes | third-party |",
                  "| --- | --- | --- | --- | --- | --- | --- |"]
        for p in r["pages"]:
            shown = p["page"] + ("" if p["landed_on"] == p["path"].split("?")[0] else f" (→ {p['landed_on']})")
            lines.append(f"| {shown} | {p['requests']} | {p['html_bytes']:,} | {p['css_bytes']:,} | "
                         f"{p['js_bytes']:,} | {p['total_bytes']:,} | {p['third_party']} |")
        heaviest = max(r["pages"], key=lambda p: p["total_bytes"])
        targets.append(("(e) every page ≤ 30 KB", heaviest["total_bytes"] <= TARGETS["page_bytes"],
                        f"heaviest {heaviest['total_bytes']:,} B ({heaviest['page']})"))
        third = sum(p["third_party"] for p in r["pages"])
        targets.append(("(e) no third-party request", third == 0, str(third)))

    targets.sort(key=lambda t: t[0][:3])
    lines += ["", "### Targets", "", "| target | measured | |", "| --- | --- | --- |"]
    lines += [f"| {name} | {value} | {_mark(ok)} |" for name, ok, value in targets]
    r["targets"] = [{"target": name, "met": ok, "measured": value} for name, ok, value in targets]
    return "\n".join(lines) + "\n"


def _round_ratios(a: list, b: list) -> str:
    ratios = [x / y for x, y in zip(a, b) if y]
    return f"{min(ratios):.2f}–{max(ratios):.2f}×" if ratios else "-"


def _labels(step: dict) -> list[str]:
    return list(dict.fromkeys(name.split(" | ", 1)[1] for name in step))


def _args(args: dict) -> str:
    defaults = {"large": 1_000_000, "small": 1_000, "admin_agents": 100_000, "databases": "sqlite,postgresql",
                "rounds": 5, "flows": 120, "sequential": 30, "warmup": 20, "signins": 60, "concurrency": 8,
                "workers": 4, "no_pages": False}
    parts = []
    for key, default in defaults.items():
        if args.get(key) != default:
            flag = "--" + key.replace("_", "-")
            parts.append(flag if isinstance(default, bool) else f"{flag} {args[key]}")
    return " ".join(parts)


def write(out_dir: str, result: dict, markdown: str) -> None:
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "latest.md"), "w") as fh:
        fh.write(markdown)
    with open(os.path.join(out_dir, "latest.json"), "w") as fh:
        json.dump(result, fh, indent=2, default=str)
