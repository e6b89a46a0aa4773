"""An event's details in words for the security log ("with Authenticator app, “Phone”, 6 wrong codes in a row"),
not `key: value` pairs. A detail the log does not know yet is still shown, as “key: value”."""
from datetime import datetime

from flask_babel import gettext as _, lazy_gettext as _l, ngettext

from .. import dates
from ..models import SecurityEvent
from ..security_log import details
from ..twofactor import registry

KINDS = {"recovery": _l("a recovery code"), "reauth": _l("Confirm it's you"), "password": _l("a password")}
LOCKS = {"temporary": _l("locked for 15 minutes"), "admin": _l("locked until an admin unlocks it")}
DESCRIBED = {"login.success": {"how"}}  # describe() already says it
# Why a code was refused (2fa.challenge_failed, 2fa.throttled): a plain wrong code needs no words.
REFUSALS = {"wrong": "", "expired": _l("the code had expired"), "used_up": _l("too many tries for that code"),
            "no_code": _l("no code had been sent"), "throttled": _l("while the account had to wait between tries"),
            "locked": _l("while the account was locked")}
# Details that are a number of things: said only when they are one (else as “key: value”).
COUNTED = {"failures", "remaining", "removed", "count", "sessions_ended", "request"}
AREAS = {"agent": _l("at the Agent console"), "helpcenter": _l("at the Help Center")}


def _method(key) -> str:
    if key in KINDS:
        return str(KINDS[key])
    method = registry.method(key) if isinstance(key, str) else None
    return str(method.label) if method else str(key)


def _when(value) -> str:
    try:
        return dates.in_words(datetime.fromisoformat(value))
    except (TypeError, ValueError):
        return str(value)


PHRASES = {
    "method": lambda v: _("with %(method)s", method=_method(v)),
    "name": lambda v: _("“%(name)s”", name=v),
    "authenticator": lambda v: _("“%(name)s”", name=v),
    "failures": lambda v: ngettext("%(num)d failure in a row", "%(num)d failures in a row", v),
    "lock": lambda v: str(LOCKS[v]) if v in LOCKS else _("lock: %(value)s", value=v),
    "remaining": lambda v: ngettext("%(num)d recovery code left", "%(num)d recovery codes left", v),
    "removed": lambda v: ngettext("%(num)d authenticator removed", "%(num)d authenticators removed", v),
    "changes": lambda v: "; ".join(map(str, v)) if isinstance(v, list) else str(v),  # kept in English (data)
    "deadline": lambda v: _("grace period until %(when)s", when=_when(v)),
    "until": lambda v: _("until %(when)s", when=v),
    "reason": lambda v: str(REFUSALS[v]) if v in REFUSALS else _("reason: “%(reason)s”", reason=v),
    "browser": lambda v: str(v),
    "count": lambda v: ngettext("%(num)d session", "%(num)d sessions", v),
    "enforced": lambda v: _("Enforce 2FA on") if v else _("Enforce 2FA off"),
    "ip": lambda v: _("from %(ip)s", ip=v),
    "request": lambda v: _("request #%(number)d", number=v),
    "provider": lambda v: _("through %(provider)s", provider=v),
    "sessions_ended": lambda v: ngettext("%(num)d session ended", "%(num)d sessions ended", v),
    "ends": lambda v: _("ends at %(when)s", when=_when(v)),
    "area": lambda v: str(AREAS[v]) if v in AREAS else _("area: %(area)s", area=v),
}


def _is_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def detail_words(event: SecurityEvent) -> str:
    said = DESCRIBED.get(event.type, set())
    words = []
    for key, value in sorted(details(event).items()):
        if key in said:
            continue
        phrase = PHRASES.get(key)
        if phrase and (key not in COUNTED or _is_count(value)):
            words.append(phrase(value))
        else:  # not known yet, or not what it should be: as it is
            words.append(f"{key.replace('_', ' ')}: {', '.join(map(str, value)) if isinstance(value, list) else value}")
    return ", ".join(w for w in words if w)
