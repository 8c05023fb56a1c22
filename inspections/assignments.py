"""Assignments: sending an inspector to assets by a due date, within the rules of who may
send whom where."""

import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts import policy
from accounts.policy import Right
from assets.models import Asset
from assets.selectors import user_scope_ids
from inspections.errors import InspectionError
from inspections.models import Assignment, AssignmentAsset

ASSIGNMENT_MAX_ASSETS = 2000  # a day's route is tens; this is a whole district at most


class AssignmentError(InspectionError):
    """An assignment the rules refuse; `errors` names the field at fault."""


def _assignment_refused(message: str, *, code: str, field_name: str):
    return AssignmentError(message, code=code, errors={field_name: [message]})


def _asset_ids(assets, limit: int) -> list[int]:
    """The assets' ids in the order given, each once; a queryset is read up to `limit`."""
    if isinstance(assets, QuerySet):
        return list(dict.fromkeys(assets.values_list("pk", flat=True)[:limit]))
    ids = []
    for asset in assets:
        try:
            ids.append(int(asset.pk if isinstance(asset, Asset) else asset))
        except (TypeError, ValueError):
            raise _assignment_refused(
                "Not an asset.", code="asset_out_of_scope", field_name="assets"
            ) from None
    return list(dict.fromkeys(ids))


@transaction.atomic
def assignment_create(
    *,
    name: str,
    inspector,
    assets,
    due_on: datetime.date,
    acting_user,
    max_assets: int = ASSIGNMENT_MAX_ASSETS,
) -> Assignment:
    """Send an inspector to assets by a due date. The acting user manages the inspector's
    organisation and every asset's owner; the inspector may see every asset (a work pack
    holds no other); the assets are in service. All of it holds, or nothing is saved."""
    scope = user_scope_ids(acting_user)
    if not policy.may(acting_user, Right.ASSIGN_INSPECTIONS):
        raise _assignment_refused(
            "Only managers and section staff assign inspections.",
            code="forbidden",
            field_name="__all__",
        )
    title = (name or "").strip()
    if not title:
        raise _assignment_refused(
            "Give the assignment a name.", code="name_required", field_name="name"
        )
    if len(title) > Assignment._meta.get_field("title").max_length:
        raise _assignment_refused("The name is too long.", code="name_too_long", field_name="name")
    if (
        inspector is None
        or not inspector.is_active
        or getattr(inspector, "role", "") != inspector.Role.INSPECTOR
    ):
        raise _assignment_refused(
            "Only an inspector can be assigned.", code="not_an_inspector", field_name="inspector"
        )
    if scope is not None and inspector.organization_id not in scope:
        raise _assignment_refused(
            "The inspector is not of your organisations.",
            code="inspector_out_of_scope",
            field_name="inspector",
        )
    if due_on is None:
        raise _assignment_refused("Give a due date.", code="due_required", field_name="due_on")
    if due_on < timezone.localdate():
        raise _assignment_refused(
            "The due date is in the past.", code="due_in_past", field_name="due_on"
        )
    ids = _asset_ids(assets, max_assets + 1)
    if not ids:
        raise _assignment_refused(
            "Choose at least one asset.", code="no_assets", field_name="assets"
        )
    if len(ids) > max_assets:
        raise _assignment_refused(
            f"At most {max_assets} assets go in one assignment.",
            code="too_many_assets",
            field_name="assets",
        )
    found = {
        pk: (owner_id, status)
        for pk, owner_id, status in Asset.objects.filter(pk__in=ids).values_list(
            "pk", "owner_id", "status"
        )
    }
    if any(pk not in found or (scope is not None and found[pk][0] not in scope) for pk in ids):
        raise _assignment_refused(
            "Some assets are not of your organisations.",
            code="asset_out_of_scope",
            field_name="assets",
        )
    if any(found[pk][1] != Asset.Status.IN_SERVICE for pk in ids):
        raise _assignment_refused(
            "Some assets are not in service.", code="asset_not_in_service", field_name="assets"
        )
    reach = user_scope_ids(inspector)
    if reach is not None and any(found[pk][0] not in reach for pk in ids):
        raise _assignment_refused(
            "Some assets belong to organisations the inspector cannot see.",
            code="asset_out_of_inspector_scope",
            field_name="assets",
        )
    assignment = Assignment(
        inspector=inspector,
        organization_id=inspector.organization_id,
        title=title,
        due_date=due_on,
        created_by=acting_user if getattr(acting_user, "pk", None) else None,
    )
    assignment.full_clean()
    assignment.save()
    AssignmentAsset.objects.bulk_create(
        [
            AssignmentAsset(assignment=assignment, asset_id=pk, position=position)
            for position, pk in enumerate(ids, start=1)
        ]
    )
    return assignment
