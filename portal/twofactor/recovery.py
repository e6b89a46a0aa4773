"""Recovery codes: ten one-time codes a person keeps on paper for the day their authenticator is lost.

Each code is 10 Crockford base32 characters (about 50 bits), shown as `xxxxx-xxxxx`, and stored only as an
argon2id hash, one row per code with `used_at`. A code is spent with one conditional UPDATE
(`... WHERE used_at IS NULL`), so two requests racing with the same code cannot both win. A new set replaces
the old one. The clear codes exist only while they are shown: encrypted, in this browser's state on the server,
for a few minutes after they were made, then gone.
"""
import json
import secrets

from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, update

from .. import clock, crypto, passwords, security_log, sessions
from ..extensions import db
from ..models import RecoveryCode, User
from ..notify import security_notice
from .base import Outcome

COUNT = 10
LENGTH = 10
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
# Crockford decoding: letters people confuse with digits read as those digits.
_READ_AS = str.maketrans({"I": "1", "L": "1", "O": "0"})

STATE_KEY = "recovery_codes"  # the new set, kept on the server for this browser (portal.sessions)
SHOW_SECONDS = 15 * 60  # how long a new set stays readable (page, download, print) after it was made

MESSAGES = {
    Outcome.WRONG: _l("That recovery code isn't right. Check it against your saved codes and try again."),
    Outcome.REPLAY: _l("That recovery code has already been used. Each code works once: use another one."),
}
DUE_MESSAGE = _l("You have no recovery codes yet. Make a set now: they let you sign in if you lose your "
                 "authenticator.")
FORMAT_MESSAGE = _l("A recovery code is 10 letters and digits, like 4F7KQ-9XH2M.")


def display(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


def normalise(text: str | None) -> str | None:
    """The code as stored (upper case, no spaces or dashes), or None if it cannot be a recovery code."""
    code = "".join((text or "").split()).replace("-", "").upper().translate(_READ_AS)
    if len(code) != LENGTH or any(c not in ALPHABET for c in code):
        return None
    return code


def well_formed(text: str | None) -> bool:
    return normalise(text) is not None


def generate(user: User, replacing: bool = False) -> list[str]:
    """Make a new set for `user` (the old set, used or not, stops working) and return it for showing once.
    The caller's flow commits; the hashes are computed before the database is touched."""
    codes = ["".join(secrets.choice(ALPHABET) for _ in range(LENGTH)) for _ in range(COUNT)]
    hashes = [passwords.hasher("code").hash(code) for code in codes]
    now = clock.now()
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=h, created_at=now) for h in hashes)
    user.recovery_codes_due = False
    if replacing:
        security_log.record("2fa.recovery_regenerated", user, actor=user)
        security_notice(user, "2fa.recovery_regenerated")
    shown = [display(code) for code in codes]
    stash(shown)
    return shown


def remaining(user: User) -> int:
    return db.session.scalar(db.select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0


def made(user: User) -> int:
    """How many codes the person's current set has (used or not): 0 when they never made a set."""
    return db.session.scalar(db.select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id)) or 0


def use(user: User, text: str) -> Outcome:
    """Spend the matching code: OK once, REPLAY for a code already spent (even a moment ago by a parallel
    request), WRONG otherwise. Only call it under the failure budget (lockout.guarded)."""
    code = normalise(text)
    if code is None:
        return Outcome.WRONG
    rows = db.session.execute(db.select(RecoveryCode.id, RecoveryCode.code_hash, RecoveryCode.used_at)
                              .where(RecoveryCode.user_id == user.id)).all()
    for row_id, code_hash, used_at in rows:
        if not _matches(code_hash, code):
            continue
        if used_at is not None:
            return Outcome.REPLAY
        won = db.session.execute(
            update(RecoveryCode).where(RecoveryCode.id == row_id, RecoveryCode.used_at.is_(None))
            .values(used_at=clock.now()).execution_options(synchronize_session=False)
        ).rowcount
        return Outcome.OK if won == 1 else Outcome.REPLAY
    return Outcome.WRONG


def announce_use(user: User) -> None:
    """Log the use and email the owner (a used code they don't recognise means someone else has their codes)."""
    left = remaining(user)
    security_log.record("2fa.recovery_used", user, remaining=left)
    security_notice(user, "2fa.recovery_used", remaining=left)


def _matches(code_hash: str, code: str) -> bool:
    try:
        return passwords.hasher("code").verify(code_hash, code)
    except (VerificationError, InvalidHashError):
        return False


# --- The new set, readable for a few minutes by this browser alone (kept on the server, encrypted) ----------------

def stash(codes: list[str]) -> None:
    """Keep the new set for showing once (the caller commits)."""
    sessions.keep(STATE_KEY, {"codes": crypto.encrypt(json.dumps(codes)), "at": clock.epoch(clock.now())})


def unseen() -> list[str] | None:
    """The set made a moment ago for this browser, while it may still be shown, else None."""
    kept = sessions.state(STATE_KEY)
    if not isinstance(kept, dict) or not isinstance(kept.get("at"), (int, float)):
        return None
    if not 0 <= clock.epoch(clock.now()) - kept["at"] <= SHOW_SECONDS:
        return None
    try:
        codes = json.loads(crypto.decrypt(kept["codes"]))
    except (crypto.SecretsUnavailable, ValueError, TypeError, KeyError):
        return None
    return codes if isinstance(codes, list) else None


def forget() -> None:
    """The person has saved them: they are gone from the server (the caller commits)."""
    sessions.drop(STATE_KEY)
