"""The import itself: check the whole file, then create and update its assets all at once."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.gis.geos import GEOSGeometry
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Organization
from assets.ledger.columns import (
    LOCATION_FIELDS,
    checked_options,
    header_names,
    location_problems,
    map_columns,
)
from assets.ledger.coordinates import Reprojector
from assets.ledger.problems import Problem, UsageError
from assets.ledger.report import ImportReport
from assets.ledger.rows import CheckedRow, check_duplicates, check_row
from assets.ledger.sources import read_source
from assets.models import Asset, AssetType
from config.progress import Progress, batches, silent

BATCH_SIZE = 500


def import_target(*, type_code: str, owner_code: str) -> tuple[AssetType, Organization]:
    """The asset type and owner named on the command line."""
    asset_type = AssetType.objects.filter(code=type_code).first()
    if asset_type is None:
        known = ", ".join(AssetType.objects.values_list("code", flat=True))
        raise UsageError(
            f"unknown asset type {type_code!r} (known: {known or 'none'})",
            code="unknown_asset_type",
        )
    owner = Organization.objects.filter(code=owner_code).first()
    if owner is None:
        raise UsageError(f"unknown owner {owner_code!r}", code="unknown_owner")
    return asset_type, owner


def _by_ledger_id(owner: Organization, ledger_ids: Iterable[str], *, only=None) -> dict[str, Any]:
    found = {}
    for chunk in batches(sorted(set(ledger_ids)), 900):
        qs = Asset.objects.filter(owner=owner, ledger_id__in=chunk)
        if only:
            qs = qs.only(*only)
        found.update({asset.ledger_id: asset for asset in qs})
    return found


def _same_geometry(old: GEOSGeometry, new: GEOSGeometry) -> bool:
    # A round trip through the database may move the last bit of a double.
    return old.geom_type == new.geom_type and old.equals_exact(new, tolerance=1e-9)


@dataclass
class _Plan:
    create: list[Asset] = field(default_factory=list)
    update: list[Asset] = field(default_factory=list)
    update_fields: set[str] = field(default_factory=set)
    unchanged: int = 0


def _merged_attributes(
    row: CheckedRow, asset: Asset | None, internal_keys: set[str]
) -> tuple[dict, dict]:
    public = dict(asset.attributes) if asset else {}
    internal = dict(asset.internal_attributes) if asset else {}
    # Touch only the keys the file gives, so values never move between public and internal.
    for key in row.cleared | set(row.attributes):
        public.pop(key, None)
        internal.pop(key, None)
    for key, value in row.attributes.items():
        (internal if key in internal_keys else public)[key] = value
    return public, internal


def _changes(row: CheckedRow, asset: Asset, public: dict, internal: dict, parent_id) -> dict:
    changes = {name: value for name, value in row.fields.items() if getattr(asset, name) != value}
    if not _same_geometry(asset.geom, row.geom):
        changes["geom"] = row.geom
    if public != asset.attributes:
        changes["attributes"] = public
    if internal != asset.internal_attributes:
        changes["internal_attributes"] = internal
    if row.has_parent and asset.parent_id != parent_id:
        changes["parent_id"] = parent_id
    return changes


def _plan(checked: list[CheckedRow], *, asset_type: AssetType, owner: Organization) -> _Plan:
    """Match valid rows to existing assets and decide what each one needs."""
    plan = _Plan()
    specs = asset_type.attribute_schema
    internal_keys = {spec["key"] for spec in specs if spec.get("internal")}
    required = [spec["key"] for spec in specs if spec.get("required")]
    valid = [row for row in checked if not row.problems]
    existing = _by_ledger_id(owner, (row.ledger_id for row in valid))
    parent_ids = {row.parent_ledger_id for row in valid if row.parent_ledger_id}
    parents = _by_ledger_id(owner, parent_ids, only=("id", "ledger_id"))
    type_codes = dict(AssetType.objects.values_list("pk", "code"))

    for row in valid:
        asset = existing.get(row.ledger_id)
        if asset is not None and asset.asset_type_id != asset_type.pk:
            other = type_codes.get(asset.asset_type_id, "?")
            reason = f"ledger id {row.ledger_id!r} of {owner.code} is taken by {other} #{asset.pk}"
            row.bad(row.ledger_column, row.ledger_id, reason, "ledger_id_taken")
            continue
        parent = parents.get(row.parent_ledger_id) if row.parent_ledger_id else None
        if row.parent_ledger_id and (parent is None or parent.ledger_id == row.ledger_id):
            reason = f"no other asset of {owner.code} has ledger id {row.parent_ledger_id!r}"
            row.bad(row.parent_column, row.parent_ledger_id, reason, "unknown_parent")
            continue
        parent_id = parent.pk if parent else None
        public, internal = _merged_attributes(row, asset, internal_keys)
        missing = [key for key in required if key not in public and key not in internal]
        for key in missing:
            reason = f"{key} is required: use --map COLUMN=attr.{key} or --set attr.{key}=VALUE"
            row.bad(f"attr.{key}", "", reason, "missing_required")
        if missing:
            continue
        if asset is None:
            fresh = Asset(
                asset_type=asset_type,
                owner=owner,
                ledger_id=row.ledger_id,
                geom=row.geom,
                attributes=public,
                internal_attributes=internal,
                parent_id=parent_id,
                criticality=asset_type.default_criticality,
            )
            for name, value in row.fields.items():
                setattr(fresh, name, value)
            plan.create.append(fresh)
            continue
        changes = _changes(row, asset, public, internal, parent_id)
        if not changes:
            plan.unchanged += 1
            continue
        for name, value in changes.items():
            setattr(asset, name, value)
        plan.update.append(asset)
        plan.update_fields.update("parent" if name == "parent_id" else name for name in changes)
    return plan


def _write(plan: _Plan, progress: Progress) -> None:
    with transaction.atomic():
        creating = progress(plan.create, total=len(plan.create), desc="creating", unit="asset")
        for batch in batches(creating, BATCH_SIZE):
            Asset.objects.bulk_create(batch)
        if plan.update:
            now = timezone.now()
            fields = [*sorted(plan.update_fields), "updated_at"]
            updating = progress(plan.update, total=len(plan.update), desc="updating", unit="asset")
            for batch in batches(updating, BATCH_SIZE):
                for asset in batch:
                    asset.updated_at = now
                Asset.objects.bulk_update(batch, fields)


def assets_import(
    *,
    path: Path | str,
    type_code: str,
    owner_code: str,
    mapping: list[tuple[str, str]] = (),
    constants: list[tuple[str, str]] = (),
    ledger_column: str | None = None,
    encoding: str | None = None,
    srid: int | None = None,
    sheet: str | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    progress: Progress = silent,
) -> ImportReport:
    """Check a whole file, then create and update its assets in one transaction.

    Nothing is written when the file has problems, unless skip_invalid (then the valid rows
    are); dry_run only checks. Raises UsageError for impossible requests. Rows are matched on
    (owner, ledger id), so importing the file again updates and never duplicates. `progress`
    wraps the rows read (of a sheet), checked and written.
    """
    path = Path(path)
    asset_type, owner = import_target(type_code=type_code, owner_code=owner_code)
    mapping, constant_values = checked_options(asset_type, mapping, constants, ledger_column)
    targets = {target for _, target in mapping}
    report = ImportReport(
        source=path.name,
        asset_type=asset_type,
        owner=owner,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        constants=constant_values,
    )
    source = read_source(
        path,
        encoding=encoding,
        srid=srid,
        sheet=sheet,
        names=header_names(asset_type, mapping),
        progress=progress,
    )
    has_geometry = source.has_geometry
    if has_geometry and targets & set(LOCATION_FIELDS):
        raise UsageError(
            f"the location of a {source.file_format} feature is its geometry: "
            "do not map lat, lon or geom",
            code="bad_mapping",
        )
    report.file_format, report.unit = source.file_format, source.unit
    report.notes = source.notes
    report.rows = len(source.rows)
    report.problems.extend(source.problems)
    if source.problems:
        return report

    chosen, report.ignored, problems = map_columns(
        source.columns,
        asset_type=asset_type,
        mapping=mapping,
        constants=constant_values,
        has_geometry=has_geometry,
    )
    report.mapping = chosen
    problems += location_problems(
        set(chosen.values()) | set(constant_values), asset_type, has_geometry=has_geometry
    )
    if problems:
        report.problems.extend(problems)
        return report

    reproject = Reprojector(source.srs)
    rows = progress(source.rows, total=len(source.rows), desc="checking", unit=source.unit)
    checked = [
        check_row(
            row,
            targets=chosen,
            constants=constant_values,
            asset_type=asset_type,
            reproject=reproject,
            has_geometry=has_geometry,
        )
        for row in rows
    ]
    check_duplicates(checked, source.unit)
    plan = _plan(checked, asset_type=asset_type, owner=owner)
    invalid = [row for row in checked if row.problems]
    report.problems.extend(problem for row in invalid for problem in row.problems)
    report.invalid = len(invalid)
    report.created, report.updated = len(plan.create), len(plan.update)
    report.unchanged = plan.unchanged
    if report.refused or dry_run:
        return report
    try:
        _write(plan, progress)
    except IntegrityError as exc:
        reason = (
            f"the database refused the write, so nothing was saved ({exc}); "
            "was the same file imported at the same time?"
        )
        report.problems.append(Problem(None, "", "", reason, "conflict"))
        return report
    report.written = True
    return report
