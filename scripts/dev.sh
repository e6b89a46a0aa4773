#!/usr/bin/env bash
# Sets up and starts the portal on the embedded default: SQLite under instance/, development keys made on
# first run, demo accounts, mail kept in the dev outbox. No environment variables needed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/venv.sh
export FLASK_APP=wsgi FLASK_DEBUG=1
.venv/bin/flask db upgrade >/dev/null
.venv/bin/flask demo
PORT=${PORT:-5000}
echo
echo "Portal: http://127.0.0.1:${PORT}/  (help center)  ·  http://127.0.0.1:${PORT}/agent/  (agent console)"
echo "Mail in development: http://127.0.0.1:${PORT}/dev/outbox/"
exec .venv/bin/flask run --port "$PORT"
