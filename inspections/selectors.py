"""Questions about inspections: what an inspector may see, work packs, changes, history."""

from django.db.models import Max, Prefetch, QuerySet

from assets.models import Asset, AssetType
from assets.selectors import assets_in_bbox, user_scope_ids
from inspections.models import (
    Assignment,
    AssignmentAsset,
    ChecklistTemplate,
    Defect,
    Inspection,
    InspectionPhoto,
    Quarantine,
)

FIELD_ROLES = frozenset({"inspector", "manager", "section_staff"})


def assets_for_inspector(user) -> QuerySet[Asset]:
    """Assets whose private data and inspections the user may read: those of the user's
    organisations (inspectors included), everything for superusers."""
    scope = user_scope_ids(user)
    qs = Asset.objects.all()
    return qs if scope is None else qs.filter(owner_id__in=scope)


def may_record_inspections(user) -> bool:
    return user_scope_ids(user) is None or getattr(user, "role", "") in FIELD_ROLES


def assignments_for_user(user) -> QuerySet[Assignment]:
    """Inspectors see their own assignments; managers and section staff those of their
    organisations."""
    scope = user_scope_ids(user)
    qs = Assignment.objects.all()
    if scope is None:
        return qs
    if getattr(user, "role", "") == "inspector":
        return qs.filter(inspector=user)
    return qs.filter(organization_id__in=scope)


def assignment_assets(assignment: Assignment) -> QuerySet[Asset]:
    return Asset.objects.filter(
        pk__in=AssignmentAsset.objects.filter(assignment=assignment).values("asset_id")
    )


def pack_assets(user, *, assignment: Assignment | None = None, bbox=None) -> QuerySet[Asset]:
    qs = assets_for_inspector(user)
    if assignment is not None:
        qs = qs.filter(pk__in=AssignmentAsset.objects.filter(assignment=assignment).values("asset"))
    if bbox is not None:
        qs = assets_in_bbox(qs, bbox)
    return qs.filter(status=Asset.Status.IN_SERVICE)


def current_checklists(type_ids) -> QuerySet[ChecklistTemplate]:
    return ChecklistTemplate.objects.filter(asset_type_id__in=type_ids, is_current=True)


def pack_fingerprint(assets: QuerySet[Asset], assignments: QuerySet[Assignment]) -> tuple:
    """What changes whenever the pack would: the newest stamp and the counts (removals)."""
    asset_stats = assets.order_by().aggregate(seq=Max("change_seq"), n=Max("id"))
    count = assets.order_by().count()
    type_ids = set(assets.order_by().values_list("asset_type_id", flat=True).distinct())
    template_seq = current_checklists(type_ids).aggregate(seq=Max("change_seq"))["seq"]
    assignment_seq = assignments.aggregate(seq=Max("change_seq"))["seq"]
    return (
        asset_stats["seq"],
        asset_stats["n"],
        count,
        template_seq,
        assignment_seq,
        tuple(sorted(type_ids)),
    )


def asset_types_for(type_ids) -> QuerySet[AssetType]:
    return AssetType.objects.filter(pk__in=type_ids).prefetch_related("categories")


def changes_since(user, since: int, *, bbox=None):
    """Assets, checklists and assignments stamped after `since` that the user may see."""
    assets = assets_for_inspector(user).filter(change_seq__gt=since)
    if bbox is not None:
        assets = assets_in_bbox(assets, bbox)
    templates = ChecklistTemplate.objects.filter(change_seq__gt=since)
    assignments = assignments_for_user(user).filter(change_seq__gt=since)
    return assets, templates, assignments


def asset_history(asset: Asset) -> QuerySet[Inspection]:
    """Every inspection of the asset, newest first, with defects and photos."""
    return (
        Inspection.objects.filter(asset=asset)
        .select_related("inspector", "supersedes", "template")
        .prefetch_related(
            Prefetch("defects", queryset=Defect.objects.select_related("fault")),
            Prefetch("photos", queryset=InspectionPhoto.objects.order_by("created_at")),
        )
        .order_by("-performed_at", "-id")
    )


def condition_rows(user, *, type_code: str | None = None):
    """(asset id, ledger id, grade, rank, inspected on) of every effective inspection:
    the input of Markov deterioration models."""
    qs = Inspection.objects.filter(superseded_by__isnull=True, asset__in=assets_for_inspector(user))
    if type_code:
        qs = qs.filter(asset__asset_type__code=type_code)
    return qs.order_by("asset_id", "performed_at").values_list(
        "asset_id",
        "asset__ledger_id",
        "asset__asset_type__code",
        "overall_grade",
        "grade_rank",
        "performed_at",
    )


def quarantine_for_user(user) -> QuerySet[Quarantine]:
    scope = user_scope_ids(user)
    qs = Quarantine.objects.all()
    return qs if scope is None else qs.filter(organization_id__in=scope)
