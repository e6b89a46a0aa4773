"""An event's details in words for the security log ("with Authenticator app, “Phone”, 6 wrong codes in a row"),
not `key: value` pairs. A detail the log does not know yet is still shown, as “key: value”."""
from datetime import datetime

from .. import dates
from ..models import SecurityEvent
from ..security_log import details
from ..twofactor import registry

KINDS = {"recovery": "a recovery code", "reauth": "Confirm it's you", "password": "a password"}
LOCKS = {"temporary": "locked for 15 minutes", "admin": "locked until an admin unlocks it"}
DESCRIBED = {"login.success": {"how"}}  # describe() already says it
# Why a code was refused (2fa.challenge_failed, 2fa.throttled): a plain wrong code needs no words.
REFUSALS = {"wrong": "", "expired": "the code had expired", "used_up": "too many tries for that code",
            "no_code": "no code had been sent", "throttled": "while the account had to wait between tries",
            "locked": "while the account was locked"}


def _method(key) -> str:
    if key in KINDS:
        return KINDS[key]
    method = registry.method(key) if isinstance(key, str) else None
    return method.label if method else str(key)


def _plural(n, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _when(value) -> str:
    try:
        return dates.in_words(datetime.fromisoformat(value))
    except (TypeError, ValueError):
        return str(value)


PHRASES = {
    "method": lambda v: f"with {_method(v)}",
    "name": lambda v: f"“{v}”",
    "authenticator": lambda v: f"“{v}”",
    "failures": lambda v: f"{_plural(v, 'failure', 'failures')} in a row",
    "lock": lambda v: LOCKS.get(v, f"lock: {v}"),
    "remaining": lambda v: f"{_plural(v, 'recovery code', 'recovery codes')} left",
    "removed": lambda v: f"{_plural(v, 'authenticator', 'authenticators')} removed",
    "changes": lambda v: "; ".join(map(str, v)) if isinstance(v, list) else str(v),
    "deadline": lambda v: f"grace period until {_when(v)}",
    "until": lambda v: f"until {v}",
    "reason": lambda v: REFUSALS[v] if v in REFUSALS else f"reason: “{v}”",
    "browser": lambda v: str(v),
    "count": lambda v: _plural(v, "session", "sessions"),
    "enforced": lambda v: "Enforce 2FA on" if v else "Enforce 2FA off",
    "ip": lambda v: f"from {v}",
}


def detail_words(event: SecurityEvent) -> str:
    said = DESCRIBED.get(event.type, set())
    words = []
    for key, value in sorted(details(event).items()):
        if key in said:
            continue
        phrase = PHRASES.get(key)
        words.append(phrase(value) if phrase else
                     f"{key.replace('_', ' ')}: {', '.join(map(str, value)) if isinstance(value, list) else value}")
    return ", ".join(w for w in words if w)
