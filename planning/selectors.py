"""Reads of maintenance planning."""

from django.db.models import QuerySet

from planning.models import Work


def work_rows(assets: QuerySet, *, type_code: str | None = None):
    """(asset id, ledger id, type, kind, done on, grade after, cost) of every work on
    `assets`, in (asset, day) order: the condition history's repairs, beside its inspections."""
    works = Work.objects.filter(asset__in=assets)
    if type_code:
        works = works.filter(asset__asset_type__code=type_code)
    return works.order_by("asset_id", "done_on", "id").values_list(
        "asset_id",
        "asset__ledger_id",
        "asset__asset_type__code",
        "kind",
        "done_on",
        "grade_after",
        "cost_yen",
    )


def works_of(asset) -> list[Work]:
    """The asset's works, the newest first, with their contractor and the reports closed."""
    return list(
        Work.objects.filter(asset=asset)
        .select_related("contractor")
        .prefetch_related("reports")
        .order_by("-done_on", "-id")
    )
