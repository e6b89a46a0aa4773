"""Who must have a second factor, and whether they may still skip setting one up (the grace period)."""
from dataclasses import dataclass
from datetime import datetime

from .. import clock
from ..models import User
from ..settings import get_setting, grace_until


@dataclass
class Requirement:
    required: bool
    skip_allowed: bool = False
    deadline: datetime | None = None


def requirement(user: User) -> Requirement:
    """2FA is required for agents when the admin requires it for all agents or enforces it for this agent,
    and for end users when the admin requires it for the help center. Skipping is allowed strictly before the
    grace deadline (`now >= deadline` means it has passed), and never again for someone whose 2FA was removed."""
    if user.is_agent:
        required = bool(get_setting("require_agents_2fa") or user.enforce_2fa)
    else:
        required = bool(get_setting("require_end_users_2fa"))
    if not required:
        return Requirement(False)
    deadline = grace_until()
    skip = deadline is not None and clock.now() < deadline and not user.skip_forfeited
    return Requirement(True, skip, deadline)


def needs_setup(user: User) -> bool:
    return requirement(user).required and not user.confirmed_authenticators
