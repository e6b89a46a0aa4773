"""A person's browser, reduced to what the system suite needs: cookies, CSRF tokens from the page, no redirects
followed unless asked. Built on http.client (one connection per request, as separate browsers would)."""
import html
import http.client
import re
import urllib.parse
from dataclasses import dataclass
from http.cookies import SimpleCookie

TOKEN = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


@dataclass
class Page:
    status: int
    headers: dict
    body: str

    @property
    def location(self) -> str | None:
        loc = self.headers.get("location")
        return urllib.parse.urlsplit(loc).path if loc else None

    @property
    def text(self) -> str:
        """What a person reads: tags stripped, entities decoded, whitespace collapsed."""
        return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", self.body)).split())

    def token(self) -> str:
        match = TOKEN.search(self.body)
        assert match, f"no CSRF token on the page ({self.status}): {self.text[:200]}"
        return html.unescape(match.group(1))


class Browser:
    def __init__(self, base_url: str, cookies: dict | None = None, timeout: float = 60):
        parts = urllib.parse.urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.cookies = dict(cookies or {})
        self.timeout = timeout

    def clone(self) -> "Browser":
        """Another tab (or a copied cookie) holding the same session."""
        return Browser(f"http://{self.host}:{self.port}", self.cookies, self.timeout)

    def request(self, method: str, path: str, form: dict | None = None) -> Page:
        body = urllib.parse.urlencode(form or {}) if form is not None else None
        headers = {"Host": f"{self.host}:{self.port}"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read().decode("utf-8", "replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                self._store(header)
            return Page(response.status, {k.lower(): v for k, v in response.getheaders()}, data)
        finally:
            conn.close()

    def _store(self, header: str):
        for name, morsel in SimpleCookie(header).items():
            if morsel["max-age"] == "0" or (morsel["expires"] and "1970" in morsel["expires"]):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value

    def get(self, path: str, follow: bool = False) -> Page:
        page = self.request("GET", path)
        while follow and page.status in (301, 302, 303) and page.location:
            page = self.request("GET", page.location)
        return page

    def post(self, path: str, form: dict, token: str | None = None) -> Page:
        """Post a form with the CSRF token read from `path` (or the one given)."""
        if token is None:
            token = self.get(path).token()
        return self.request("POST", path, {"csrf_token": token, **form})

    def sign_in(self, email: str, password: str, area: str = "/agent") -> Page:
        return self.post(f"{area}/login", {"email": email, "password": password})
