"""A manager's decision on a field record held in quarantine: record it after all, or
discard it."""

import datetime
import uuid

from django.db import transaction
from django.utils import timezone

from accounts import policy
from accounts.policy import Right
from assets.models import Asset
from inspections.errors import InspectionError
from inspections.models import Inspection, Quarantine
from inspections.recording import inspection_record


@transaction.atomic
def quarantine_resolve(*, record: Quarantine, accept: bool, acting_user) -> Quarantine:
    """A manager's decision on a held record: record it after all (a changed record becomes a
    correction of the one with its id), or discard it."""
    record = Quarantine.objects.select_for_update().get(pk=record.pk)
    if not policy.may(acting_user, Right.RESOLVE_QUARANTINE, owner_id=record.organization_id):
        raise InspectionError("Only a manager of the organisation decides.", code="forbidden")
    if record.resolved_at is not None:
        raise InspectionError("Already decided.", code="already_resolved")
    if accept:
        item = _payload_item(record.payload)
        asset = Asset.objects.select_related("asset_type").get(pk=item["asset"])
        first = Inspection.objects.filter(uuid=item["uuid"]).first()
        if first is not None:
            # The first version stands in the history; this one corrects it.
            item["supersedes"] = first.uuid
            item["uuid"] = uuid.uuid5(first.uuid, record.content_hash)
        record.inspection = inspection_record(
            item=item, asset=asset, inspector=record.inspector, device=record.device
        )
    record.resolved_at = timezone.now()
    record.resolved_by = policy.author(acting_user)
    record.resolution = (
        Quarantine.Resolution.ACCEPTED if accept else Quarantine.Resolution.DISCARDED
    )
    record.save()
    return record


def _payload_item(payload: dict) -> dict:
    item = dict(payload)
    item["uuid"] = uuid.UUID(str(item["uuid"]))
    if item.get("supersedes"):
        item["supersedes"] = uuid.UUID(str(item["supersedes"]))
    item["performed_at"] = datetime.datetime.fromisoformat(str(item["performed_at"]))
    return item
