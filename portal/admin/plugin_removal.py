"""Manage > Plugins: delete an instance, uninstall a plugin.

Both remove the authenticators made with what goes away (a default among them passes to the owner's next one), log
it, email each owner and commit once. Refused while 2FA is required and nothing would be left to set up.
"""
from flask_babel import gettext as _

from .. import security_log
from ..extensions import db
from ..models import Authenticator, User
from ..notify import security_notice
from ..settings import get_setting
from ..twofactor import devices, registry
from ..twofactor.base import FlowError
from .rules import someone_must_have_2fa


def _2fa_required_now() -> bool:
    return someone_must_have_2fa(bool(get_setting("require_agents_2fa")), bool(get_setting("require_end_users_2fa")))


def _plugin_label(key: str) -> str:
    method = registry.method(key)
    return str(method.label) if method else key


def instance_delete_refused(instance) -> str | None:
    """Why this instance can't be deleted now (shown on its confirmation page), or None."""
    if _2fa_required_now() and not registry.setup_possible(disabled_instance=instance.id):
        return _("This instance can't be deleted now: it is the last one anyone can set up, and 2FA is required "
                 "for some people. Add or activate another instance first.")
    return None


def uninstall_refused(key: str) -> str | None:
    """Why this plugin can't be uninstalled now (shown on its page instead of the button), or None."""
    label = _plugin_label(key)
    if registry.is_builtin(key):
        return _("%(plugin)s is built into the portal, so it can't be uninstalled. To stop people setting it up, "
                 "set its Status to Disabled.", plugin=label)
    active_after = {k for k in registry.plugin_rows() if registry.is_active(k)} - {key}
    if _2fa_required_now() and not registry.setup_possible(active_after):
        return _("%(plugin)s can't be uninstalled now: it has the last instance anyone can set up, and 2FA is "
                 "required for some people. Switch on another method with an active instance first.", plugin=label)
    return None


def _remove_made_with(admin: User, authenticators: list[Authenticator], reason: str) -> int:
    """Remove these authenticators; per owner: a new default if needed, the log, remembered devices signed out
    (as when they remove one themselves) and one email. Returns how many people were affected."""
    owners: dict[int, tuple[User, list[Authenticator]]] = {}
    for authenticator in authenticators:
        owners.setdefault(authenticator.user_id, (authenticator.user, []))[1].append(authenticator)
    for person, removed in owners.values():
        gone = {a.id for a in removed}
        left = [a for a in person.authenticators if a.id not in gone and a.confirmed_at is not None]
        if any(a.is_default for a in removed) and left and not any(a.is_default for a in left):
            left[0].is_default = True
        for authenticator in removed:
            person.authenticators.remove(authenticator)  # delete-orphan: deleted at flush
            security_log.record("2fa.removed", person, actor=admin, name=authenticator.name, reason=reason)
        devices.revoke_all(person, "factor removed", notify=False)
        security_notice(person, "2fa.removed", authenticator="”, “".join(a.name for a in removed),
                        admin=getattr(admin, "name", None))
    return len(owners)


def delete_instance(admin: User, key: str, instance) -> tuple[int, int]:
    """Delete an instance and every authenticator made with it. Returns (authenticators removed, people told)."""
    refused = instance_delete_refused(instance)
    if refused:
        raise FlowError(refused)
    authenticators = registry.made_with([instance.id])
    people = _remove_made_with(admin, authenticators, "instance deleted")
    instance_id, name = instance.id, instance.name
    registry.delete_instance(instance)
    security_log.record("admin.plugin_changed", actor=admin, plugin=key, instance=instance_id, name=name,
                        change="instance deleted", authenticators_removed=len(authenticators), people=people)
    db.session.commit()
    return len(authenticators), people


def uninstall_plugin(admin: User, key: str) -> tuple[int, int, int]:
    """Uninstall a plugin: its instances and every authenticator made with them (or of its method) removed, the
    plugin marked not installed. Returns (instances deleted, authenticators removed, people told)."""
    refused = uninstall_refused(key)
    if refused:
        raise FlowError(refused)
    instances = registry.instances_of(key)
    authenticators = registry.made_with([i.id for i in instances], key)
    people = _remove_made_with(admin, authenticators, "plugin uninstalled")
    for instance in instances:
        registry.delete_instance(instance)
    registry.uninstall(key)
    security_log.record("admin.plugin_changed", actor=admin, plugin=key, status="uninstalled",
                        instances_deleted=len(instances), authenticators_removed=len(authenticators), people=people)
    db.session.commit()
    return len(instances), len(authenticators), people
