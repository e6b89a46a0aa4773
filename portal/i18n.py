"""Languages and time zones (Flask-Babel): which language and zone a page or a mail is in.

A page is in the signed-in person's own language (Profile, Preferences), else the one picked with the footer
switcher of the signed-out pages (a cookie), else the best match for the browser's Accept-Language, else English.
Times are shown in the person's own time zone, else the portal's (Admin › Settings). A mail is rendered in its
recipient's language and zone (`for_person`), never in those of whoever caused it. docs/architecture.md,
"Languages and time zones".
"""
from contextlib import contextmanager

from flask import Blueprint, g, has_request_context, redirect, request, url_for
from flask_babel import Babel, get_locale, refresh
from flask_login import current_user

from .safe_url import local_path

# Language codes offered, named in their own language (the switcher and the profile's choice).
LANGUAGES = {"en": "English", "de": "Deutsch", "fr": "Français"}
DEFAULT_LANGUAGE = "en"
# Dates and times in English are written the British way ("3 Dec 2026, 16:05"), as the portal always has.
_FORMAT_LOCALE = {"en": "en_GB"}
COOKIE = "portal_language"
COOKIE_SECONDS = 365 * 24 * 3600

babel = Babel()
bp = Blueprint("i18n", __name__)


def _recipient():
    """The person a mail or page is being rendered for: a mail's recipient while `for_person` is in effect, else
    whoever is signed in (None when nobody is)."""
    if "portal_recipient" in g:
        return g.portal_recipient
    if has_request_context() and current_user.is_authenticated:
        return current_user
    return None


def language_code() -> str:
    """The language of what is being rendered: "en", "de" or "fr" (Flask-Babel's locale, chosen once per request
    or mail by `_chosen_language`)."""
    locale = get_locale()
    return locale.language if locale is not None else DEFAULT_LANGUAGE


def _chosen_language() -> str:
    forced = g.get("portal_language")
    if forced:
        return forced
    person = _recipient()
    if person is not None and getattr(person, "language", None) in LANGUAGES:
        return person.language
    if "portal_recipient" in g:  # a mail to someone who chose no language: the portal's default
        return DEFAULT_LANGUAGE
    if has_request_context():
        chosen = request.cookies.get(COOKIE)
        if chosen in LANGUAGES:
            return chosen
        return request.accept_languages.best_match(LANGUAGES, default=DEFAULT_LANGUAGE)
    return DEFAULT_LANGUAGE


def _select_locale() -> str:
    code = _chosen_language()
    return _FORMAT_LOCALE.get(code, code)


def _select_timezone() -> str:
    from .dates import portal_zone, valid_zone
    person = _recipient()
    own = getattr(person, "time_zone", None) if person is not None else None
    return own if own and valid_zone(own) else portal_zone()


@contextmanager
def for_person(person=None, language: str | None = None):
    """Render in `person`'s language and time zone (a mail to them), or in `language` with the portal's zone
    (a mail to someone who has no account yet)."""
    saved = {key: g.get(key) for key in ("portal_recipient", "portal_language")}
    had = {key: key in g for key in saved}
    g.portal_recipient, g.portal_language = person, language if language in LANGUAGES else None
    refresh()
    try:
        yield
    finally:
        for key, value in saved.items():
            if had[key]:
                setattr(g, key, value)
            else:
                g.pop(key, None)
        refresh()


@bp.get("/language/<code>")
def choose(code: str):
    """The footer switcher of signed-out pages: remember the language in a cookie and go back."""
    target = local_path(request.args.get("next")) or url_for("helpcenter.home")
    response = redirect(target)
    if code in LANGUAGES:
        response.set_cookie(COOKIE, code, max_age=COOKIE_SECONDS, secure=request.is_secure, httponly=True,
                            samesite="Lax")
    return response


def switch_url(code: str) -> str:
    """The footer switcher's link to `code`: back to this page after, unless its address holds a token (a reset or
    activation link), which must not travel in another URL: that one goes to the home page."""
    if "token" in (request.view_args or {}):
        return url_for("i18n.choose", code=code)
    return url_for("i18n.choose", code=code, next=request.path)


def init_app(app) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    babel.init_app(app, locale_selector=_select_locale, timezone_selector=_select_timezone)
    # A {% trans %} block's line breaks and indentation are not part of its message (as babel.cfg extracts them).
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.register_blueprint(bp)
    app.add_template_global(language_code, "language_code")
    app.add_template_global(LANGUAGES, "LANGUAGES")
    app.add_template_global(switch_url, "language_switch_url")
