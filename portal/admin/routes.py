"""Admin home and the "confirm it's you" page asked for before a sensitive change."""
from flask import redirect, request, url_for

from ..safe_url import local_path
from ..twofactor.fresh import check_proof
from ..twofactor.forms import ProofForm
from . import bp
from .access import admin_required, me, render


@bp.route("/")
@admin_required
def index():
    from .compliance import adoption, chart_svg

    groups = adoption()
    return render("admin/index.html", adoption=groups, adoption_chart=chart_svg(groups))


@bp.route("/confirm", methods=["GET", "POST"])
@admin_required
def confirm():
    form = ProofForm()
    next_path = local_path(request.values.get("next")) or url_for("admin.index")
    status = 200
    if request.method == "POST":
        proved, status = check_proof(me(), form)
        if proved:
            return redirect(next_path)
    return render("security/confirm.html", status, form=form, action=url_for("admin.confirm"),
                  carried=[("next", next_path)], keeps_change=False)
