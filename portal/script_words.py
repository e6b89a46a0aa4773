"""The words the portal's JavaScript shows (static/portal.js, static/webauthn.js), translated like every other
message: the element a script works on carries them as JSON in its `data-words` attribute (the setup key, a
security-key form), and the scripts read them there, falling back to English."""
from flask_babel import lazy_gettext as _l

GROUPS = {"copy": ("copy_key", "key_copied", "copy_failed")}  # the rest: "webauthn"
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


def script_words(group: str) -> dict:
    """One script's words (group "copy" or "webauthn") in the language of the page being rendered:
    `data-words='{{ script_words("copy")|tojson }}'` (single quotes: tojson escapes them inside)."""
    keys = GROUPS.get(group) or [key for key in WORDS if key.startswith(group + "_")]
    return {key: str(WORDS[key]) for key in keys}


def init_app(app) -> None:
    app.add_template_global(script_words, "script_words")
