"""Entry point for gunicorn and the flask CLI: `gunicorn wsgi:app`, `flask --app wsgi ...`."""
import sys

from portal import create_app
from portal.keys import MissingKeys

try:
    app = create_app()
except MissingKeys as exc:  # a plain message, not a traceback (README, "Command line")
    sys.exit(f"{exc}\nAgainst the development setup of scripts/dev.sh, add FLASK_DEBUG=1: it uses the development "
             "keys in instance/dev-keys.json, e.g.\n  FLASK_DEBUG=1 .venv/bin/flask --app wsgi user unlock EMAIL")
