"""Manage > Plugins (as in osTicket's plugin pages): installed 2FA plugins, Add New Plugin > Install, a plugin's
Status (the same switch as Auth & SSO's), its Instances (Name, Status, Config), and Uninstall and Delete instance,
each after a page saying who is affected (portal.admin.plugin_removal)."""
from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _, ngettext

from ..extensions import db
from ..models import PluginInstance
from ..twofactor import registry
from ..safe_url import row_id
from ..twofactor.forms import ActionForm, ConfirmForm
from ..twofactor.base import FlowError
from . import bp, plugin_removal, rules
from .access import admin_required, fresh_proof_required, me, render
from .forms import PluginStatusForm, config_fields, config_values, instance_form


def _plugin(key: str, installed: bool = True) -> registry.PluginInfo:
    info = next((p for p in registry.overview() if p.key == key), None)
    if info is None or (installed and not info.installed):
        abort(404, _("There is no installed plugin with that name."))
    return info


@bp.route("/plugins")
@admin_required
def plugins():
    installed = [p for p in registry.overview() if p.installed]
    counts = {p.key: len(registry.instances_of(p.key)) for p in installed}
    return render("admin/plugins.html", plugins=installed, counts=counts, builtin=set(registry.BUILTIN))


@bp.route("/plugins/add")
@admin_required
def plugin_add():
    available = [p for p in registry.overview() if not p.installed and p.method is not None]
    return render("admin/plugin_add.html", available=available, form=ActionForm())


@bp.route("/plugins/<key>/install", methods=["POST"])
@admin_required
@fresh_proof_required
def plugin_install(key: str):
    info = _plugin(key, installed=False)
    if not ActionForm().validate_on_submit():
        abort(400)
    if info.installed:
        flash(_("%(plugin)s is already installed.", plugin=info.label), "info")
    elif info.method is None:
        abort(404, _("That plugin's Python package is not installed."))
    else:
        rules.install_plugin(me(), key)
        flash(_("%(plugin)s is installed. To enable it, set Status to Active and Save Changes.", plugin=info.label),
              "success")
    return redirect(url_for("admin.plugin", key=key), code=303)


def _plugin_page(info, form, status: int = 200, confirm_message: str | None = None):
    return render("admin/plugin.html", status, plugin=info, form=form, confirm_message=confirm_message,
                  instances=registry.instances_of(info.key), uninstall_refused=plugin_removal.uninstall_refused(info.key))


@bp.route("/plugins/<key>")
@admin_required
def plugin(key: str):
    info = _plugin(key)
    return _plugin_page(info, PluginStatusForm(formdata=None, status="active" if info.active else "disabled"))


@bp.route("/plugins/<key>", methods=["POST"])
@admin_required
@fresh_proof_required
def plugin_save(key: str):
    info, form = _plugin(key), PluginStatusForm()
    if not form.validate_on_submit():
        return _plugin_page(info, form, 400)
    if info.method is None and form.status.data == "active":
        form.status.errors.append(_("This plugin's Python package is not installed, so it can't be activated."))
        return _plugin_page(info, form, 400)
    try:
        changed = rules.set_plugin_status(me(), key, form.status.data == "active", form.confirm.data)
    except rules.NeedsConfirmation as exc:
        return _plugin_page(info, form, 409, confirm_message=str(exc))
    except FlowError as exc:
        form.status.errors.append(str(exc))
        return _plugin_page(info, form, 400)
    flash(_("Saved: %(changes)s.", changes=changed) if changed else _("Nothing changed."),
          "success" if changed else "info")
    return redirect(url_for("admin.plugin", key=key), code=303)


@bp.route("/plugins/<key>/instances")
@admin_required
def plugin_instances(key: str):
    info = _plugin(key)
    return render("admin/plugin_instances.html", plugin=info, instances=registry.instances_of(key))


def _instance(key: str, instance_id: int) -> PluginInstance:
    found = row_id(instance_id)  # junk too long for the database is a 404 too
    instance = db.session.get(PluginInstance, found) if found is not None else None
    if instance is None or instance.plugin_key != key:
        abort(404, _("There is no such instance of this plugin."))
    return instance


def _instance_page(info, form, instance=None, status: int = 200, error: str | None = None):
    return render("admin/plugin_instance.html", status, plugin=info, form=form, instance=instance,
                  config=config_fields(form), error=error)


@bp.route("/plugins/<key>/instances/new")
@bp.route("/plugins/<key>/instances/<int:instance_id>")
@admin_required
def plugin_instance(key: str, instance_id: int | None = None):
    info = _plugin(key)
    instance = _instance(key, instance_id) if instance_id is not None else None
    data = {}
    if instance is not None:
        data = {"name": instance.name, "status": instance.status,
                **{f"config_{k}": v for k, v in registry.instance_config(instance).items()}}
    return _instance_page(info, instance_form(info.method, formdata=None, **data), instance)


@bp.route("/plugins/<key>/instances/new", methods=["POST"])
@bp.route("/plugins/<key>/instances/<int:instance_id>", methods=["POST"])
@admin_required
@fresh_proof_required
def plugin_instance_save(key: str, instance_id: int | None = None):
    info = _plugin(key)
    instance = _instance(key, instance_id) if instance_id is not None else None
    form = instance_form(info.method)
    if not form.validate_on_submit():
        return _instance_page(info, form, instance, 400)
    try:
        saved = rules.save_instance(me(), key, instance, form.name.data, form.status.data, config_values(form))
    except FlowError as exc:
        return _instance_page(info, form, instance, 400, error=str(exc))
    if saved.status == "active":
        flash(_("Instance “%(name)s” saved (Active).", name=saved.name), "success")
    else:
        flash(_("Instance “%(name)s” saved (Disabled).", name=saved.name), "success")
    return redirect(url_for("admin.plugin_instances", key=key), code=303)


# --- Delete instance, Uninstall: a page says who is affected; "Yes, I understand" and the button do it ----------

def _instance_delete_page(info, instance, form, status: int = 200, refused: str | None = None):
    return render("admin/plugin_instance_delete.html", status, plugin=info, instance=instance, form=form,
                  usage=registry.usage_of([instance.id]),
                  refused=refused or plugin_removal.instance_delete_refused(instance))


@bp.route("/plugins/<key>/instances/<int:instance_id>/delete")
@admin_required
def plugin_instance_delete(key: str, instance_id: int):
    info = _plugin(key)
    return _instance_delete_page(info, _instance(key, instance_id), ConfirmForm(formdata=None))


@bp.route("/plugins/<key>/instances/<int:instance_id>/delete", methods=["POST"])
@admin_required
@fresh_proof_required
def plugin_instance_delete_save(key: str, instance_id: int):
    info = _plugin(key)
    instance, form = _instance(key, instance_id), ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    if not form.confirm.data:
        form.confirm.errors.append(_("Tick “Yes, I understand” to delete this instance."))
        return _instance_delete_page(info, instance, form, 400)
    name = instance.name
    try:
        removed, people = plugin_removal.delete_instance(me(), key, instance)
    except FlowError as exc:
        return _instance_delete_page(info, instance, form, 409, refused=str(exc))
    if removed:
        flash(ngettext("Instance “%(name)s” deleted. %(num)d authenticator made with it was removed and "
                       "%(owners)s.",
                       "Instance “%(name)s” deleted. %(num)d authenticators made with it were removed and "
                       "%(owners)s.", removed, name=name, owners=_owners(removed, people)), "success")
    else:
        flash(_("Instance “%(name)s” deleted. Nobody had set it up.", name=name), "success")
    return redirect(url_for("admin.plugin_instances", key=key), code=303)


def _owners(removed: int, people: int) -> str:
    """Who was told about the removed authenticators (the end of a sentence that lists what was removed)."""
    if people == 1:
        return _("its owner was told by email") if removed == 1 else _("their owner was told by email")
    return ngettext("their %(num)d owner was told by email", "their %(num)d owners were told by email", people)


def _uninstall_page(info, form, status: int = 200, refused: str | None = None):
    instances = registry.instances_of(info.key)
    return render("admin/plugin_uninstall.html", status, plugin=info, form=form, instances=instances,
                  usage=registry.usage_of([i.id for i in instances], info.key), builtin=registry.is_builtin(info.key),
                  refused=refused or plugin_removal.uninstall_refused(info.key))


@bp.route("/plugins/<key>/uninstall")
@admin_required
def plugin_uninstall(key: str):
    return _uninstall_page(_plugin(key), ConfirmForm(formdata=None))


@bp.route("/plugins/<key>/uninstall", methods=["POST"])
@admin_required
@fresh_proof_required
def plugin_uninstall_save(key: str):
    info, form = _plugin(key), ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    if not form.confirm.data:
        form.confirm.errors.append(_("Tick “Yes, I understand” to uninstall %(plugin)s.", plugin=info.label))
        return _uninstall_page(info, form, 400)
    try:
        instances, removed, people = plugin_removal.uninstall_plugin(me(), key)
    except FlowError as exc:
        return _uninstall_page(info, form, 409, refused=str(exc))
    deleted = ngettext("%(num)d instance deleted", "%(num)d instances deleted", instances)
    if removed:
        said = _("%(plugin)s is uninstalled: %(instances)s, %(authenticators)s and %(owners)s.", plugin=info.label,
                 instances=deleted, owners=_owners(removed, people),
                 authenticators=ngettext("%(num)d authenticator removed", "%(num)d authenticators removed", removed))
    else:
        said = _("%(plugin)s is uninstalled: %(instances)s; nobody had set it up.", plugin=info.label,
                 instances=deleted)
    if info.method:  # a sentence of its own
        said = _("%(said)s Its Python package is still installed, so it is listed under Add New Plugin.", said=said)
    flash(said, "success")
    return redirect(url_for("admin.plugins"), code=303)
