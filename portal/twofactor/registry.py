"""Which 2FA methods exist (built-in and discovered plugins), which are installed and active, and their instances.

A plugin's `active` flag in the `plugins` table is the single source of truth: Auth & SSO's "TOTP Service" and
"Email 2FA" switches and Manage > Plugins' Status both read and write it.
"""
import json
from dataclasses import dataclass
from functools import cache
from importlib.metadata import entry_points

from flask import g
from flask_babel import gettext as _
from sqlalchemy import insert

from .. import clock
from ..extensions import db
from ..models import Authenticator, Plugin, PluginInstance, User
from .base import Method

ENTRY_POINT_GROUP = "portal.twofactor"
BUILTIN = {"totp": "portal.twofactor.totp:TotpMethod", "email": "portal.twofactor.email:EmailMethod",
           "webauthn": "portal.twofactor.webauthn_method:WebAuthnMethod"}


def _load(spec: str) -> type[Method]:
    module, _, attr = spec.partition(":")
    mod = __import__(module, fromlist=[attr])
    return getattr(mod, attr)


@cache
def discovered() -> dict[str, Method]:
    """Every method class found: built-ins first, then the entry point group (third-party plugins)."""
    methods: dict[str, Method] = {key: _load(spec)() for key, spec in BUILTIN.items()}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name not in methods:
            methods[ep.name] = ep.load()()
    return methods


def method(key: str) -> Method | None:
    return discovered().get(key)


_PLUGINS = db.select(Plugin)  # built once, reused by every request


def plugin_rows() -> dict[str, Plugin]:
    if "portal_plugins" not in g:
        g.portal_plugins = {p.key: p for p in db.session.scalars(_PLUGINS)}
    return g.portal_plugins


def forget_cache() -> None:
    g.pop("portal_plugins", None)


def is_active(key: str) -> bool:
    row = plugin_rows().get(key)
    return bool(row and row.installed and row.active and key in discovered())


def active_instances(key: str | None = None) -> list[PluginInstance]:
    """Instances people can set up now: active instance of an installed, active plugin."""
    query = db.select(PluginInstance).where(PluginInstance.status == "active").order_by(PluginInstance.id)
    if key:
        query = query.where(PluginInstance.plugin_key == key)
    return [i for i in db.session.scalars(query) if is_active(i.plugin_key)]


def instance_config(instance: PluginInstance | None) -> dict:
    return json.loads(instance.config or "{}") if instance else {}


def seed_builtin_plugins(connection) -> None:
    """Built-in plugins start installed and active, each with one instance: for a schema made from the models
    (the tests); migration 0001 writes the same rows."""
    now = clock.now()
    connection.execute(insert(Plugin.__table__), [
        {"key": "totp", "installed": True, "active": True, "installed_at": now},
        {"key": "email", "installed": True, "active": True, "installed_at": now},
        # Security keys and passkeys start switched off: an admin turns them on in Auth & SSO (migration 0007).
        {"key": "webauthn", "installed": True, "active": False, "installed_at": now},
    ])
    connection.execute(insert(PluginInstance.__table__), [
        {"plugin_key": "totp", "name": "Authenticator app", "status": "active",
         "config": json.dumps({"issuer": "Helpdesk"}), "created_at": now},
        {"plugin_key": "email", "name": "Email", "status": "active", "config": "{}", "created_at": now},
        {"plugin_key": "webauthn", "name": "Security key or passkey", "status": "active", "config": "{}",
         "created_at": now},
    ])


# --- Manage > Plugins and Auth & SSO: what exists, installing, switching on/off, instances ----------------------

@dataclass
class PluginInfo:
    """A plugin as Manage > Plugins shows it: discovered code and its row (None until installed)."""

    key: str
    method: Method | None  # None when the row's package is no longer installed
    row: Plugin | None
    source: str  # "Built-in" or the Python distribution that provides it

    @property
    def installed(self) -> bool:
        return bool(self.row and self.row.installed)

    @property
    def active(self) -> bool:
        return bool(self.installed and self.row.active and self.method is not None)

    @property
    def label(self) -> str:
        return str(self.method.label) if self.method else self.key


def _source(key: str) -> str:
    if key in BUILTIN:
        return _("Built-in")
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name == key and ep.dist is not None:
            return f"{ep.dist.name} {ep.dist.version}"
    return _("Not installed in Python")


def overview() -> list[PluginInfo]:
    """Every discovered plugin and every plugin row, built-ins first."""
    rows, methods = plugin_rows(), discovered()
    keys = list(methods) + sorted(k for k in rows if k not in methods)
    return [PluginInfo(k, methods.get(k), rows.get(k), _source(k)) for k in keys]


def install(key: str) -> Plugin:
    """Install a discovered plugin: it starts switched off (Status: Disabled) until an admin activates it."""
    if key not in discovered():
        raise KeyError(key)
    row = plugin_rows().get(key) or Plugin(key=key, active=False)
    if not row.installed:
        row.installed, row.installed_at = True, clock.now()
    db.session.add(row)
    forget_cache()
    return row


def set_active(key: str, active: bool) -> Plugin:
    """The one switch behind Auth & SSO's method toggles and a plugin's Status."""
    row = plugin_rows().get(key)
    if row is None or not row.installed:
        raise KeyError(key)
    row.active = active
    forget_cache()
    return row


def save_instance(instance: PluginInstance | None, key: str, name: str, status: str, config: dict) -> PluginInstance:
    """Create (instance=None) or update an instance of an installed plugin."""
    if instance is None:
        instance = PluginInstance(plugin_key=key, created_at=clock.now())
        db.session.add(instance)
    instance.name, instance.status, instance.config = name, status, json.dumps(config, sort_keys=True)
    return instance


def instances_of(key: str) -> list[PluginInstance]:
    return list(db.session.scalars(
        db.select(PluginInstance).where(PluginInstance.plugin_key == key).order_by(PluginInstance.id)))


def setup_possible(active_keys: set[str] | None = None, disabled_instance: int | None = None) -> bool:
    """Whether anyone can set up a second factor: an active instance of an installed, active plugin. The
    arguments ask "what if": `active_keys` the plugins that would be on, `disabled_instance` one that would be off."""
    rows = plugin_rows()
    keys = active_keys if active_keys is not None else {k for k in rows if is_active(k)}
    keys = {k for k in keys if k in discovered() and k in rows and rows[k].installed}
    query = db.select(PluginInstance.id).where(PluginInstance.status == "active", PluginInstance.plugin_key.in_(keys))
    if disabled_instance is not None:
        query = query.where(PluginInstance.id != disabled_instance)
    return bool(keys) and db.session.scalar(query.limit(1)) is not None


def people_using() -> dict[str, int]:
    """How many people have a confirmed authenticator of each method (one query)."""
    rows = db.session.execute(
        db.select(Authenticator.method, db.func.count(db.distinct(Authenticator.user_id)))
        .where(Authenticator.confirmed_at.is_not(None)).group_by(Authenticator.method))
    return {method_key: count for method_key, count in rows}


# Uninstall a plugin, delete an instance: who is affected (shown before the admin confirms) and the changes themselves
# (portal.admin.rules runs them as one transaction, with the log and the notices).

def is_builtin(key: str) -> bool:
    """Built-in plugins are part of the portal: they can be switched off, never uninstalled."""
    return key in BUILTIN


def _made_with(instance_ids: list[int], key: str | None):
    """Authenticators made with these instances; with `key`, also any of that method (whatever its instance)."""
    condition = Authenticator.instance_id.in_(instance_ids)
    return db.or_(condition, Authenticator.method == key) if key else condition


@dataclass
class Usage:
    """What removing the authenticators made with some instances would touch."""

    authenticators: int  # authenticators that would be removed
    people: int  # people who own one
    left_without: int  # people who would have no authenticator left


def usage_of(instance_ids: list[int], key: str | None = None) -> Usage:
    """Who has an authenticator made with `instance_ids` (with `key`, of that method), in one query."""
    made = db.case((_made_with(instance_ids, key), 1), else_=0)
    owners = db.select(Authenticator.user_id).where(_made_with(instance_ids, key))
    per_person = (db.select(db.func.count().label("total"), db.func.sum(made).label("made"))
                  .where(Authenticator.user_id.in_(owners)).group_by(Authenticator.user_id).subquery())
    authenticators, people, left_without = db.session.execute(db.select(
        db.func.coalesce(db.func.sum(per_person.c.made), 0), db.func.count(),
        db.func.coalesce(db.func.sum(db.case((per_person.c.total == per_person.c.made, 1), else_=0)), 0),
    ).select_from(per_person)).one()
    return Usage(int(authenticators), int(people), int(left_without))


def made_with(instance_ids: list[int], key: str | None = None) -> list[Authenticator]:
    """The authenticators usage_of() counts, each with its owner and the owner's authenticators loaded."""
    return list(db.session.scalars(
        db.select(Authenticator).where(_made_with(instance_ids, key))
        .options(db.selectinload(Authenticator.user).selectinload(User.authenticators))
        .order_by(Authenticator.user_id, Authenticator.id)))


def delete_instance(instance: PluginInstance) -> None:
    db.session.delete(instance)


def uninstall(key: str) -> Plugin:
    """Mark an installed plugin not installed, and off. The row stays, so Add New Plugin offers it again while its
    Python package is installed; the caller deletes its instances first."""
    row = plugin_rows().get(key)
    if is_builtin(key) or row is None or not row.installed:
        raise KeyError(key)
    row.installed, row.active, row.installed_at = False, False, None
    forget_cache()
    return row
