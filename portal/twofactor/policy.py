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
    """2FA is required for agents when the admin requires it for all agents (or for admins, and this agent is
    one) or enforces it for this agent, and for end users when the admin requires it for the help center. Enforce
    2FA means now: no grace period. An admin may give one person a grace period of their own (User.grace_until). Skipping is allowed strictly before the
    grace deadline (`now >= deadline` means it has passed), and never again for someone whose 2FA was removed."""
    if user.is_agent:
        required = bool(get_setting("require_agents_2fa") or user.enforce_2fa
                        or (user.is_admin and get_setting("require_admins_2fa")))
    else:
        required = bool(get_setting("require_end_users_2fa"))
    if not required:
        return Requirement(False)
    now = clock.now()
    if user.grace_until is not None and now < user.grace_until:  # an admin gave this person until then
        return Requirement(True, True, user.grace_until)
    if user.is_agent and user.enforce_2fa:  # Enforce 2FA means now: no grace period
        return Requirement(True)
    deadline = grace_until()
    skip = deadline is not None and now < deadline and not user.skip_forfeited
    return Requirement(True, skip, deadline)


def needs_setup(user: User) -> bool:
    return requirement(user).required and not user.confirmed_authenticators
