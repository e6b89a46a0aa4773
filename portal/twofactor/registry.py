"""Which 2FA methods exist (built-in and discovered plugins), which are installed and active, and their instances.

A plugin's `active` flag in the `plugins` table is the single source of truth: Auth & SSO's "TOTP Service" and
"Email 2FA" switches and Manage > Plugins' Status both read and write it.
"""
import json
from functools import cache
from importlib.metadata import entry_points

from flask import g
from sqlalchemy import insert

from .. import clock
from ..extensions import db
from ..models import Plugin, PluginInstance
from .base import Method

ENTRY_POINT_GROUP = "portal.twofactor"
BUILTIN = {"totp": "portal.twofactor.totp:TotpMethod"}


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


def plugin_rows() -> dict[str, Plugin]:
    if "portal_plugins" not in g:
        g.portal_plugins = {p.key: p for p in db.session.scalars(db.select(Plugin))}
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
    """Built-in plugins start installed and active, each with one instance. Used by the first migration."""
    now = clock.now()
    connection.execute(insert(Plugin.__table__), [
        {"key": "totp", "installed": True, "active": True, "installed_at": now},
        {"key": "email", "installed": True, "active": True, "installed_at": now},
    ])
    connection.execute(insert(PluginInstance.__table__), [
        {"plugin_key": "totp", "name": "Authenticator", "status": "active",
         "config": json.dumps({"issuer": "Helpdesk"}), "created_at": now},
        {"plugin_key": "email", "name": "Email", "status": "active", "config": "{}", "created_at": now},
    ])
