#!/usr/bin/env bash
# Creates .venv (if missing) and installs the portal into it at the exact versions of constraints.txt (made by
# scripts/lock.sh). Usage: scripts/venv.sh [extras]. A failed install stops the script.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
pip_install() {  # pip's own exit status, without this machine's notes about package index locations
  .venv/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt "$@" 2>&1 \
    | { grep -v "^WARNING: Location" || true; }
}
pip_install -e ".${1:-}"
# With the dev extra, also the tests' example third-party 2FA plugin (tests/plugin_pkg), installed with pip the
# way any outside plugin package is (README, "Writing a 2FA plugin").
if [[ "${1:-}" == *dev* ]]; then
  # The plugin ships its own catalogs (its Flask-Babel domain): compiled first, installed as its package data.
  .venv/bin/pybabel -q compile -D portal_pin_plugin -d tests/plugin_pkg/portal_pin_plugin/translations
  pip_install ./tests/plugin_pkg
fi
# The translations the portal reads (portal/translations/*/LC_MESSAGES/messages.mo) are built here, not committed.
scripts/translations.sh compile
