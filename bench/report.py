"""The benchmark's table: the machine and versions it ran on, each measurement, and each target met or missed."""
import json
import os
import platform
import sqlite3
import subprocess
from datetime import datetime, timezone
from importlib.metadata import version

PACKAGES = ["Flask", "Werkzeug", "SQLAlchemy", "Flask-SQLAlchemy", "Flask-Login", "Flask-WTF", "limits",
            "gunicorn", "psycopg", "argon2-cffi", "pyotp", "cryptography"]
TARGETS = {"step": 1.25, "signin": 0.10, "growth": 1.10, "page_bytes": 30 * 1024}


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
             f"Run: `python bench/run.py {_args(r['args'])}` took {r.get('seconds', '?')} s.", ""]
    void = [name for name, s in r["step"].items() if s["void"]] + [n for n, s in r["signin"].items() if s["void"]]
    if void:
        lines += [f"**VOID RUN**: flows that did not sign in: {', '.join(void)}.", ""]
    targets = []

    lines += ["### Second-factor step: portal vs floor (server CPU per request; latency at "
              f"{r['args']['concurrency']} in flight)", "",
              "| database | floor CPU ms | portal CPU ms | ratio (target ≤ 1.25) | each round's ratio | "
              "database server CPU ms, floor / portal | floor p50 / p95 ms | portal p50 / p95 ms | flows signed in |",
              "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for label in _labels(r["step"]):
        floor, portal = r["step"][f"floor | {label}"], r["step"][f"portal | {label}"]
        ratio = portal["cpu_ms"] / floor["cpu_ms"] if floor["cpu_ms"] else float("inf")
        targets.append((f"step CPU ≤ 1.25× floor ({label})", ratio <= TARGETS["step"], f"{ratio:.2f}×"))
        rounds = [p / f for p, f in zip(portal.get("round_cpu_ms", []), floor.get("round_cpu_ms", [])) if f]
        spread = f"{min(rounds):.2f}–{max(rounds):.2f}×" if rounds else "-"
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
    lines += ["", "### Whole sign-in (sign-in page, password, challenge page, code) with production argon2id, "
              "one at a time", "",
              "| database | CPU ms per sign-in | argon2id verify CPU ms | CPU ms around the hash | hash share | "
              "overhead beyond the hash (target ≤ 10%) | hash as the server paid it, ms | p50 / p95 ms | signed in |",
              "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for label, s in r["signin"].items():
        around = s["around_hash_cpu_ms"]
        overhead = around / s["hash_cpu_ms"]
        targets.append((f"sign-in overhead beyond the hash ≤ 10% ({label})", overhead <= TARGETS["signin"],
                        f"{overhead:.1%}"))
        lines.append(f"| {label} | {_ms(s['cpu_ms'])} | {_ms(s['hash_cpu_ms'])} | {_ms(around)} | "
                     f"{s['hash_cpu_ms'] / (s['hash_cpu_ms'] + around):.0%} | {overhead:.1%} | "
                     f"{_ms(s['cpu_ms'] - around)} | {_ms(s['p50_ms'])} / {_ms(s['p95_ms'])} | "
                     f"{s['signed_in']}/{s['requests']} |")
    if r.get("signin_statements"):
        lines += ["", "SQL per sign-in (counted in-process on a fresh person; on PostgreSQL each statement is a round "
                  "trip, and so are each transaction's BEGIN and its COMMIT or ROLLBACK): " + "; ".join(
                      f"{label}: " + ", ".join(f"{q['request']} {q['statements']} in {q['transactions']}"
                                               for q in requests)
                      for label, requests in r["signin_statements"].items()) + "."]

    lines += ["", "### Growth: the portal's second-factor step at each size (one request at a time; under load "
              "in the step table)", "",
              "| database | users | p50 / p95 ms | CPU ms | p50 vs smallest (target ≤ 1.1) | CPU vs smallest |",
              "| --- | --- | --- | --- | --- | --- |"]
    for kind in dict.fromkeys(label.split()[0] for label in _labels(r["step"])):
        sizes = [label for label in _labels(r["step"]) if label.split()[0] == kind]
        base = r["step"][f"portal | {sizes[0]}"]
        for label in sizes:
            s = r["step"][f"portal | {label}"]
            ratio = s["alone_p50_ms"] / base["alone_p50_ms"]
            if label != sizes[0]:
                targets.append((f"p50 at {label.split()[1]} users ≤ 1.1× at {sizes[0].split()[1]} ({kind})",
                                ratio <= TARGETS["growth"], f"{ratio:.2f}×"))
            lines.append(f"| {kind} | {label.split()[1]} | {_ms(s['alone_p50_ms'])} / {_ms(s['alone_p95_ms'])} | "
                         f"{_ms(s['alone_cpu_ms'])} | {ratio:.2f}× | {s['alone_cpu_ms'] / base['alone_cpu_ms']:.2f}× |")

    lines += ["", "### Admin > Agents: server time and SQL statements per page (median of 5, in-process)", "",
              "| database | agents | page | server ms | SQL statements |", "| --- | --- | --- | --- | --- |"]
    for row in r["admin"]:
        lines.append(f"| {row['database']} | {row['agents']:,} | {row['page']} | {_ms(row['server_ms'])} | "
                     f"{row['queries']} |")
    counts = {row["queries"] for row in r["admin"]}
    targets.append(("constant SQL statements per admin list page", len(counts) == 1,
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
        targets.append(("every page ≤ 30 KB", heaviest["total_bytes"] <= TARGETS["page_bytes"],
                        f"heaviest {heaviest['total_bytes']:,} B ({heaviest['page']})"))
        third = sum(p["third_party"] for p in r["pages"])
        targets.append(("no third-party request", third == 0, str(third)))

    lines += ["", "### Targets", "", "| target | measured | |", "| --- | --- | --- |"]
    lines += [f"| {name} | {value} | {_mark(ok)} |" for name, ok, value in targets]
    r["targets"] = [{"target": name, "met": ok, "measured": value} for name, ok, value in targets]
    return "\n".join(lines) + "\n"


def _labels(step: dict) -> list[str]:
    return list(dict.fromkeys(name.split(" | ", 1)[1] for name in step))


def _args(args: dict) -> str:
    defaults = {"large": 1_000_000, "small": 1_000, "admin_agents": 100_000, "databases": "sqlite,postgresql",
                "rounds": 5, "flows": 120, "sequential": 30, "signins": 40, "concurrency": 8, "workers": 4, "no_pages": False}
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
