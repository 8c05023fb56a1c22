"""A works ledger (CSV in UTF-8 or Shift_JIS, or Excel) into the condition history.

Read by the asset ledger's reader (assets/ledger: encodings, title rows above the header,
Japanese era dates) and checked whole before anything is written: every problem is reported
by line, and one problem means nothing is written. A work is keyed on (asset, date, kind):
importing the same file again finds every row already there and changes nothing.

Columns, by their Japanese or English names: 台帳番号 / ledger_id, 実施日 / done_on, 作業種別 /
kind (補修 repair, 更新 renewal, 予防保全 preventive), and optionally 費用 / cost_yen
(「38,500円」 reads as 38500), 業者 / contractor (an organisation's code or name), 作業後健全度 /
grade_after, 備考 / note.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from accounts import policy
from accounts.models import Organization
from assets.ledger.columns import normalized
from assets.ledger.problems import Problem, UsageError
from assets.ledger.rows import parse_date
from assets.ledger.sources import read_source
from assets.models import Asset
from planning import services
from planning.models import Work

COLUMNS = {
    "ledger_id": ("台帳番号", "ledger_id", "ledger id"),
    "done_on": ("実施日", "done_on", "date"),
    "kind": ("作業種別", "kind"),
    "cost_yen": ("費用", "費用（円）", "cost_yen", "cost"),
    "contractor": ("業者", "施工業者", "contractor"),
    "grade_after": ("作業後健全度", "grade_after"),
    "note": ("備考", "note"),
}
REQUIRED = ("ledger_id", "done_on", "kind")
KINDS = {
    "補修": Work.Kind.REPAIR,
    "修繕": Work.Kind.REPAIR,
    "更新": Work.Kind.RENEWAL,
    "予防保全": Work.Kind.PREVENTIVE,
    **{kind.value: kind.value for kind in Work.Kind},
}
_YEN = re.compile(r"^[¥￥]?\s*([\d,，]+)\s*円?$")


@dataclass
class WorksReport:
    rows: int = 0
    created: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    written: bool = False


def _column_of(columns: list[str]) -> dict[str, str]:
    found = {}
    for target, names in COLUMNS.items():
        wanted = {normalized(name) for name in names}
        for column in columns:
            if normalized(column) in wanted:
                found[target] = column
                break
    return found


def _yen(text: str) -> int:
    match = _YEN.match(text.strip())
    if not match:
        raise ValueError(f"not an amount in yen: {text!r} (e.g. 38500 or 38,500円)")
    return int(re.sub(r"[,，]", "", match[1]))


def works_import(path: Path, *, owner_code: str, dry_run: bool = False, encoding=None):
    """Check the whole file, then (unless `dry_run` or any problem) record its new works."""
    owner = Organization.objects.filter(code=owner_code).first()
    if owner is None:
        raise UsageError(f"unknown owner: {owner_code}", code="unknown_owner")
    names = {normalized(name) for names in COLUMNS.values() for name in names}
    source = read_source(path, encoding=encoding, names=names)
    report = WorksReport(rows=len(source.rows), problems=list(source.problems))
    columns = _column_of(source.columns)
    missing = [COLUMNS[target][0] for target in REQUIRED if target not in columns]
    if missing:
        report.problems.append(
            Problem(None, ", ".join(missing), "", "required column missing", "missing_column")
        )
    if report.problems:
        return report
    assets = {
        a.ledger_id: a for a in Asset.objects.filter(owner=owner).select_related("asset_type")
    }
    everyone = list(Organization.objects.all())
    organisations = {o.name: o for o in everyone} | {o.code: o for o in everyone}
    planned = []
    for row in source.rows:
        values = {
            target: str(row.values.get(column) or "").strip() for target, column in columns.items()
        }
        planned.append(_checked(row.number, values, assets, organisations, report))
    if report.problems:
        return report
    existing = set(
        Work.objects.filter(asset__owner=owner).values_list("asset_id", "done_on", "kind")
    )
    new = [w for w in planned if (w["asset"].pk, w["done_on"], w["kind"]) not in existing]
    report.unchanged = len(planned) - len(new)
    if dry_run:
        report.created = len(new)
        return report
    with transaction.atomic():
        for work in new:
            services.work_record(acting_user=policy.SYSTEM, **work)
    report.created, report.written = len(new), True
    return report


def _checked(line: int, values: dict, assets, organisations, report) -> dict:
    def problem(target, reason, code):
        report.problems.append(
            Problem(line, COLUMNS[target][0], values.get(target, ""), reason, code)
        )

    work = {}
    asset = assets.get(values["ledger_id"])
    if asset is None:
        problem("ledger_id", "no asset of this owner has this ledger id", "unknown_asset")
    work["asset"] = asset
    try:
        work["done_on"] = parse_date(values["done_on"])
        if work["done_on"] > timezone.localdate():
            problem("done_on", "the date is in the future", "future_date")
    except ValueError as exc:
        problem("done_on", str(exc), "bad_date")
    work["kind"] = KINDS.get(values["kind"].lower())
    if work["kind"] is None:
        problem("kind", "use 補修, 更新 or 予防保全 (repair, renewal, preventive)", "bad_kind")
    if values.get("cost_yen"):
        try:
            work["cost_yen"] = _yen(values["cost_yen"])
        except ValueError as exc:
            problem("cost_yen", str(exc), "bad_cost")
    if values.get("contractor"):
        work["contractor"] = organisations.get(values["contractor"])
        if work["contractor"] is None:
            problem("contractor", "no organisation has this code or name", "unknown_contractor")
    grade = values.get("grade_after", "")
    if grade and asset is not None and grade not in asset.asset_type.grading_scale.codes():
        problem("grade_after", "not a grade of this asset type's scale", "bad_grade")
    work["grade_after"] = grade
    work["note"] = values.get("note", "")
    return work
