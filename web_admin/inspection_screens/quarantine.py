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
from accounts import cities
from assets.models import Asset
from inspections import held, selectors
from inspections.errors import InspectionError
from web_admin.access import is_manager, staff_required
from web_admin.inspection_screens.common import screen_context
from web_admin.inspection_screens.words import defect_words, grade_words

RECORDS_PER_PAGE = 25
RESOLVE_ERRORS = {
    "forbidden": gettext_lazy("Only a manager of the organisation decides."),
    "already_resolved": gettext_lazy("This record was already decided."),
}
# What inspections.sync writes as a held record's detail, in the reader's language.
HELD_DETAILS = {
    "sent twice in one batch with other content": gettext_lazy(
        "The tablet sent this record twice in one batch, with different content."
    ),
    "a record with this id and other content was already synced": gettext_lazy(
        "A record with the same id and different content was already synced."
    ),
    "the asset changed owner since the work pack": gettext_lazy(
        "The asset changed owner after the work pack was made."
    ),
    "the asset was retired": gettext_lazy("The asset was retired."),
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


def _payload_defects(record: held.HeldRecord) -> list[dict]:
    """The held record's defects as the tablet sent them (read defensively)."""
    payload = record.record.payload if isinstance(record.record.payload, dict) else {}
    defects = payload.get("defects")
    return [d for d in defects if isinstance(d, dict)] if isinstance(defects, list) else []


def _synced_defects(record: held.HeldRecord) -> list[dict]:
    if record.synced is None:
        return []
    return [
        {"component": d.component, "kind": d.kind, "grade": d.grade}
        for d in record.synced.defects.all()
    ]


def _item(record: held.HeldRecord, categories: dict, checklists: dict) -> dict:
    """What the template shows of a held record, its codes in words and its differences in
    the user's language (a part sent as a checklist key is named by the type's checklist)."""
    asset_type = record.asset.asset_type if record.asset is not None else None
    checklist = checklists.get(asset_type.pk) if asset_type is not None else None
    items = checklist.items if checklist is not None else ()

    def words(key, values, defects) -> str:
        if key == "grade":
            return grade_words(asset_type, values["grade"]) or "—"
        if key == "defects":
            text = "; ".join(
                defect_words(d, asset_type=asset_type, categories=categories, items=items)
                for d in defects
            )
            return text or "—"
        return _shown(values[key])

    detail = record.record.detail
    return {
        "record": record.record,
        "detail": HELD_DETAILS.get(detail, detail),
        "asset_id": record.asset_id,
        "asset": record.asset,
        "held": record.held,
        "held_grade": words("grade", record.held, ()),
        "held_defects": words("defects", record.held, _payload_defects(record)),
        "synced": record.synced,
        "differences": [
            {
                "label": str(FIELD_LABELS[key]),
                "synced": words(key, record.was, _synced_defects(record)),
                "held": words(key, record.held, _payload_defects(record)),
            }
            for key in record.differing
        ],
    }


def _items(user, records) -> list[dict]:
    records = held.held_records(user, records)
    categories = selectors.fault_categories_by_code(
        d.get("kind") for r in records for d in [*_payload_defects(r), *_synced_defects(r)]
    )
    checklists = selectors.current_checklists_by_type(
        {r.asset.asset_type_id for r in records if r.asset is not None}
    )
    return [_item(r, categories, checklists) for r in records]


@require_safe
@staff_required
def quarantine(request):
    """Field records the server could not take as they were, waiting for a manager."""
    decided = request.GET.get("show") == "decided"
    listed = cities.in_city(
        held.quarantine_listed(request.user, decided=decided), request, "organization__city"
    )
    page = Paginator(listed, RECORDS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "web_admin/inspections/quarantine.html",
        screen_context(
            "quarantine",
            page=page,
            items=_items(request.user, list(page)),
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
    record = get_object_or_404(selectors.quarantine_for_user(request.user, request), pk=pk)
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
