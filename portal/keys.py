"""Where the portal's keys come from: the environment in production; in debug only, development keys made
once under instance/ (never committed). Outside debug the portal refuses to start without real keys."""
import json
import os
import secrets
import sys

from cryptography.fernet import Fernet

DEV_KEYS_FILE = "dev-keys.json"


class MissingKeys(RuntimeError):
    pass


def load_keys(app) -> None:
    if app.config.get("SECRET_KEY") and app.config.get("PORTAL_ENCRYPTION_KEYS"):
        return
    if not app.debug:
        raise MissingKeys(
            "SECRET_KEY and PORTAL_ENCRYPTION_KEYS must be set outside debug mode. Generate them with:\n"
            "  python -c 'import secrets; print(secrets.token_urlsafe(32))'   # SECRET_KEY\n"
            "  python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
            "   # PORTAL_ENCRYPTION_KEYS")
    path = os.path.join(app.instance_path, DEV_KEYS_FILE)
    if not os.path.exists(path):
        os.makedirs(app.instance_path, exist_ok=True)
        keys = {"SECRET_KEY": secrets.token_urlsafe(32), "PORTAL_ENCRYPTION_KEYS": Fernet.generate_key().decode()}
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(keys, fh)
        print(f"Created development keys in {path} (debug only; never commit them).", file=sys.stderr)
    with open(path) as fh:
        keys = json.load(fh)
    app.config.setdefault("SECRET_KEY", None)
    for name in ("SECRET_KEY", "PORTAL_ENCRYPTION_KEYS"):
        if not app.config.get(name):
            app.config[name] = keys[name]
