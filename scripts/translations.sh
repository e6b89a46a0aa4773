#!/usr/bin/env bash
# The portal's translations (Flask-Babel; docs/architecture.md, "Languages and time zones").
#   scripts/translations.sh update    extract every message from portal/ and templates/ into
#                                     portal/translations/messages.pot and merge it into each language's .po
#                                     (then translate the new entries and run `check`)
#   scripts/translations.sh compile   build the .mo files the portal reads (scripts/venv.sh does it at install)
#   scripts/translations.sh check     fail if any message lacks a German or French translation, or a catalog has
#                                     fuzzy entries (CI)
#   scripts/translations.sh add xx    start a catalog for a new language
set -euo pipefail
cd "$(dirname "$0")/.."
PYBABEL=.venv/bin/pybabel
DIR=portal/translations
KEYWORDS=(-k _l -k lazy_gettext -k lazy_ngettext:1,2 -k lazy_pgettext:1c,2)

extract() {  # $1: where to write the template
  "$PYBABEL" -q extract -F babel.cfg "${KEYWORDS[@]}" --no-location --sort-output -o "$1" .
}

case "${1:-}" in
  update)
    extract "$DIR/messages.pot"
    "$PYBABEL" -q update --no-fuzzy-matching --ignore-obsolete --width 120 -i "$DIR/messages.pot" -d "$DIR"
    ;;
  compile)
    "$PYBABEL" -q compile -d "$DIR"
    ;;
  add)
    "$PYBABEL" -q init -i "$DIR/messages.pot" -d "$DIR" -l "$2"
    ;;
  check)
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    extract "$tmp/messages.pot"
    exec .venv/bin/python scripts/check_translations.py "$tmp/messages.pot" "$DIR"
    ;;
  *)
    echo "usage: $0 update|compile|check|add <language>" >&2
    exit 2
    ;;
esac
