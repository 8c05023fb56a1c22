"""Questions about inspections: what an inspector may see, which inspections count, work
packs, changes, history, and what the managers' planning screens list."""

import datetime
from dataclasses import dataclass

from django.db.models import (
    Count,
    Exists,
    F,
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
from accounts.cities import in_city
from accounts.models import Organization, User
from accounts.policy import Right
from assets.models import Asset, AssetType, FaultCategory
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


def assets_for_inspector(user, where=None) -> QuerySet[Asset]:
    """Assets whose private data and inspections the user may read: those of the user's
    organisations (inspectors included), everything for superusers; of the city of `where`
    (a request: a superuser on a city's host sees that city's) when given."""
    scope = user_scope_ids(user)
    qs = in_city(Asset.objects.all(), where)
    return qs if scope is None else qs.filter(owner_id__in=scope)


def asset_for_inspector(user, pk, where=None) -> Asset | None:
    """The asset, if the user may read it (in the city of `where`), with its type, owner
    and parent."""
    return (
        assets_for_inspector(user, where)
        .select_related("asset_type", "owner", "parent__asset_type")
        .filter(pk=pk)
        .first()
    )


def may_record_inspections(user) -> bool:
    return policy.may(user, Right.INSPECT)


def effective_inspections(qs: QuerySet[Inspection] | None = None) -> QuerySet[Inspection]:
    """The inspections that count: those no correction supersedes (a correction counts in
    place of the record it corrects)."""
    qs = Inspection.objects.all() if qs is None else qs
    return qs.filter(superseded_by__isnull=True)


def with_effective(qs: QuerySet[Inspection]) -> QuerySet[Inspection]:
    """The inspections with `is_effective`: whether effective_inspections holds each."""
    return qs.annotate(is_effective=Exists(effective_inspections().filter(pk=OuterRef("pk"))))


def inspection_for_user(user, uuid, where=None) -> Inspection | None:
    """The inspection with this id, if it is of an asset the user may read (in the city of
    `where`)."""
    assets = assets_for_inspector(user, where)
    return Inspection.objects.filter(uuid=uuid, asset__in=assets).first()


def inspection_photo(*, inspection: Inspection, sha256: str) -> InspectionPhoto | None:
    return InspectionPhoto.objects.filter(inspection=inspection, sha256=sha256).first()


def assignments_for_user(user, where=None) -> QuerySet[Assignment]:
    """Inspectors see their own assignments; managers and section staff those of their
    organisations; of the city of `where` (a request) when given."""
    scope = user_scope_ids(user)
    qs = in_city(Assignment.objects.all(), where, "organization__city")
    if scope is None:
        return qs
    if policy.may(user, Right.INSPECT) and not policy.may(user, Right.ASSIGN_INSPECTIONS):
        return qs.filter(inspector=user)  # inspectors see their own
    return qs.filter(organization_id__in=scope)


def assignment_for_user(user, pk) -> Assignment | None:
    return assignments_for_user(user).filter(pk=pk).first()


def assignments_with_stops(user, *, open_only: bool = False) -> QuerySet[Assignment]:
    """The user's assignments (the open ones only, if asked) with their stops: a tablet's."""
    qs = assignments_for_user(user)
    if open_only:
        qs = qs.filter(status=Assignment.Status.OPEN)
    return qs.prefetch_related("stops")


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
    return qs.filter(status=Asset.Status.IN_SERVICE).order_by("id")


def current_checklists(type_ids) -> QuerySet[ChecklistTemplate]:
    return ChecklistTemplate.objects.filter(asset_type_id__in=type_ids, is_current=True)


def current_checklists_by_type(type_ids) -> dict[int, ChecklistTemplate]:
    return {c.asset_type_id: c for c in current_checklists(type_ids)}


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


@dataclass(frozen=True)
class Changes:
    """What changed since a cursor; `asset_count` says whether a new work pack is cheaper."""

    assets: QuerySet[Asset]
    asset_count: int
    templates: QuerySet[ChecklistTemplate]
    assignments: QuerySet[Assignment]


def changes_since(user, since: int, *, bbox=None) -> Changes:
    """Assets, checklists and assignments stamped after `since` that the user may see."""
    assets = assets_for_inspector(user).filter(change_seq__gt=since)
    if bbox is not None:
        assets = assets_in_bbox(assets, bbox)
    return Changes(
        assets=assets.order_by("id"),
        asset_count=assets.count(),
        templates=ChecklistTemplate.objects.filter(change_seq__gt=since).select_related(
            "asset_type"
        ),
        assignments=assignments_with_stops(user).filter(change_seq__gt=since),
    )


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


def condition_rows(user, *, type_code: str | None = None, where=None):
    """(asset id, ledger id, grade, rank, inspected on) of every effective inspection (of
    the city of `where`): the input of Markov deterioration models."""
    qs = effective_inspections().filter(asset__in=assets_for_inspector(user, where))
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


def fault_categories_by_code(codes) -> dict[str, FaultCategory]:
    """The fault categories a defect's `kind` names, by code (one query), to show their
    names."""
    codes = {code for code in codes if isinstance(code, str) and code}
    if not codes:
        return {}
    return {c.code: c for c in FaultCategory.objects.filter(code__in=codes)}


def quarantine_for_user(user, where=None) -> QuerySet[Quarantine]:
    """Held records of the user's organisations (in the city of `where`, when given)."""
    scope = user_scope_ids(user)
    qs = in_city(Quarantine.objects.all(), where, "organization__city")
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
    # A condition from an app above (planning's "likely to need work within two years").
    also: Q | None = None


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
    if selection.also is not None:
        qs = qs.filter(selection.also)
    if selection.bbox is not None:
        qs = assets_in_bbox(qs, selection.bbox)
    if annotate_area or selection.area is not None:
        towns = areas.towns() if towns is None else towns
        qs = areas.with_area(qs, towns)
        qs = areas.in_area(qs, selection.area, towns)
    return qs


def assets_to_inspect_listed(
    user, selection: AssetSelection, *, today: datetime.date, towns: list
) -> QuerySet[Asset]:
    """The assets of the selection as the list shows them: with their area, type and owner,
    the soonest due first (never inspected last)."""
    return (
        assets_to_inspect(user, selection, today=today, towns=towns, annotate_area=True)
        .select_related("asset_type", "owner")
        .defer("geom", "attributes", "internal_attributes", "owner__service_area")
        .order_by(F("next_inspection_due").asc(nulls_last=True), "asset_type", "ledger_id", "pk")
    )


def assets_to_inspect_mapped(
    user, selection: AssetSelection, *, today: datetime.date, towns: list, limit: int
) -> tuple[list[Asset], bool]:
    """At most `limit` assets of the selection with what a map marker needs, and whether
    there were more."""
    qs = (
        assets_to_inspect(user, selection, today=today, towns=towns)
        .select_related("asset_type")
        .only(
            "pk",
            "ledger_id",
            "name",
            "geom",
            "next_inspection_due",
            "asset_type__name_ja",
            "asset_type__name_en",
            "asset_type__names",
        )
        .order_by("pk")
    )
    assets = list(qs[: limit + 1])
    return assets[:limit], len(assets) > limit


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


def open_assignments_with_progress(user, *, limit: int, where=None) -> QuerySet[Assignment]:
    """The user's open assignments (in the city of `where`) with their progress, the soonest
    due first."""
    qs = assignments_for_user(user, where).filter(status=Assignment.Status.OPEN)
    qs = assignments_with_progress(qs.select_related("inspector"))
    return qs.order_by("due_date", "id")[:limit]


def assignments_listed(user, where=None) -> QuerySet[Assignment]:
    """The user's assignments (in the city of `where`) with their progress, the latest due
    first."""
    return assignments_with_progress(
        assignments_for_user(user, where).select_related("inspector", "organization")
    ).order_by("-due_date", "-id")


def assignment_with_progress(user, pk, where=None) -> Assignment | None:
    qs = assignments_for_user(user, where).select_related("inspector", "organization", "created_by")
    return assignments_with_progress(qs).filter(pk=pk).first()
