"""What a phone would do: read the QR code off the screen (zbarimg) and compute the code (oathtool)."""
import subprocess
from datetime import datetime
from urllib.parse import parse_qs, urlparse


def decode_qr(locator, path: str) -> str:
    """Screenshot the element holding the QR code and decode it back to its otpauth:// URI."""
    locator.screenshot(path=path)
    result = subprocess.run(["zbarimg", "--raw", "-q", path], capture_output=True, text=True)
    assert result.returncode == 0, "zbarimg could not read the QR code"
    return result.stdout.strip()


def secret_of(uri: str) -> str:
    parsed = urlparse(uri)
    assert parsed.scheme == "otpauth" and parsed.netloc == "totp", uri
    return parse_qs(parsed.query)["secret"][0]


def oathtool_code(secret: str, clock) -> str:
    epoch = int((clock.now() - datetime(1970, 1, 1)).total_seconds())
    return subprocess.run(["oathtool", "--totp", "-b", "--now", f"@{epoch}", secret],
                          capture_output=True, text=True, check=True).stdout.strip()


def sign_in(page, base: str, email: str, password: str, area: str = "/agent") -> None:
    page.goto(f"{base}{area}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def register(page, base: str, sink, name: str, email: str, password: str) -> str:
    """Register at /register as a person would, open the link in the email (read from the real SMTP server `sink`)
    and select "Activate my account". Returns the link."""
    import re

    page.goto(f"{base}/register")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Create account").click()
    page.get_by_role("heading", name="Check your email").wait_for()
    match = re.search(r"https?://\S+/register/activate/[A-Za-z0-9_-]+", sink.text(sink.latest(email)))
    assert match, "the email has no activation link"
    page.goto(match.group(0))
    page.get_by_role("button", name="Activate my account").click()
    return match.group(0)
