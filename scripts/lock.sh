#!/usr/bin/env bash
# constraints.txt pins the exact version of every package the portal installs: its dependencies, the dev extra and
# the tests' example plugin (tests/plugin_pkg), so every host, developer and CI run gets the same set.
#   scripts/lock.sh           resolve afresh, in a throwaway virtualenv, to the newest versions pyproject.toml allows
#                             and rewrite constraints.txt (then run the tests and commit both files)
#   scripts/lock.sh --check   check that .venv has everything the portal, the dev extra and the plugin need, each at
#                             the version constraints.txt pins: a dependency added without re-locking fails (CI)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}

if [[ "${1:-}" == "--check" ]]; then
  exec .venv/bin/python - constraints.txt <<'EOF'
import sys
from importlib.metadata import PackageNotFoundError, distribution

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

LOCAL = {"helpdesk-portal", "portal-pin-plugin"}  # this repository's own packages: installed from here, never pinned
pins = {}
for line in open(sys.argv[1]):
    line = line.split("#", 1)[0].strip()
    if line:
        name, _, version = line.partition("==")
        pins[canonicalize_name(name)] = Version(version)

problems, seen, todo = [], set(), [("helpdesk-portal", {"dev"}), ("portal-pin-plugin", set())]
while todo:  # walk the installed requirements from the portal (with the dev extra) and the plugin
    name, extras = todo.pop()
    if (canonicalize_name(name), frozenset(extras)) in seen:
        continue
    seen.add((canonicalize_name(name), frozenset(extras)))
    try:
        dist = distribution(name)
    except PackageNotFoundError:
        problems.append(f"{name} is required but not installed")
        continue
    key = canonicalize_name(dist.metadata["Name"])
    if key not in LOCAL and key not in pins:
        problems.append(f"{dist.metadata['Name']} {dist.version} is required but constraints.txt does not pin it")
    elif key not in LOCAL and Version(dist.version) != pins[key]:
        problems.append(f"{dist.metadata['Name']} {dist.version} is installed, constraints.txt pins {pins[key]}")
    for requirement in map(Requirement, dist.requires or []):
        if requirement.marker is None or any(requirement.marker.evaluate({"extra": e}) for e in extras or {""}):
            todo.append((requirement.name, requirement.extras))

for problem in problems:
    print(problem, file=sys.stderr)
if problems:
    sys.exit("constraints.txt is out of date: run scripts/lock.sh, then the tests, and commit it with pyproject.toml")
print(f"constraints.txt: all {len({n for n, _ in seen} - LOCAL)} required packages installed at their pinned versions")
EOF
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$PY" -m venv "$tmp/venv"
# A dry run resolves without installing; --ignore-installed so nothing already present can stand in for a version.
"$tmp/venv/bin/python" -m pip install -q --disable-pip-version-check --dry-run --ignore-installed \
  --report "$tmp/report.json" ".[dev]" ./tests/plugin_pkg 2>&1 | { grep -v "^WARNING: Location" || true; }
"$tmp/venv/bin/python" - "$tmp/report.json" > "$tmp/constraints.txt" <<'EOF'
import json
import platform
import sys

LOCAL = {"helpdesk-portal", "portal-pin-plugin"}
pins = {}
for item in json.load(open(sys.argv[1]))["install"]:
    name, version = item["metadata"]["name"], item["metadata"]["version"]
    if name.lower().replace("_", "-") not in LOCAL:
        pins[name] = version
print("# Exact versions of every package the portal, its dev extra and the tests' plugin package install.")
print(f"# Written by scripts/lock.sh (Python {platform.python_version()}, {platform.system()} {platform.machine()});")
print("# don't edit by hand. Used as: pip install . -c constraints.txt (README, \"Updating dependencies\").")
for name in sorted(pins, key=str.lower):
    print(f"{name}=={pins[name]}")
EOF
mv "$tmp/constraints.txt" constraints.txt
echo "Wrote constraints.txt ($(grep -vc '^#' constraints.txt) packages); git diff constraints.txt shows what moved."
