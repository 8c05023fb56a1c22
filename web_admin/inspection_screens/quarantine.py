"""Field records held in quarantine, and a manager's decision on one."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

import inspections.quarantine
from assets.models import Asset
from inspections import held, selectors
from inspections.errors import InspectionError
from web_admin.access import is_manager, staff_required
from web_admin.inspection_screens.common import screen_context

RECORDS_PER_PAGE = 25
RESOLVE_ERRORS = {
    "forbidden": gettext_lazy("Only a manager of the organisation decides."),
    "already_resolved": gettext_lazy("This record was already decided."),
}
FIELD_LABELS = {
    "performed_at": gettext_lazy("Performed at"),
    "kind": gettext_lazy("Kind"),
    "grade": gettext_lazy("Grade"),
    "notes": gettext_lazy("Notes"),
    "defects": gettext_lazy("Defects"),
}


def _shown(value) -> str:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return value or "—"


def _item(record: held.HeldRecord) -> dict:
    """What the template shows of a held record, its differences in the user's language."""
    return {
        "record": record.record,
        "asset_id": record.asset_id,
        "asset": record.asset,
        "held": record.held,
        "synced": record.synced,
        "differences": [
            {
                "label": str(FIELD_LABELS[key]),
                "synced": _shown(record.was[key]),
                "held": _shown(record.held[key]),
            }
            for key in record.differing
        ],
    }


@require_safe
@staff_required
def quarantine(request):
    """Field records the server could not take as they were, waiting for a manager."""
    decided = request.GET.get("show") == "decided"
    page = Paginator(
        held.quarantine_listed(request.user, decided=decided), RECORDS_PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "web_admin/inspections/quarantine.html",
        screen_context(
            "quarantine",
            page=page,
            items=[_item(r) for r in held.held_records(request.user, list(page))],
            decided=decided,
            can_decide=is_manager(request.user),
        ),
    )


@require_POST
@staff_required
def quarantine_resolve(request, pk: int):
    """Accept a held record (it becomes a correction of the one with its id) or discard it."""
    if not is_manager(request.user):
        raise PermissionDenied
    record = get_object_or_404(selectors.quarantine_for_user(request.user), pk=pk)
    decision = request.POST.get("decision")
    if decision not in ("accept", "discard"):
        messages.error(request, _("Choose to accept or to discard the record."))
        return redirect("manage-quarantine")
    try:
        inspections.quarantine.quarantine_resolve(
            record=record, accept=decision == "accept", acting_user=request.user
        )
    except InspectionError as exc:
        messages.error(
            request,
            RESOLVE_ERRORS.get(exc.code)
            or _("The record cannot be recorded as it is: %(detail)s") % {"detail": exc},
        )
    except Asset.DoesNotExist:
        messages.error(request, _("The asset of this record no longer exists."))
    else:
        messages.success(
            request,
            _("The record was recorded as a correction.")
            if decision == "accept"
            else _("The record was discarded."),
        )
    return redirect("manage-quarantine")
