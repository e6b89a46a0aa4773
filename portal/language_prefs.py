"""Language and time zone: each person picks the language of their pages and mails and the zone their times are
shown in (help center: My Profile; agent console: Preferences). One view, registered in both areas; the choice is
kept on the account (users.language, users.time_zone) and portal.i18n reads it. docs/architecture.md, "Languages
and time zones"."""
from functools import cache

import pytz
from flask import flash, redirect, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.fields import SelectChoice, SelectField, SubmitField

from .dates import portal_zone
from .extensions import db
from .i18n import LANGUAGES
from .twofactor.areas import area_required, me


@cache
def zones() -> tuple[str, ...]:
    """The zones offered: the IANA names people pick from (pytz's common list), without the old aliases."""
    return tuple(pytz.common_timezones)


@cache
def _zone_choices() -> list:
    return [SelectChoice("")] + [SelectChoice(zone) for zone in zones()]


class LanguageForm(FlaskForm):
    language = SelectField(_l("Language"), choices=[SelectChoice("", _l("Follow my browser"))] + [
        SelectChoice(code, name, render_kw={"lang": code}) for code, name in LANGUAGES.items()])
    time_zone = SelectField(_l("Time zone"))
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.time_zone.choices = _zone_choices()


def register_language_routes(bp, area, rule: str, back: str) -> None:
    """The "Language and time zone" page of `area` at `rule`; `back` is the endpoint of the page it belongs to."""
    def view():
        user = me()
        form = LanguageForm(data={"language": user.language or "", "time_zone": user.time_zone or ""})
        if request.method == "POST":
            form = LanguageForm()
            if form.validate_on_submit():
                user.language = form.language.data or None
                user.time_zone = form.time_zone.data or None
                db.session.commit()
                flash(_("Your language and time zone are saved."), "success")
                return redirect(area.url("language"))
            status = 400
        else:
            status = 200
        return area.render("profile/language.html", status, form=form, user=user, zones=zones(),
                           portal_zone=portal_zone(), back=back)

    bp.add_url_rule(rule, "language", area_required(area)(view), methods=["GET", "POST"])
