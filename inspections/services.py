"""Writes about inspections: checklists, recording synced field records, the condition
summary, faults from defects, corrections and the quarantine."""

import datetime
import hashlib
import json
import uuid
from dataclasses import dataclass, field

from django.contrib.gis.geos import Point
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts import policy
from accounts.errors import DomainError
from accounts.policy import Right
from assets import versions
from assets.models import Asset, AssetType, FaultCategory
from assets.scales import UnknownGrade
from assets.selectors import user_scope_ids
from assets.services import next_inspection_due
from inspections import catalogue
from inspections.models import (
    Assignment,
    AssignmentAsset,
    ChecklistTemplate,
    Defect,
    Inspection,
    InspectionPhoto,
    Quarantine,
)
from reports import intake, photo_store
from reports import services as report_services
from reports.models import Report
from reports.photos import process_photo

ITEM_KINDS = ("ok_defect", "number", "choice", "text")


class InspectionError(DomainError):
    def __init__(self, message: str, *, code: str, errors: dict | None = None):
        super().__init__(message, code=code)
        self.errors = errors or {}


# --- Checklists -------------------------------------------------------------------------------


def checklist_items_problems(items) -> list[str]:
    if not isinstance(items, list) or not items:
        return ["a checklist needs a list of items"]
    problems, keys = [], set()
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("key"), str):
            problems.append(f"item {index}: needs a key")
            continue
        if item["key"] in keys:
            problems.append(f"item {item['key']!r}: key used twice")
        keys.add(item["key"])
        if item.get("kind") not in ITEM_KINDS:
            problems.append(f"item {item['key']!r}: kind must be one of {', '.join(ITEM_KINDS)}")
        if item.get("kind") == "choice" and not item.get("choices"):
            problems.append(f"item {item['key']!r}: a choice needs choices")
    return problems


@transaction.atomic
def checklist_publish(*, asset_type: AssetType, items: list) -> ChecklistTemplate:
    """A new version of a type's checklist; the old versions stay for old inspections."""
    if problems := checklist_items_problems(items):
        raise InspectionError("; ".join(problems), code="invalid_checklist")
    current = ChecklistTemplate.objects.filter(asset_type=asset_type, is_current=True).first()
    if current is not None and current.items == items:
        return current
    last = ChecklistTemplate.objects.filter(asset_type=asset_type).order_by("-version").first()
    ChecklistTemplate.objects.filter(asset_type=asset_type, is_current=True).update(
        is_current=False
    )
    return ChecklistTemplate.objects.create(
        asset_type=asset_type, version=(last.version + 1) if last else 1, items=items
    )


def checklists_install() -> int:
    """The standard checklists for the types the catalogue knows (idempotent)."""
    published = 0
    for asset_type in AssetType.objects.filter(code__in=catalogue.CHECKLISTS):
        before = ChecklistTemplate.objects.filter(asset_type=asset_type).count()
        checklist_publish(asset_type=asset_type, items=catalogue.CHECKLISTS[asset_type.code])
        published += ChecklistTemplate.objects.filter(asset_type=asset_type).count() - before
    return published


def _checked_answers(template: ChecklistTemplate | None, answers: dict) -> dict:
    if template is None:
        if answers:
            raise InspectionError(
                "Answers need a checklist version.",
                code="invalid",
                errors={"template_version": ["required with answers"]},
            )
        return {}
    items = {item["key"]: item for item in template.items}
    errors = {}
    for key, value in answers.items():
        item = items.get(key)
        if item is None:
            errors[key] = ["not an item of this checklist"]
            continue
        kind = item["kind"]
        if kind == "ok_defect" and value not in ("ok", "defect", "n/a"):
            errors[key] = ["must be ok, defect or n/a"]
        elif kind == "number":
            if isinstance(value, bool) or not isinstance(value, int | float):
                errors[key] = ["must be a number"]
            elif not (item.get("min", float("-inf")) <= value <= item.get("max", float("inf"))):
                errors[key] = [f"must be within {item.get('min')}..{item.get('max')}"]
        elif kind == "choice" and value not in item.get("choices", []):
            errors[key] = [f"must be one of {', '.join(item['choices'])}"]
        elif kind == "text" and (not isinstance(value, str) or len(value) > 1000):
            errors[key] = ["must be text of at most 1000 characters"]
    if errors:
        raise InspectionError(
            "Some answers do not fit the checklist.", code="invalid", errors={"answers": errors}
        )
    return answers


# --- Recording --------------------------------------------------------------------------------


def _canonical(value):
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()  # one instant, one text
    return str(value)


def content_hash(item: dict) -> str:
    """A fingerprint of what the inspector recorded, the transport details left out."""
    recorded = {k: v for k, v in item.items() if k not in ("pack_cursor",)}
    text = json.dumps(
        recorded, sort_keys=True, default=_canonical, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(text.encode()).hexdigest()


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


@dataclass(frozen=True)
class _AssetRow:
    pk: int
    owner_id: int
    status: str
    change_seq: int
    asset_type: AssetType

    @property
    def asset_type_id(self) -> int:
        return self.asset_type.pk


class _Lookups:
    """Everything a batch of records refers to, fetched in a handful of queries."""

    def __init__(self, items: list[dict]):
        uuids = [item["uuid"] for item in items]
        self.existing = {
            u: (pk, digest)
            for u, pk, digest in Inspection.objects.filter(uuid__in=uuids).values_list(
                "uuid", "pk", "content_hash"
            )
        }
        self.held = {
            (u, digest): (pk, reason)
            for u, digest, pk, reason in Quarantine.objects.filter(uuid__in=uuids).values_list(
                "uuid", "content_hash", "pk", "reason"
            )
        }
        # Plain rows, not model instances: building a thousand assets (with their
        # geometries) would cost more than the whole insert.
        rows = Asset.objects.filter(pk__in={item["asset"] for item in items}).values_list(
            "pk", "owner_id", "status", "change_seq", "asset_type_id"
        )
        type_ids = {row[4] for row in rows}
        types = AssetType.objects.in_bulk(type_ids)
        self.assets = {
            pk: _AssetRow(pk, owner_id, status, seq, types[type_id])
            for pk, owner_id, status, seq, type_id in rows
        }
        self.templates = {
            (t.asset_type_id, t.version): t
            for t in ChecklistTemplate.objects.filter(asset_type_id__in=type_ids)
        }
        self.categories: dict[int, dict[str, FaultCategory]] = {t: {} for t in type_ids}
        links = AssetType.categories.through.objects.filter(assettype_id__in=type_ids)
        for link in links.select_related("faultcategory"):
            self.categories[link.assettype_id][link.faultcategory.code] = link.faultcategory
        targets = {item["supersedes"] for item in items if item.get("supersedes")}
        self.supersedes = (
            {
                i.uuid: i
                for i in Inspection.objects.filter(uuid__in=targets).select_related("superseded_by")
            }
            if targets
            else {}
        )
        numbers = {item["report"] for item in items if item.get("report")}
        self.reports = {r.number: r for r in Report.objects.filter(number__in=numbers)}
        wanted = {item["assignment"] for item in items if item.get("assignment")}
        self.assignments = Assignment.objects.in_bulk(wanted) if wanted else {}


def _check(item: dict, asset: Asset, look: _Lookups, inspector) -> dict:
    """The record's references, checked against the asset's type, scale and checklist."""
    asset_type = asset.asset_type
    grade = _scale_grade(asset_type, item["overall_grade"], "overall_grade")
    template = None
    if item.get("template_version") is not None:
        template = look.templates.get((asset_type.pk, item["template_version"]))
        if template is None:
            raise InspectionError(
                "Unknown checklist version.",
                code="invalid",
                errors={"template_version": ["no such version for this type"]},
            )
    answers = _checked_answers(template, item.get("answers") or {})
    supersedes = None
    if item.get("supersedes"):
        supersedes = look.supersedes.get(item["supersedes"])
        if supersedes is None or supersedes.asset_id != asset.pk:
            raise InspectionError(
                "The corrected inspection is unknown.",
                code="invalid",
                errors={"supersedes": ["no inspection of this asset"]},
            )
        if hasattr(supersedes, "superseded_by"):
            raise InspectionError(
                "That inspection was already corrected.",
                code="invalid",
                errors={"supersedes": ["already superseded"]},
            )
    report = None
    if item.get("report"):
        report = look.reports.get(item["report"])
        if report is None or report.asset_id != asset.pk:
            raise InspectionError(
                "Unknown report for this asset.",
                code="invalid",
                errors={"report": ["no such report of this asset"]},
            )
    assignment = look.assignments.get(item.get("assignment"))
    if assignment is not None and assignment.inspector_id != inspector.pk:
        assignment = None
    categories = look.categories.get(asset_type.pk, {})
    for index, defect in enumerate(item.get("defects") or []):
        if defect["kind"] not in categories:
            raise InspectionError(
                "Unknown defect kind.",
                code="invalid",
                errors={f"defects.{index}.kind": ["not a fault of this type"]},
            )
        _scale_grade(asset_type, defect["grade"], f"defects.{index}.grade")
    return {
        "grade": grade,
        "template": template,
        "answers": answers,
        "supersedes": supersedes,
        "report": report,
        "assignment": assignment,
    }


def _build(item, asset, checked, inspector, device, digest) -> Inspection:
    gps = item.get("gps")
    grade = checked["grade"]
    return Inspection(
        uuid=item["uuid"],
        asset_id=asset.pk,
        inspector=inspector,
        organization_id=inspector.organization_id or asset.owner_id,
        assignment=checked["assignment"],
        kind=item["kind"],
        performed_at=item["performed_at"],
        gps=Point(gps["lon"], gps["lat"], srid=4326) if gps else None,
        gps_accuracy_m=gps.get("accuracy") if gps else None,
        overall_grade=grade.code,
        grade_rank=grade.rank,
        template=checked["template"],
        answers=checked["answers"],
        notes=item.get("notes") or "",
        supersedes=checked["supersedes"],
        report=checked["report"],
        content_hash=digest,
        device=device,
    )


def _save(pending: list[tuple[dict, Inspection, dict]], look: _Lookups, inspector) -> None:
    """Write new inspections with their defects, then what follows from them: the assets'
    conditions, faults for action grades, closed loops. One transaction."""
    inspections = Inspection.objects.bulk_create([built for _, built, _ in pending])
    if inspections and inspections[0].pk is None:  # backends that do not return ids
        ids = dict(
            Inspection.objects.filter(uuid__in=[i.uuid for i in inspections]).values_list(
                "uuid", "pk"
            )
        )
        for inspection in inspections:
            inspection.pk = ids[inspection.uuid]
    defects = Defect.objects.bulk_create(
        [
            Defect(
                inspection=inspection,
                position=index,
                component=d.get("component") or "",
                kind=d["kind"],
                grade=d["grade"],
                measurement=d.get("measurement"),
                unit=d.get("unit") or "",
                notes=d.get("notes") or "",
            )
            for (item, inspection, _), _inspection in zip(pending, inspections, strict=True)
            for index, d in enumerate(item.get("defects") or [])
        ]
    )
    if defects and defects[0].pk is None:
        defects = list(Defect.objects.filter(inspection__in=inspections))
    by_inspection: dict[int, list[Defect]] = {}
    for defect in defects:
        by_inspection.setdefault(defect.inspection_id, []).append(defect)
    types = {i.asset_id: look.assets[i.asset_id].asset_type for i in inspections}
    conditions_refresh({inspection.asset_id for inspection in inspections}, types=types)
    for _item, inspection, checked in pending:
        asset_type = types[inspection.asset_id]
        grade = checked["grade"]
        mine = by_inspection.get(inspection.pk, [])
        scale = asset_type.grading_scale
        if grade.calls_for_action or any(scale.grade(d.grade).calls_for_action for d in mine):
            _raise_faults(inspection, mine, look.categories[asset_type.pk], grade, inspector)
        _close_loop(inspection, grade)


def sync_batch(*, items: list[dict], inspector, device=None) -> list[SyncResult]:
    """Record a batch of parsed field records. Each gets its own result; the batch goes on
    whatever one record holds, and sending it again changes nothing."""
    look = _Lookups(items)
    scope = user_scope_ids(inspector)
    results: list[SyncResult | None] = [None] * len(items)
    pending: list[tuple[int, dict, Inspection, dict]] = []
    seen: dict = {}
    for index, item in enumerate(items):
        digest = content_hash(item)
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
            checked = _check(item, asset, look, inspector)
        except InspectionError as exc:
            results[index] = SyncResult(
                key, "invalid", code=exc.code, errors=exc.errors or {"_": [str(exc)]}
            )
            continue
        pending.append(
            (index, item, _build(item, asset, checked, inspector, device, digest), checked)
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
                _save(
                    [(item, built, checked) for _, item, built, checked in pending], look, inspector
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


def inspection_sync_item(*, item: dict, inspector, device=None) -> SyncResult:
    return sync_batch(items=[item], inspector=inspector, device=device)[0]


def _quarantine(item, digest, reason, detail, inspector, device) -> SyncResult:
    record, _ = Quarantine.objects.get_or_create(
        uuid=item["uuid"],
        content_hash=digest,
        defaults={
            "payload": json.loads(json.dumps(item, default=_canonical)),
            "reason": reason,
            "detail": detail,
            "inspector": inspector,
            "organization_id": inspector.organization_id,
            "device": device,
        },
    )
    return SyncResult(str(item["uuid"]), "conflict", quarantine=record.pk, code=reason)


def _scale_grade(asset_type: AssetType, code: str, field_name: str):
    try:
        return asset_type.grading_scale.grade(code)
    except UnknownGrade:
        raise InspectionError(
            f"{code!r} is not a grade of the {asset_type.grading_scale.name_en} scale.",
            code="invalid",
            errors={field_name: [f"not a grade of {asset_type.grading_scale.code}"]},
        ) from None


def _changed_since(asset: Asset, item: dict) -> bool:
    cursor = item.get("pack_cursor")
    return cursor is not None and asset.change_seq > cursor


def inspection_record(*, item: dict, asset: Asset, inspector, device=None) -> Inspection:
    """Save one checked record (a manager's decision on a quarantined one), in the caller's
    transaction."""
    look = _Lookups([item])
    checked = _check(item, asset, look, inspector)
    built = _build(item, asset, checked, inspector, device, content_hash(item))
    _save([(item, built, checked)], look, inspector)
    return built


def conditions_refresh(asset_ids, *, types: dict | None = None) -> None:
    """Each asset's current grade, last inspection and next due date, from its latest
    effective inspection (a correction replaces what it corrects; an older record arriving
    late never overwrites a newer one)."""
    asset_ids = list(asset_ids)
    if types is None:
        types = {
            asset.pk: asset.asset_type
            for asset in Asset.objects.select_related("asset_type")
            .only("id", "asset_type")
            .filter(pk__in=asset_ids)
        }
    latest: dict[int, tuple] = {}
    rows = (
        Inspection.objects.filter(asset_id__in=asset_ids, superseded_by__isnull=True)
        .order_by("asset_id", "-performed_at", "-id")
        .values_list("asset_id", "overall_grade", "grade_rank", "performed_at")
    )
    for asset_id, grade, rank, performed_at in rows.iterator(chunk_size=2000):
        latest.setdefault(asset_id, (grade, rank, performed_at))
    values = []
    for asset_id in asset_ids:
        grade, rank, performed_at = latest.get(asset_id, ("", None, None))
        inspected = timezone.localdate(performed_at) if performed_at else None
        values.append(
            (grade, rank, inspected, next_inspection_due(types[asset_id], inspected), asset_id)
        )
    # Django's bulk_update builds a CASE per field and row: ten times slower for a thousand
    # assets than one UPDATE joined to a VALUES list (PostgreSQL) or plain UPDATEs sent
    # together (SQLite, where statements cost no round trip).
    table = Asset._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for start in range(0, len(values), 1000):
                chunk = values[start : start + 1000]
                rows = ", ".join(
                    ["(%s, %s::smallint, %s::date, %s::date, %s::bigint)"] * len(chunk)
                )
                cursor.execute(
                    f"UPDATE {table} AS a SET condition_grade = v.g, condition_rank = v.r, "
                    "last_inspected_on = v.li, next_inspection_due = v.nd "
                    f"FROM (VALUES {rows}) AS v(g, r, li, nd, id) WHERE a.id = v.id",
                    [value for row in chunk for value in row],
                )
        else:
            cursor.executemany(
                f"UPDATE {table} SET condition_grade = %s, condition_rank = %s, "
                "last_inspected_on = %s, next_inspection_due = %s WHERE id = %s",
                values,
            )
    transaction.on_commit(lambda: versions.assets_changed(asset_ids))


def condition_refresh(asset: Asset) -> None:
    conditions_refresh([asset.pk])


def _other_category(categories: dict[str, FaultCategory]) -> FaultCategory | None:
    return next((c for code, c in categories.items() if code.endswith("-other")), None)


def _raise_faults(inspection, defects, categories, grade, inspector) -> None:
    """A grade that calls for action raises a fault in the repair queue, or joins the open
    fault of the same kind on the asset (never a second one)."""
    asset = Asset.objects.select_related("asset_type", "owner").get(pk=inspection.asset_id)
    scale = asset.asset_type.grading_scale
    wanted = [(d, categories[d.kind]) for d in defects if scale.grade(d.grade).calls_for_action]
    if not wanted and grade.calls_for_action and (other := _other_category(categories)):
        wanted = [(None, other)]
    for defect, category in wanted:
        open_fault = (
            Report.objects.filter(asset=asset, category=category, status__in=Report.OPEN_STATUSES)
            .order_by("created_at")
            .first()
        )
        if open_fault is None:
            text = inspection.notes
            if defect is not None:
                text = f"{defect.component}: {defect.kind} ({defect.grade}) {defect.notes}".strip()
            open_fault = intake.report_intake(
                channel=Report.Source.INSPECTION,
                acting_user=inspector,
                category=category,
                asset=asset,
                description=f"[{inspection.overall_grade}] {text}".strip(),
                defect_grade=defect.grade if defect is not None else inspection.overall_grade,
                join=intake.Join.ATTACH,
            ).report
        if defect is not None:
            Defect.objects.filter(pk=defect.pk).update(fault=open_fault)


def _close_loop(inspection: Inspection, grade) -> None:
    """A follow-up after a repair that finds the asset sound marks the report fixed."""
    report = inspection.report
    if (
        inspection.kind == Inspection.Kind.FOLLOW_UP
        and report is not None
        and report.is_open
        and not grade.calls_for_action
    ):
        report_services.report_fix(
            report=report,
            note="点検で補修を確認しました / Repair confirmed by inspection",
            acting_user=policy.SYSTEM,
        )


# --- The quarantine ---------------------------------------------------------------------------


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


# --- Photos -----------------------------------------------------------------------------------


def inspection_photo_add(
    *, inspection: Inspection, data: bytes, defect: Defect | None = None, sha256: str = ""
) -> tuple[InspectionPhoto, bool]:
    """Add a photo to an inspection, once per content: (photo, created). `sha256`, when the
    tablet declared one, must match the bytes received."""
    digest = hashlib.sha256(data).hexdigest()
    if sha256 and sha256.lower() != digest:
        raise InspectionError(
            "The photo's content does not match its checksum.", code="checksum_mismatch"
        )
    existing = InspectionPhoto.objects.filter(inspection=inspection, sha256=digest).first()
    if existing is not None:
        return existing, False
    processed = process_photo(data)
    names = photo_store.photo_files_store(processed, prefix="inspections")
    try:
        with transaction.atomic():
            photo = InspectionPhoto.objects.create(
                inspection=inspection,
                defect=defect,
                sha256=digest,
                original=names[0],
                public=names[1],
                thumbnail=names[2],
                content_type=processed.content_type,
                width=processed.public_size[0],
                height=processed.public_size[1],
                gps=Point(processed.gps[1], processed.gps[0], srid=4326) if processed.gps else None,
                taken_at=processed.taken_at,
            )
    except IntegrityError:
        # The same photo arrived twice at once: keep the first, drop our copy.
        photo_store.delete_files(names)
        return InspectionPhoto.objects.get(inspection=inspection, sha256=digest), False
    except Exception:
        photo_store.delete_files(names)
        raise
    return photo, True


# --- Assignments ------------------------------------------------------------------------------

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
