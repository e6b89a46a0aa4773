#!/usr/bin/env bash
# Creates .venv (if missing) and installs the portal into it. Usage: scripts/venv.sh [extras]
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".${1:-}" 2>&1 | grep -v "^WARNING: Location" || true
# With the dev extra, also the tests' example third-party 2FA plugin (tests/plugin_pkg), installed with pip the
# way any outside plugin package is (README, "Writing a 2FA plugin").
if [[ "${1:-}" == *dev* ]]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check ./tests/plugin_pkg 2>&1 | grep -v "^WARNING: Location" || true
fi
