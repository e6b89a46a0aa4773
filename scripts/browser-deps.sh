#!/usr/bin/env bash
# Installs axe-core (the accessibility engine the browser tests inject into every page) from the npm registry
# into tests/browser/.axe (git-ignored). Installs Debian's npm first when it is missing. Idempotent and quick.
set -euo pipefail
cd "$(dirname "$0")/.."
AXE=tests/browser/.axe/node_modules/axe-core/axe.min.js
[ -f "$AXE" ] && exit 0
if ! command -v npm >/dev/null 2>&1; then
  echo "Installing npm from Debian packages..."
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq npm >/dev/null
fi
echo "Installing axe-core from the npm registry..."
npm install --prefix tests/browser/.axe --no-audit --no-fund --silent axe-core@4 >/dev/null
test -f "$AXE"
