"""The words the portal's JavaScript shows (static/portal.js, static/webauthn.js), translated like every other
message: each page carries them as a JSON block (`<script type="application/json" id="portal-words">`, data the
browser never runs, so the CSP still forbids inline scripts) that the scripts read, falling back to English."""
from flask_babel import lazy_gettext as _l

WORDS = {
    "copy_key": _l("Copy key"),
    "key_copied": _l("Key copied. Paste it into your authenticator app."),
    "copy_failed": _l("Couldn't copy. Select the key and copy it yourself."),
    "webauthn_cancelled": _l("Nothing was used: the request was cancelled or timed out. Try again."),
    "webauthn_registered": _l("This key or passkey is registered already. Use another one."),
    "webauthn_address": _l("This address can't use security keys or passkeys. Contact your helpdesk administrator."),
    "webauthn_failed": _l("Your security key or passkey couldn't be used. Try again, or use another method."),
    "webauthn_checking": _l("Checking…"),
    "webauthn_register": _l("Follow your browser to register the key…"),
    "webauthn_touch": _l("Touch your key or confirm on your device…"),
    "webauthn_choose": _l("Choose your passkey and confirm it's you…"),
    "webauthn_unavailable": _l("Passkey sign-in is unavailable right now. Sign in with your password."),
}


def script_words() -> dict:
    """The words in the language of the page being rendered."""
    return {key: str(text) for key, text in WORDS.items()}


def init_app(app) -> None:
    app.add_template_global(script_words, "script_words")
