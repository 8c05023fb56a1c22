"""Work orders on paper (作業指示書): one A4 sheet a report, for one report or a selection.

Whoever may read the reports may print them (the same scope as the report page); a
selection holding any report the user may not read is 404 whole, naming none. Opening a
sheet changes nothing: the QR code leads to the report's staff page. Printing with the
contractor's own link issues a new link, so it is a POST, for those who may change the
report (reports/work_orders.py says why).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts import policy
from accounts.policy import Right
from reports import work_orders
from web_admin.access import staff_required


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def work_order(request, number: str):
    return _sheets(request, [number], selection=False)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def work_order_selection(request):
    """/manage/work-orders/?r=<number>&r=<number>…: the queue's selection, a sheet each."""
    source = request.POST if request.method == "POST" else request.GET
    return _sheets(request, source.getlist("r"), selection=True)


def _sheets(request, numbers: list[str], *, selection: bool):
    user = request.user
    if request.method == "POST" and not policy.may(user, Right.CHANGE_REPORTS):
        raise PermissionDenied
    try:
        orders = work_orders.work_orders_for(user, numbers, where=request)
    except work_orders.WorkOrderError as exc:
        if exc.code == "unknown_report":
            raise Http404 from None
        return _refused(request, exc)
    if request.method == "POST":
        outcome = work_orders.work_order_links_issue(orders=orders, acting_user=user)
        orders = outcome.orders
        _tell(request, outcome)
    return render(
        request,
        "web_admin/work_order.html",
        {
            "nav": "queue",
            "orders": orders,
            "selection": selection,
            "numbers": [order.report.number for order in orders],
            "issuer": user.organization if user.organization_id else None,
            "today": timezone.localdate(),
            "may_issue": [order for order in orders if order.may_issue_link],
            "need_link": [order for order in orders if order.needs_link and order.report.is_open],
            "tile_attribution": work_orders.tile_attribution(),
            "post": request.method == "POST",
        },
    )


def _tell(request, outcome: work_orders.LinksIssued) -> None:
    if outcome.issued:
        messages.success(
            request,
            ngettext(
                "A new link for the contractor is printed on %(count)d sheet: print it now, "
                "this page is the only place it is shown (it is also e-mailed to contractors "
                "with an address). The link sent before no longer works.",
                "New links for the contractors are printed on %(count)d sheets: print them "
                "now, this page is the only place they are shown (they are also e-mailed to "
                "contractors with an address). The links sent before no longer work.",
                len(outcome.issued),
            )
            % {"count": len(outcome.issued)},
        )
    if outcome.failed:
        messages.error(
            request,
            _("The e-mail could not be sent, so no new link was made for: %(numbers)s.")
            % {"numbers": ", ".join(outcome.failed)},
        )
    if not outcome.issued and not outcome.failed:
        messages.info(request, _("None of these reports needed a new link."))


def _refused(request, exc: work_orders.WorkOrderError):
    if exc.code == "too_many":
        text = _("At most %(max)d work orders can be printed at once: choose fewer reports.") % {
            "max": work_orders.MAX_SELECTION
        }
    else:
        text = _("Choose at least one report to print a work order for.")
    return render(
        request, "web_admin/work_order_refused.html", {"nav": "queue", "text": text}, status=400
    )
