"""The browsers a person has signed in from, and the notice mailed when another one signs in.

A browser is told apart by a long-lived random cookie (`portal_browser`, 256 bits); only its SHA-256 is stored,
per person (`known_browsers`). A sign-in from a browser this person has not used before mails the owner: which
browser and system, from which address, when, with links to Your sessions and to change the password. A person's
very first sign-in is not news and mails nothing.
"""
import hashlib
import secrets
from datetime import timedelta

from flask import after_this_request, current_app, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, delete, insert, select, update

from . import clock
from .extensions import db
from .models import KnownBrowser, User
from .notify import security_notice
from .public_url import public_url

COOKIE = "portal_browser"
KEEP = timedelta(days=400)  # how long the browser keeps its cookie (browsers cap cookies at about this)


# Statements on the table: rows to read and write at every sign-in, no objects to keep.
_browsers = KnownBrowser.__table__
_OF_PERSON = (select(_browsers.c.id, _browsers.c.token_hash, _browsers.c.last_seen_at)
              .where(_browsers.c.user_id == bindparam("owner_id")))
_ADD = insert(_browsers)
_SEEN = update(_browsers).where(_browsers.c.id == bindparam("browser_id")).values(last_seen_at=bindparam("now"))


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def note_sign_in(user: User, area: str, browser_label) -> bool:
    """Record that `user` signed in from this browser; mail them when it is a browser they have not used before
    (and not their first ever), naming it `browser_label` (a string, or a lazy one written in their language). Returns
    whether it was new. The caller commits."""
    token = request.cookies.get(COOKIE)
    if not (isinstance(token, str) and 20 <= len(token) <= 100):
        token = secrets.token_urlsafe(32)
    now, token_hash = clock.now(), _hash(token)
    browsers = db.session.execute(_OF_PERSON, {"owner_id": user.id}).all()
    known = next((b for b in browsers if b.token_hash == token_hash), None)
    if known is not None:
        db.session.execute(_SEEN, {"browser_id": known.id, "now": now})
        return False
    first_ever = not browsers
    gone = [b.id for b in browsers if now - b.last_seen_at > KEEP]  # their cookie has expired by now
    if gone:
        db.session.execute(delete(_browsers).where(_browsers.c.id.in_(gone)))
    db.session.execute(_ADD, {"user_id": user.id, "token_hash": token_hash, "created_at": now, "last_seen_at": now})
    _give_cookie(token)
    if not first_ever:
        links = [(_l("See where you are signed in, sign out what you don't recognise and change your password"),
                  public_url(f"{area}.{_security_page(area)}"))]
        security_notice(user, "login.new_browser", browser=browser_label, ip=request.remote_addr or _l("unknown"),
                        when=now, links=links)  # a time: notify writes it in the recipient's language and zone
    return True


def _security_page(area: str) -> str:
    return "security" if area == "agent" else "two_factor"


def _give_cookie(token: str) -> None:
    @after_this_request
    def set_cookie(response):
        response.set_cookie(COOKIE, token, max_age=int(KEEP.total_seconds()), httponly=True, samesite="Lax",
                            secure=bool(current_app.config["SESSION_COOKIE_SECURE"] or request.is_secure))
        return response
