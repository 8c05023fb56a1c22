"""Questions about inspections: what an inspector may see, work packs, changes, history."""

import datetime
from dataclasses import dataclass

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce

from accounts import policy
from accounts.models import Organization, User
from accounts.policy import Right
from assets.models import Asset, AssetType
from assets.selectors import assets_in_bbox, organization_scope_ids, user_scope_ids
from inspections import areas
from inspections.models import (
    Assignment,
    AssignmentAsset,
    ChecklistTemplate,
    Defect,
    Inspection,
    InspectionPhoto,
    Quarantine,
)


def assets_for_inspector(user) -> QuerySet[Asset]:
    """Assets whose private data and inspections the user may read: those of the user's
    organisations (inspectors included), everything for superusers."""
    scope = user_scope_ids(user)
    qs = Asset.objects.all()
    return qs if scope is None else qs.filter(owner_id__in=scope)


def may_record_inspections(user) -> bool:
    return policy.may(user, Right.INSPECT)


def assignments_for_user(user) -> QuerySet[Assignment]:
    """Inspectors see their own assignments; managers and section staff those of their
    organisations."""
    scope = user_scope_ids(user)
    qs = Assignment.objects.all()
    if scope is None:
        return qs
    if policy.may(user, Right.INSPECT) and not policy.may(user, Right.ASSIGN_INSPECTIONS):
        return qs.filter(inspector=user)  # inspectors see their own
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


# --- Planning inspections (the managers' screens) ---------------------------------------------

DUE_STATES = ("overdue", "upcoming", "never", "all")


@dataclass(frozen=True)
class AssetSelection:
    """Which assets a planning question is about; empty fields do not narrow."""

    asset_type: AssetType | None = None
    area: int | str | None = None  # a Town id, areas.NO_AREA, or None for every area
    owner: Organization | None = None  # the owner and the organisations under it
    due: str = "all"  # one of DUE_STATES
    days: int = 30  # "upcoming" means due within this many days from today
    bbox: tuple[float, float, float, float] | None = None  # min lon, min lat, max lon, max lat


def due_condition(due: str, *, today: datetime.date, days: int) -> Q:
    """Overdue: the next inspection fell due before today. Upcoming: it falls due within
    `days` from today. Never: a type with an inspection cycle, never inspected."""
    if due == "overdue":
        return Q(next_inspection_due__lt=today)
    if due == "upcoming":
        return Q(
            next_inspection_due__gte=today,
            next_inspection_due__lte=today + datetime.timedelta(days=days),
        )
    if due == "never":
        return Q(last_inspected_on__isnull=True, asset_type__inspection_cycle_months__isnull=False)
    return Q()


def assets_to_inspect(
    user,
    selection: AssetSelection,
    *,
    today: datetime.date,
    towns: list | None = None,
    annotate_area: bool = False,
) -> QuerySet[Asset]:
    """Assets in service of the user's organisations that match the selection; with
    `area_id` (inspections/areas.py) when asked for or filtered on."""
    qs = assets_for_inspector(user).filter(status=Asset.Status.IN_SERVICE)
    if selection.asset_type is not None:
        qs = qs.filter(asset_type=selection.asset_type)
    if selection.owner is not None:
        qs = qs.filter(owner_id__in=organization_scope_ids(selection.owner))
    qs = qs.filter(due_condition(selection.due, today=today, days=selection.days))
    if selection.bbox is not None:
        qs = assets_in_bbox(qs, selection.bbox)
    if annotate_area or selection.area is not None:
        towns = areas.towns() if towns is None else towns
        qs = areas.with_area(qs, towns)
        qs = areas.in_area(qs, selection.area, towns)
    return qs


def inspectors_for_user(user) -> QuerySet[User]:
    """Active inspectors of the user's organisations: whom the user may send out."""
    qs = User.objects.filter(is_active=True, role=User.Role.INSPECTOR)
    scope = user_scope_ids(user)
    if scope is not None:
        qs = qs.filter(organization_id__in=scope)
    return qs.select_related("organization").order_by("organization__code", "username")


def assignments_with_progress(qs: QuerySet[Assignment]) -> QuerySet[Assignment]:
    """Annotate `stop_count` and `done_count`: the assets of each assignment, and those of
    them inspected since the assignment was made."""
    inspected = Inspection.objects.filter(
        asset_id=OuterRef("asset_id"), performed_at__gte=OuterRef(OuterRef("created_at"))
    )
    done = (
        AssignmentAsset.objects.filter(assignment=OuterRef("pk"))
        .filter(Exists(inspected))
        .order_by()
        .values("assignment")
        .annotate(n=Count("pk"))
        .values("n")
    )
    total = (
        AssignmentAsset.objects.filter(assignment=OuterRef("pk"))
        .order_by()
        .values("assignment")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return qs.annotate(
        stop_count=Coalesce(Subquery(total, output_field=IntegerField()), 0),
        done_count=Coalesce(Subquery(done, output_field=IntegerField()), 0),
    )


def assignment_stops(assignment: Assignment) -> QuerySet[AssignmentAsset]:
    """The assignment's stops in order, each with `last_inspection_at` since it was made."""
    since = Inspection.objects.filter(
        asset_id=OuterRef("asset_id"), performed_at__gte=assignment.created_at
    ).order_by("-performed_at", "-id")
    return (
        AssignmentAsset.objects.filter(assignment=assignment)
        .select_related("asset__asset_type", "asset__owner")
        .defer("asset__geom", "asset__attributes", "asset__internal_attributes")
        .annotate(
            inspected_at=Subquery(since.values("performed_at")[:1]),
            inspected_grade=Subquery(since.values("overall_grade")[:1]),
        )
        .order_by("position", "id")
    )
