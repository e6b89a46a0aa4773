"""The portal's public address (PORTAL_URL). Every link the portal mails — a password reset, an activation, a
new-browser notice — is built on it, never on the Host header of the request that caused the mail: otherwise a
forged Host would put an attacker's domain into a password-reset link sent from the real portal.

Outside debug and tests the portal refuses to start without it. In debug, links use the address the page was opened
at (the dev server on localhost)."""
from urllib.parse import urlsplit

from flask import current_app, url_for


class BadPublicUrl(RuntimeError):
    pass


def configure(app) -> None:
    """Check PORTAL_URL and let Flask build every external URL on it (SERVER_NAME; Flask 3.1 still serves requests
    for other host names, such as a health check by IP address)."""
    url = app.config.get("PORTAL_URL")
    if not url:
        if app.debug or app.testing:
            return
        raise BadPublicUrl("PORTAL_URL must be set outside debug mode: the address people open the portal at, "
                           "e.g. https://help.example.com. Links in emails are built on it.")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path.strip("/") or parts.query \
            or parts.fragment or parts.username or parts.password:
        raise BadPublicUrl(f"PORTAL_URL must be a scheme and host with an optional port, e.g. "
                           f"https://help.example.com (got {url!r}).")
    app.config["SERVER_NAME"] = parts.netloc.lower()
    app.config["PREFERRED_URL_SCHEME"] = parts.scheme


def public_url(endpoint: str, **values) -> str:
    """An absolute link to put in an email: on PORTAL_URL's scheme and host when it is set."""
    if current_app.config.get("PORTAL_URL"):
        values["_scheme"] = current_app.config["PREFERRED_URL_SCHEME"]
    return url_for(endpoint, _external=True, **values)
