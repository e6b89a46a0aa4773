"""Security headers on every response: a CSP without inline script or style, no framing, no sniffing, no
Referer leak; pages are never stored by the browser or a proxy (static files may be); HSTS over HTTPS.

They are added as the response leaves the app (a WSGI wrapper around the Flask app), from lists built once: one
list extend per response. A view may send its own Content-Security-Policy (portal.dev_outbox does); every
other header here is the portal's alone.
"""
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
EVERY_RESPONSE = [
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"),
]
# Sign-in, setup and recovery-code pages hold secrets: nothing dynamic is kept in any cache.
NOT_STORED = [("Cache-Control", "no-store"), ("Pragma", "no-cache")]
_CACHING = frozenset({"cache-control", "pragma"})


class SecurityHeaders:
    """WSGI middleware: `app.wsgi_app = SecurityHeaders(app.wsgi_app, app.static_url_path)`."""

    def __init__(self, wsgi_app, static_url_path: str):
        self.wsgi_app = wsgi_app
        self.static_prefix = static_url_path.rstrip("/") + "/"

    def __call__(self, environ, start_response):
        def start(status, headers, exc_info=None):
            names = {name.lower() for name, _ in headers}
            if "content-security-policy" not in names:
                headers.append(("Content-Security-Policy", CSP))
            headers += EVERY_RESPONSE
            if not environ.get("PATH_INFO", "").startswith(self.static_prefix):
                if names & _CACHING:
                    headers[:] = [h for h in headers if h[0].lower() not in _CACHING]
                headers += NOT_STORED
            if environ.get("wsgi.url_scheme") in ("https", "wss"):  # after ProxyFix, when behind a proxy
                headers.append(HSTS)
            return start_response(status, headers, exc_info)
        return self.wsgi_app(environ, start)


def init_app(app) -> None:
    app.wsgi_app = SecurityHeaders(app.wsgi_app, app.static_url_path)
