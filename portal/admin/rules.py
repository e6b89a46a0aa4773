"""What an admin may change, and how: each flow checks the rules, applies the change, logs it, tells the person
concerned and commits. Views call these; Auth & SSO and Manage > Plugins share the same method switch.

The rule behind every switch: nobody who must have 2FA is left without a way to get it. A change that would
leave 2FA required with no method anyone can set up is refused; switching off a method that some people have
as their only one needs the admin's explicit confirmation, after being told how many they are.
"""
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _, lazy_gettext as _l, lazy_ngettext, ngettext
from flask_babel.speaklater import LazyString
from sqlalchemy import case, func

from .. import security_log, sessions
from ..extensions import db
from ..models import AGENT, Authenticator, User
from ..notify import security_notice
from ..settings import get_setting, grace_until, set_setting
from ..twofactor import lockout, registry, setup
from ..twofactor.base import FlowError
from ..i18n import for_person
from .grace import describe as describe_date

class NeedsConfirmation(FlowError):
    """The change is allowed, but only once the admin has read this and confirmed."""


@dataclass
class AuthChoices:
    methods: dict[str, bool]  # plugin key -> on
    require_agents: bool
    require_end_users: bool
    grace_until: datetime | None  # naive UTC
    grace_timezone: str
    confirmed: bool = False
    require_admins: bool = False


def in_english(texts: list) -> list[str]:
    """What changed, as the security log keeps it: in English whoever made the change (the page shows `texts` in
    the admin's own language)."""
    with for_person(language="en"):
        return [str(text) for text in texts]


def usage(key: str) -> tuple[int, int]:
    """(people who have a `key` authenticator, people for whom it is their only kind), in one query."""
    kinds = (db.select(Authenticator.user_id, func.count(Authenticator.method.distinct()).label("kinds"),
                       func.max(case((Authenticator.method == key, 1), else_=0)).label("uses"))
             .where(Authenticator.confirmed_at.is_not(None)).group_by(Authenticator.user_id).subquery())
    users, only = db.session.execute(
        db.select(func.count(), func.coalesce(func.sum(case((kinds.c.kinds == 1, 1), else_=0)), 0))
        .select_from(kinds).where(kinds.c.uses == 1)).one()
    return users, int(only)


def someone_must_have_2fa(require_agents: bool, require_end_users: bool, require_admins: bool | None = None) -> bool:
    if require_admins is None:
        require_admins = bool(get_setting("require_admins_2fa"))
    if require_agents or require_end_users or require_admins:
        return True
    enforced = db.select(User.id).where(User.kind == AGENT, User.enforce_2fa.is_(True)).limit(1)
    return db.session.scalar(enforced) is not None


def _check_method_change(turning_off: list[str], active_after: set[str], require_agents: bool,
                         require_end_users: bool, confirmed: bool, require_admins: bool | None = None) -> None:
    if someone_must_have_2fa(require_agents, require_end_users, require_admins) and not registry.setup_possible(active_after):
        raise FlowError(_("Keep at least one two-factor method on: 2FA is required for some people, and anyone "
                          "who hasn't set it up yet would have no way to do it."))
    if confirmed:
        return
    warnings = []
    for key in turning_off:
        users, only = usage(key)
        if only:
            warnings.append(ngettext(
                "%(num)d person has no sign-in method but %(label)s (%(users)d in all use it). Once it is off nobody "
                "can set it up, so whoever relies on it alone should get another method, or have their 2FA reset so "
                "they set up another one at their next sign-in.",
                "%(num)d people have no sign-in method but %(label)s (%(users)d in all use it). Once it is off "
                "nobody can set it up, so whoever relies on it alone should get another method, or have their 2FA "
                "reset so they set up another one at their next sign-in.", only, label=_label(key), users=users))
    if warnings:
        raise NeedsConfirmation(" ".join(warnings))


def _label(key: str) -> str | LazyString:
    """A method's switch label as the method has it (lazy): the change's words, and the log's English, say it in
    their own language."""
    method = registry.method(key)
    return method.switch_label if method else key


def _on_text(key: str) -> LazyString:
    return _l("%(label)s on", label=_label(key))


def _off_text(key: str) -> LazyString:
    users, _only = usage(key)
    return lazy_ngettext("%(label)s off (nobody can set it up now; %(num)d person already uses it)",
                         "%(label)s off (nobody can set it up now; %(num)d people already use it)", users,
                         label=_label(key))


# Auth & SSO's requirement switches as the list of changes says them: (setting, on) -> words.
REQUIREMENT_CHANGES = {
    ("require_agents_2fa", True): _l("Require agents to set up 2FA on"),
    ("require_agents_2fa", False): _l("Require agents to set up 2FA off"),
    ("require_end_users_2fa", True): _l("Require end users to set up 2FA on"),
    ("require_end_users_2fa", False): _l("Require end users to set up 2FA off"),
    ("require_admins_2fa", True): _l("Require admins to set up 2FA on"),
    ("require_admins_2fa", False): _l("Require admins to set up 2FA off"),
}


def save_auth_settings(admin: User, choices: AuthChoices) -> list[str]:
    """Apply Auth & SSO's form. Returns what changed, in words (also logged, in English)."""
    current = {key: registry.is_active(key) for key in choices.methods}
    active_after = {k for k in registry.plugin_rows() if registry.is_active(k)}
    active_after |= {k for k, on in choices.methods.items() if on}
    active_after -= {k for k, on in choices.methods.items() if not on}
    turning_off = [k for k, on in choices.methods.items() if current[k] and not on]
    _check_method_change(turning_off, active_after, choices.require_agents, choices.require_end_users,
                         choices.confirmed, choices.require_admins)
    changes = []
    for key, on in choices.methods.items():
        if on != current[key]:
            registry.set_active(key, on)
            changes.append(_on_text(key) if on else _off_text(key))
    wanted = {"require_agents_2fa": choices.require_agents, "require_end_users_2fa": choices.require_end_users,
              "require_admins_2fa": choices.require_admins}
    for key in ("require_agents_2fa", "require_end_users_2fa", "require_admins_2fa"):
        value = wanted[key]
        if bool(get_setting(key)) != value:
            set_setting(key, value)
            changes.append(REQUIREMENT_CHANGES[key, bool(value)])
    if grace_until() != choices.grace_until:
        stored = choices.grace_until.isoformat() if choices.grace_until else None
        set_setting("grace_until", stored)
        changes.append(_l("Grace Period until %(when)s",
                          when=LazyString(describe_date, choices.grace_until, choices.grace_timezone))
                       if stored else _l("Grace Period removed"))  # in words, in the zone it was entered in
    if get_setting("grace_timezone") != choices.grace_timezone:
        set_setting("grace_timezone", choices.grace_timezone)
    if changes:
        security_log.record("admin.policy_changed", actor=admin, changes=in_english(changes))
    db.session.commit()
    return [str(change) for change in changes]


def set_plugin_status(admin: User, key: str, active: bool, confirmed: bool = False) -> str | None:
    """Manage > Plugins' Status: the same switch as Auth & SSO's. Returns what changed, in words, or None."""
    if registry.is_active(key) == active:
        return None
    active_after = {k for k in registry.plugin_rows() if registry.is_active(k)}
    active_after = active_after | {key} if active else active_after - {key}
    _check_method_change([] if active else [key], active_after, bool(get_setting("require_agents_2fa")),
                         bool(get_setting("require_end_users_2fa")), confirmed)
    text = str(_on_text(key) if active else _off_text(key))
    registry.set_active(key, active)
    security_log.record("admin.plugin_changed", actor=admin, plugin=key, status="active" if active else "disabled")
    db.session.commit()
    return text


def install_plugin(admin: User, key: str) -> None:
    registry.install(key)
    security_log.record("admin.plugin_changed", actor=admin, plugin=key, status="installed")
    db.session.commit()


def save_instance(admin: User, key: str, instance, name: str, status: str, config: dict):
    """Add or change an instance. Disabling the last instance anyone could set up is refused while 2FA is
    required for someone."""
    name = " ".join((name or "").split())
    if not name:
        raise FlowError(_("Give this instance a name."))
    if instance is not None and instance.status == "active" and status != "active":
        if (someone_must_have_2fa(bool(get_setting("require_agents_2fa")), bool(get_setting("require_end_users_2fa")))
                and not registry.setup_possible(disabled_instance=instance.id)):
            raise FlowError(_("This is the last instance anyone can set up, and 2FA is required for some people. "
                              "Add or activate another instance first."))
    created = instance is None
    instance = registry.save_instance(instance, key, name, status, config)
    db.session.flush()
    security_log.record("admin.plugin_changed", actor=admin, plugin=key, instance=instance.id,
                        status=status, change="instance added" if created else "instance changed")
    db.session.commit()
    return instance


def set_enforce(admin: User, agent: User, enforce: bool) -> bool:
    if agent.enforce_2fa == enforce:
        return False
    if enforce and not registry.setup_possible():
        raise FlowError(_("No two-factor method is switched on, so this agent couldn't set one up. Switch on "
                          "TOTP Service or Email 2FA first."))
    agent.enforce_2fa = enforce
    security_log.record("admin.enforce_changed", agent, actor=admin, enforced=enforce)
    security_notice(agent, "admin.enforce_changed", enforced=enforce, admin=admin.name)
    db.session.commit()
    return True


def unlock(admin: User, person: User) -> None:
    lockout.unlock(person)
    security_log.record("2fa.unlocked", person, actor=admin)
    security_notice(person, "2fa.unlocked", admin=admin.name)
    db.session.commit()


SESSION_LIMITS = {"staff_idle": "session_idle_minutes_staff", "staff_max": "session_max_hours_staff",
                  "end_user_idle": "session_idle_minutes_end_users", "end_user_max": "session_max_hours_end_users"}


def set_session_limits(admin: User, limits: dict[str, int]) -> list[str]:
    """Change how long sessions last (keys of SESSION_LIMITS); a session already open follows the new limits from
    its next request. Returns what changed (logged)."""
    changes = []
    for field, key in SESSION_LIMITS.items():
        if limits[field] != get_setting(key):
            set_setting(key, limits[field])
            changes.append(f"{key} {limits[field]}")
    if changes:
        security_log.record("admin.policy_changed", actor=admin, changes=changes)
    db.session.commit()
    return changes


def end_sessions(admin: User, person: User) -> int:
    """Sign a person out of every browser (a stolen laptop, someone leaving): logged, the owner told."""
    if person.id == admin.id:
        raise FlowError(_("To sign yourself out everywhere, use Your sessions in Preferences › Security."))
    count = sessions.end_all(person)
    security_log.record("session.ended_by_admin", person, actor=admin, count=count)
    security_notice(person, "session.ended_by_admin", admin=admin.name)
    db.session.commit()
    return count


def reset_2fa(admin: User, person: User) -> int | None:
    """Seed 002's lost-phone case: every factor removed, sessions and remembered devices revoked, the person
    told, no new grace period. None when Auth & SSO delays it: a waiting period starts instead (the owner told,
    with a cancel link). Not for the admin's own account (that would sign them out mid-change)."""
    if person.id == admin.id:
        raise FlowError(_("You can't remove your own 2FA here. Another admin can, or use the command line: "
                          "flask user reset-2fa."))
    if get_setting("delay_admin_2fa_removal"):  # Admin › Account recovery: it waits, and the owner can stop it
        from ..account_recovery.flow import schedule_admin_removal
        schedule_admin_removal(admin, person)
        return None
    return setup.reset(person, actor=admin)
