"""Who may do what: the one permission policy, closed by default.

Every service, view and API asks here. An actor is a user (staff with an organisation and a
role, a superuser, or somebody signed out), the SYSTEM actor (management commands, the
inspection pipeline, the housekeeping), or nothing — and nothing may do nothing. An unknown
role, a user without an organisation, an inactive account or a signed-out visitor has no
staff right at all; superusers and SYSTEM have every right.

Staff rights hold within their organisation and the organisations under it (its scope).
One rule reaches further: city staff may read, pass on and take back reports on things in
the city's area that an outside owner looks after (a neighbourhood association, the
prefecture, a utility), and file callers' reports on them, because the city stays the
resident's contact for every report.

An organisation without staff in the system (a neighbourhood association, a prefectural
office, a contractor) acts through a signed link to one report (reports/owner_links.py): the
LinkHolder actor, who may change that report while it is theirs (and hand it back to the
city), and nothing else — no reading of other reports, no private data, no staff screen.

The table, by role (✓ = within the scope; "city/pref." = only in an organisation of that
kind):

  right               manager   section staff   inspector   viewer
  read                ✓         ✓               ✓           ✓
  change_reports      ✓         ✓
  forward_reports     ✓         ✓
  reorder_reports     ✓
  intake              ✓         ✓
  inspect             ✓         ✓               ✓
  assign_inspections  ✓         ✓
  resolve_quarantine  ✓
  manage_labels       ✓         ✓
  manage_assets       ✓         ✓
  personal_data       ✓
  issue_api_keys      city/pref.
"""

import enum
from dataclasses import dataclass

from django.db.models import Q


class Right(enum.StrEnum):
    READ = "read"  # staff screens; private fields of reports, assets and inspections
    CHANGE_REPORTS = "change_reports"  # status, notes, moderation, assignment, merging
    FORWARD_REPORTS = "forward_reports"  # pass a report on to another owner, take it back
    REORDER_REPORTS = "reorder_reports"  # a manual priority, with a reason
    INTAKE = "intake"  # file a report for a caller (phone, counter)
    INSPECT = "inspect"  # record inspections (the tablets)
    ASSIGN_INSPECTIONS = "assign_inspections"
    RESOLVE_QUARANTINE = "resolve_quarantine"  # decide on held inspection records
    MANAGE_LABELS = "manage_labels"  # issue, move, replace, withdraw QR stickers
    MANAGE_ASSETS = "manage_assets"
    PERSONAL_DATA = "personal_data"  # show or erase what is held about a resident (APPI)
    ISSUE_API_KEYS = "issue_api_keys"  # keys of other systems (Open311)
    RECORD_WORKS = "record_works"  # repairs, renewals and treatments done on an asset
    PLAN_MAINTENANCE = "plan_maintenance"  # the long-life plan's inputs, and making plans


class Role(enum.StrEnum):
    MANAGER = "manager"
    SECTION_STAFF = "section_staff"
    INSPECTOR = "inspector"
    VIEWER = "viewer"


R = Right
ROLE_RIGHTS: dict[str, frozenset[Right]] = {
    Role.MANAGER: frozenset(Right),
    Role.SECTION_STAFF: frozenset(
        {
            R.READ,
            R.CHANGE_REPORTS,
            R.FORWARD_REPORTS,
            R.INTAKE,
            R.INSPECT,
            R.ASSIGN_INSPECTIONS,
            R.MANAGE_LABELS,
            R.MANAGE_ASSETS,
            R.RECORD_WORKS,
        }
    ),
    Role.INSPECTOR: frozenset({R.READ, R.INSPECT}),
    Role.VIEWER: frozenset({R.READ}),
}
# Rights that also need an organisation of one of these kinds (whatever its place in the
# tree: a neighbourhood association is at the top of its own tree, yet no city).
ORGANISATION_KINDS: dict[Right, frozenset[str]] = {
    R.ISSUE_API_KEYS: frozenset({"city", "prefecture"}),
}
# Owners outside the city whose reports in the city's area city staff may read and pass on.
OUTSIDE_OWNER_KINDS = frozenset({"association", "prefecture", "utility"})
OUTSIDE_RIGHTS = frozenset({R.READ, R.FORWARD_REPORTS, R.INTAKE})


@dataclass(frozen=True)
class _System:
    """The system itself: commands, the inspection pipeline, housekeeping. Not a user row:
    events it writes have no author."""

    is_authenticated = True
    is_active = True
    is_superuser = False
    pk = None
    organization_id = None
    role = ""

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = _System()


@dataclass(frozen=True)
class LinkHolder:
    """Whoever holds an organisation's link to one report: no user, no staff rights.

    `purpose` is "owner" (the organisation that looks after the thing) or "contractor"
    (the organisation the work was given to); the link acts only while the report is
    still theirs in that role."""

    organization_id: int
    report_id: int
    purpose: str

    is_authenticated = False
    is_active = False
    is_superuser = False
    pk = None
    role = ""

    def holds(self, report) -> bool:
        if report.pk != self.report_id:
            return False
        if self.purpose == "owner":
            return report.owner_id == self.organization_id
        if self.purpose == "contractor":
            return report.assignee_id == self.organization_id
        return False


# Status, notes and photos of the repair; handing back goes through its own service,
# which passes the report to the city only.
LINK_RIGHTS = frozenset({Right.CHANGE_REPORTS})


def is_system(actor) -> bool:
    return actor is SYSTEM


def author(actor):
    """The user to write as the author of a change (None for the system and for links)."""
    return None if actor is None or actor is SYSTEM or isinstance(actor, LinkHolder) else actor


def author_organisation_id(actor) -> int | None:
    """The organisation that made a change through its link (users are named by author)."""
    return actor.organization_id if isinstance(actor, LinkHolder) else None


def _signed_in(actor) -> bool:
    return (
        actor is not None
        and actor is not SYSTEM
        and getattr(actor, "is_authenticated", False) is True
        and getattr(actor, "is_active", False) is True
    )


def is_superuser(actor) -> bool:
    return _signed_in(actor) and getattr(actor, "is_superuser", False) is True


def _role_rights(actor) -> frozenset[Right]:
    if not _signed_in(actor) or not getattr(actor, "organization_id", None):
        return frozenset()
    return ROLE_RIGHTS.get(getattr(actor, "role", None), frozenset())


def organisation_scope_ids(organisation) -> frozenset[int]:
    """The organisation and all its descendants."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in type(organisation).objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    scope, stack = set(), [organisation.pk]
    while stack:
        pk = stack.pop()
        if pk not in scope:
            scope.add(pk)
            stack.extend(children.get(pk, ()))
    return frozenset(scope)


def scope_ids(actor) -> frozenset[int] | None:
    """Organisations whose private data the actor may see: None means all (superusers and
    the system), an empty set means none (everybody else without a known role)."""
    if actor is SYSTEM or is_superuser(actor):
        return None
    if not _role_rights(actor):
        return frozenset()
    cached = getattr(actor, "_scope_ids", None)
    if cached is None:
        cached = actor._scope_ids = organisation_scope_ids(_organisation(actor))
    return cached


def is_staff(actor) -> bool:
    """Opens the staff screens: superusers and anybody with a known role in an organisation."""
    return is_superuser(actor) or R.READ in _role_rights(actor)


def may(actor, right: Right, *, owner_id: int | None = None) -> bool:
    """Has the actor this right — on things owned by `owner_id` when given?"""
    if actor is None:
        return False
    if actor is SYSTEM or is_superuser(actor):
        return True
    if right not in _role_rights(actor):
        return False
    kinds = ORGANISATION_KINDS.get(right)
    if kinds is not None and _organisation(actor).kind not in kinds:
        return False
    if owner_id is None:
        return True
    return owner_id in scope_ids(actor)


def may_on_report(actor, right: Right, report) -> bool:
    """A right on one report (see may_on_owner); a link holder's on its own report only."""
    if isinstance(actor, LinkHolder):
        return right in LINK_RIGHTS and actor.holds(report)
    return may_on_owner(actor, right, owner=report.owner, location=report.location)


def may_on_owner(actor, right: Right, *, owner, location) -> bool:
    """A right on something of `owner` at `location`: the owner is in the actor's scope,
    or it is an outside owner, the place is in the city's area and the right is one city
    staff keep on those (an outside owner of their own city only)."""
    if may(actor, right, owner_id=owner.pk):
        return True
    if right not in OUTSIDE_RIGHTS or not may(actor, right) or not city_staff(actor):
        return False
    if owner.kind not in OUTSIDE_OWNER_KINDS or not in_city(actor, owner):
        return False
    area = city_area(actor)
    return area is None or (location is not None and area.intersects(location))


def _organisation(actor):
    organisation = getattr(actor, "_organisation_cached", None)
    if organisation is None:
        organisation = actor._organisation_cached = actor.organization
    return organisation


def _city_of(actor):
    """The city organisation at the top of the actor's tree, or None."""
    if not may(actor, R.READ) or actor is SYSTEM or is_superuser(actor):
        return None
    cached = getattr(actor, "_city_cached", False)
    if cached is not False:
        return cached
    node, seen = _organisation(actor), set()
    while node.parent_id is not None and node.pk not in seen:
        seen.add(node.pk)
        node = node.parent
    actor._city_cached = node if node.kind == "city" else None
    return actor._city_cached


def city_staff(actor) -> bool:
    """Staff of a city (any of its sections), who keep sight of outside owners' reports."""
    return _city_of(actor) is not None


def city_area(actor):
    """The area of the actor's city: its organisation's service area, else the
    deployment's (SERVICE_AREA); None means anywhere."""
    from config.city import service_area

    city = _city_of(actor)
    if city is not None and city.service_area is not None:
        return city.service_area
    return service_area()


def city_organisations(actor, organisations):
    """These organisations (a queryset) narrowed to the actor's city: its organisation's
    (Organization.city; null is the deployment's one city, so without cities nothing is
    left out). Superusers and the system: all of them; anybody without a role: none.

    Every list of owners, assignees and contractors a user may choose from goes through
    here: staff never see, nor pass work on to, another city's organisations."""
    if actor is SYSTEM or is_superuser(actor):
        return organisations
    if not _role_rights(actor):
        return organisations.none()
    return organisations.filter(city_id=_organisation(actor).city_id)


def in_city(actor, organisation) -> bool:
    """Is this organisation among those of the actor's city (see city_organisations)?"""
    if organisation is None:
        return False
    if actor is SYSTEM or is_superuser(actor):
        return True
    if not _role_rights(actor):
        return False
    return organisation.city_id == _organisation(actor).city_id


def outside_owners(actor) -> tuple[frozenset[int], object]:
    """(ids of the outside owners of the actor's city whose reports the actor keeps sight
    of, the area those reports must lie in or None for anywhere); no ids when the actor is
    no city staff."""
    if not city_staff(actor):
        return frozenset(), None
    organisations = type(_organisation(actor)).objects.filter(kind__in=sorted(OUTSIDE_OWNER_KINDS))
    ids = frozenset(city_organisations(actor, organisations).values_list("pk", flat=True))
    return ids, city_area(actor)


def reports_q(actor, *, owner="owner_id", location="location") -> Q | None:
    """The reports the actor may read, as a filter on owner and place; None means all."""
    scope = scope_ids(actor)
    if scope is None:
        return None
    outside, area = outside_owners(actor)
    outside = outside - scope
    if not outside:
        return Q(**{f"{owner}__in": sorted(scope)})
    if area is None:
        return Q(**{f"{owner}__in": sorted(scope | outside)})
    return Q(**{f"{owner}__in": sorted(scope)}) | Q(
        **{f"{owner}__in": sorted(outside), f"{location}__within": area}
    )
