"""Checklists: publishing a type's new version, installing the standard ones, and checking
a record's answers against the version it was made with."""

from django.db import transaction

from assets.models import AssetType
from inspections import catalogue
from inspections.errors import InspectionError
from inspections.models import ChecklistTemplate

ITEM_KINDS = ("ok_defect", "number", "choice", "text")


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


def checked_answers(template: ChecklistTemplate | None, answers: dict) -> dict:
    """The answers, if each fits its item of the checklist version; InspectionError if not."""
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
