#!/usr/bin/env bash
# Sets up and starts the portal on the embedded default: SQLite under instance/, development keys made on
# first run, demo accounts, mail kept in the dev outbox. No environment variables needed.
# EXAMPLE_PLUGIN=1 scripts/dev.sh also installs the example third-party 2FA plugin (tests/plugin_pkg, "Security
# PIN"): add it in Admin › Plugins › Add New Plugin.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\n==> %s\n' "$*"; }
say "Installing the portal and its pinned dependencies into .venv (the first run takes a minute or two)"
scripts/venv.sh
if [[ "${EXAMPLE_PLUGIN:-}" == 1 ]]; then
  say "Installing the example 2FA plugin (tests/plugin_pkg) with pip, as any outside plugin is installed"
  .venv/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt ./tests/plugin_pkg 2>&1 \
    | { grep -v "^WARNING: Location" || true; }
fi
export FLASK_APP=wsgi FLASK_DEBUG=1
say "Creating or upgrading the database (SQLite in instance/; development keys made on the first run)"
.venv/bin/flask db upgrade >/dev/null
say "Creating the demo accounts"
.venv/bin/flask demo
PORT=${PORT:-5000}
echo
echo "Portal: http://localhost:${PORT}/  (help center)  ·  http://localhost:${PORT}/agent/  (agent console)"
echo "(open it as localhost, not 127.0.0.1: browsers offer security keys and passkeys only on a domain name)"
echo "Mail in development: http://localhost:${PORT}/dev/outbox/"
echo "Admin command line against this setup: FLASK_DEBUG=1 .venv/bin/flask --app wsgi user --help"
exec .venv/bin/flask run --port "$PORT"
