"""The compliance view (issue 22): Agent Profiles and End users filtered by 2FA status, each list as CSV, and the
2FA adoption chart on the Admin home, drawn here as SVG (no JavaScript).

A status is "none" (no confirmed second factor), "locked" (the failure budget stops them now), or "method:<key>"
(has one of that method: authenticator app, email, a security key — whatever methods are installed)."""
from dataclasses import dataclass

from flask import Response, abort, request
from flask_babel import gettext as _, lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import exists, func, or_

from .. import clock
from ..extensions import db
from ..models import AGENT, END_USER, Authenticator, User
from ..twofactor import registry
from . import bp
from .access import admin_required
from .csv_export import download
from .directory import PAGE_SIZE, normalise_query, page_query, with_authenticators

INVALID = _l("Choose a 2FA status from the list.")


def statuses() -> list[tuple[str, str]]:
    """(value, words) of every status the lists filter by."""
    methods = [(f"method:{key}", str(method.label)) for key, method in registry.discovered().items()]
    return [("none", _("No 2FA"))] + methods + [("locked", _("Locked"))]


def status_condition(status: str):
    """The WHERE clause of a status; None for no filter. An unknown one is a 400 that says so."""
    if not status:
        return None
    confirmed = Authenticator.user_id == User.id, Authenticator.confirmed_at.is_not(None)
    if status == "none":
        return ~exists().where(*confirmed)
    if status == "locked":
        return or_(User.admin_locked.is_(True), User.next_attempt_at > clock.now())
    if status in dict(statuses()) and status.startswith("method:"):
        return exists().where(*confirmed, Authenticator.method == status.partition(":")[2])
    abort(400, str(INVALID))


def requested_status() -> str:
    return (request.args.get("status") or "")[:60]


# --- CSV -------------------------------------------------------------------------------------------------------

def _csv(kind: str, filename: str) -> Response:
    q, condition = normalise_query(request.args.get("q", "")), status_condition(requested_status())

    def batches():
        after = None
        while True:
            users = list(db.session.scalars(page_query(kind, q, after=after, where=condition)))[:PAGE_SIZE]
            yield [(row.user.name, row.user.email, "yes" if row.user.is_admin else "",
                    ", ".join(row.methods) or "Not set up", row.default or "",
                    "on" if row.user.enforce_2fa else "", row.last_used.isoformat(sep=" ") if row.last_used else "",
                    "Disabled" if row.user.disabled_at else "Locked" if row.locked else "Active")
                   for row in with_authenticators(users)]
            if len(users) < PAGE_SIZE:
                return
            after = users[-1].email

    # The headings are in the admin's language; the cells are data and stay as they are.
    return download(filename, [_("Name"), _("Email"), _("Admin"), _("2FA methods"), _("Default"), _("Enforce 2FA"),
                               _("Last used (UTC)"), _("Status")], batches())


@bp.route("/agents.csv")
@admin_required
def agents_csv():
    return _csv(AGENT, "agent-profiles.csv")


@bp.route("/end-users.csv")
@admin_required
def end_users_csv():
    return _csv(END_USER, "end-users.csv")


# --- The adoption chart ------------------------------------------------------------------------------------------

@dataclass
class Adoption:
    label: str  # "Agents", "End users"
    people: int
    with_2fa: int
    by_method: list  # (method label, people)
    kind: str = ""  # AGENT or END_USER

    @property
    def share(self) -> int:
        return round(100 * self.with_2fa / self.people) if self.people else 0


def adoption() -> list[Adoption]:
    """Two queries: people and people with 2FA per kind, then people per kind and method."""
    confirmed = Authenticator.confirmed_at.is_not(None)
    has = exists().where(Authenticator.user_id == User.id, confirmed)
    totals = dict(((kind, (n, w)) for kind, n, w in db.session.execute(
        db.select(User.kind, func.count(User.id), func.count(User.id).filter(has)).group_by(User.kind))))
    per_method = db.session.execute(
        db.select(User.kind, Authenticator.method, func.count(Authenticator.user_id.distinct()))
        .join(Authenticator, Authenticator.user_id == User.id).where(confirmed)
        .group_by(User.kind, Authenticator.method)).all()
    labels = {key: str(m.label) for key, m in registry.discovered().items()}
    result = []
    for kind, label in ((AGENT, _("Agents")), (END_USER, _("End users"))):
        people, with_2fa = totals.get(kind, (0, 0))
        methods = sorted(((labels.get(m, m), n) for k, m, n in per_method if k == kind), key=lambda x: -x[1])
        result.append(Adoption(label, people, with_2fa, methods, kind))
    return result


BAR, ROW, LABEL_W, GAP = 320, 26, 190, 6


def chart_svg(groups: list[Adoption]) -> Markup:
    """A horizontal bar chart: each kind's share with 2FA, then its people per method. Text in the SVG is the
    figures themselves, and the SVG has a title and a description for screen readers."""
    lines = []
    for g in groups:
        heading = _("End users with 2FA") if g.kind == END_USER else _("Agents with 2FA")
        lines.append((heading, g.share, _("%(share)d%% (%(with_2fa)d of %(people)d)", share=g.share,
                                        with_2fa=g.with_2fa, people=g.people), True))
        for name, n in g.by_method:
            share = round(100 * n / g.people) if g.people else 0
            lines.append((f"  {name}", share, _("%(people)d (%(share)d%%)", people=n, share=share), False))
    height = ROW * len(lines) + GAP
    width = LABEL_W + BAR + 130
    title = _("2FA adoption")
    desc = "; ".join(_("%(label)s: %(figures)s", label=label.strip(), figures=said)
                     for label, _share, said, _main in lines)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="adoption-svg-title '
             f'adoption-svg-desc" viewBox="0 0 {width} {height}" width="100%" class="adoption-chart">',
             f'<title id="adoption-svg-title">{escape(title)}</title>',
             f'<desc id="adoption-svg-desc">{escape(desc)}</desc>']
    for i, (label, share, said, main) in enumerate(lines):
        y = GAP + i * ROW
        weight = ' font-weight="700"' if main else ""
        parts.append(f'<text x="0" y="{y + 15}" class="chart-text"{weight}>{escape(label.strip())}</text>')
        parts.append(f'<rect x="{LABEL_W}" y="{y}" width="{BAR}" height="18" class="chart-track"/>')
        parts.append(f'<rect x="{LABEL_W}" y="{y}" width="{BAR * share // 100}" height="18" '
                     f'class="chart-bar{" chart-bar-main" if main else ""}"/>')
        parts.append(f'<text x="{LABEL_W + BAR + 8}" y="{y + 15}" class="chart-text">{escape(said)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


bp.add_app_template_global(statuses, "tfa_statuses")
