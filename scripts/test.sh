#!/usr/bin/env bash
# Sets up and runs the whole test suite (unit, flow, security, browser, system). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/system-deps.sh
scripts/browser-deps.sh
scripts/venv.sh "[dev]"
exec .venv/bin/python -m pytest "$@"
