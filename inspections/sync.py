"""The tablets' batch sync: each record is created, a duplicate of one sent before, held in
quarantine for a manager, or invalid; the batch goes on whatever one record holds, and
sending it again changes nothing."""

import json
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from assets.models import Asset
from assets.selectors import user_scope_ids
from inspections import payload, recording
from inspections.errors import InspectionError
from inspections.models import Inspection, Quarantine


@dataclass
class SyncResult:
    uuid: str
    status: str  # created | duplicate | conflict | invalid
    inspection: int | None = None
    quarantine: int | None = None
    code: str = ""
    errors: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        result = {"uuid": self.uuid, "status": self.status}
        if self.inspection:
            result["inspection"] = self.inspection
        if self.quarantine:
            result["quarantine"] = self.quarantine
        if self.code:
            result["code"] = self.code
        if self.errors:
            result["errors"] = self.errors
        return result


def sync_received(*, records: list, inspector, device=None) -> list[SyncResult]:
    """Sync records as a tablet sent them (JSON): each is read by payload.parse_item, and
    one that does not read is invalid with its field errors."""
    results: list[SyncResult | None] = [None] * len(records)
    valid, positions = [], []
    for index, raw in enumerate(records):
        item, errors = payload.parse_item(raw)
        if item is None:
            uuid = raw.get("uuid") if isinstance(raw, dict) else None
            results[index] = SyncResult(str(uuid or ""), "invalid", code="invalid", errors=errors)
        else:
            valid.append(item)
            positions.append(index)
    synced = sync_batch(items=valid, inspector=inspector, device=device)
    for index, result in zip(positions, synced, strict=True):
        results[index] = result
    return results


def sync_batch(*, items: list[dict], inspector, device=None) -> list[SyncResult]:
    """Record a batch of parsed field records. Each gets its own result; the batch goes on
    whatever one record holds, and sending it again changes nothing."""
    look = recording.Lookups(items)
    scope = user_scope_ids(inspector)
    received_at = timezone.now()
    results: list[SyncResult | None] = [None] * len(items)
    pending: list[tuple[int, dict, Inspection, dict]] = []
    seen: dict = {}
    for index, item in enumerate(items):
        digest = recording.content_hash(item)
        key = str(item["uuid"])
        if item["uuid"] in seen:  # the same record twice in one batch
            first_digest = seen[item["uuid"]]
            results[index] = (
                SyncResult(key, "duplicate")
                if first_digest == digest
                else _quarantine(
                    item,
                    digest,
                    Quarantine.Reason.CHANGED_CONTENT,
                    "sent twice in one batch with other content",
                    inspector,
                    device,
                )
            )
            continue
        seen[item["uuid"]] = digest
        known = look.existing.get(item["uuid"])
        if known is not None:
            results[index] = (
                SyncResult(key, "duplicate", inspection=known[0])
                if known[1] == digest
                else _quarantine(
                    item,
                    digest,
                    Quarantine.Reason.CHANGED_CONTENT,
                    "a record with this id and other content was already synced",
                    inspector,
                    device,
                )
            )
            continue
        held = look.held.get((item["uuid"], digest))
        if held is not None:
            results[index] = SyncResult(key, "conflict", quarantine=held[0], code=held[1])
            continue
        asset = look.assets.get(item["asset"])
        in_scope = asset is not None and (scope is None or asset.owner_id in scope)
        if asset is None or (not in_scope and not _changed_since(asset, item)):
            results[index] = SyncResult(
                key,
                "invalid",
                code="unknown_asset",
                errors={"asset": ["no such asset of your organisation"]},
            )
            continue
        if not in_scope:
            results[index] = _quarantine(
                item,
                digest,
                Quarantine.Reason.OWNER_CHANGED,
                "the asset changed owner since the work pack",
                inspector,
                device,
            )
            continue
        if asset.status != Asset.Status.IN_SERVICE:
            results[index] = _quarantine(
                item,
                digest,
                Quarantine.Reason.ASSET_RETIRED,
                "the asset was retired",
                inspector,
                device,
            )
            continue
        try:
            checked = recording.check(item, asset, look, inspector)
        except InspectionError as exc:
            results[index] = SyncResult(
                key, "invalid", code=exc.code, errors=exc.errors or {"_": [str(exc)]}
            )
            continue
        pending.append(
            (
                index,
                item,
                recording.build(
                    item, asset, checked, inspector, device, digest, received_at=received_at
                ),
                checked,
            )
        )
    # Two corrections of one record in one batch: the second is refused like any other.
    corrected = set()
    for index, item, _built, checked in list(pending):
        target = checked["supersedes"]
        if target is not None:
            if target.pk in corrected:
                pending.remove((index, item, _built, checked))
                results[index] = SyncResult(
                    str(item["uuid"]),
                    "invalid",
                    code="invalid",
                    errors={"supersedes": ["already superseded"]},
                )
            corrected.add(target.pk)
    if pending:
        try:
            with transaction.atomic():
                recording.records_save(
                    pending=[(item, built, checked) for _, item, built, checked in pending],
                    look=look,
                    inspector=inspector,
                )
        except IntegrityError:
            if len(pending) == 1:
                # A retry raced the original: it is now a duplicate (or a conflict).
                return sync_batch(items=items, inspector=inspector, device=device)
            for index, item, _built, _checked in pending:
                results[index] = sync_batch(items=[item], inspector=inspector, device=device)[0]
            pending = []
        for index, item, built, _checked in pending:
            results[index] = SyncResult(str(item["uuid"]), "created", inspection=built.pk)
    return results


def _quarantine(item, digest, reason, detail, inspector, device) -> SyncResult:
    record, _ = Quarantine.objects.get_or_create(
        uuid=item["uuid"],
        content_hash=digest,
        defaults={
            "payload": json.loads(json.dumps(item, default=recording.canonical)),
            "reason": reason,
            "detail": detail,
            "inspector": inspector,
            "organization_id": inspector.organization_id,
            "device": device,
        },
    )
    return SyncResult(str(item["uuid"]), "conflict", quarantine=record.pk, code=reason)


def _changed_since(asset, item: dict) -> bool:
    cursor = item.get("pack_cursor")
    return cursor is not None and asset.change_seq > cursor
