"""Questions about labels: what a scanned code means, and how often stickers are scanned."""

import datetime
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.cities import city_id_of, in_city
from accounts.city_host import city_values
from accounts.errors import DomainError
from accounts.models import City
from assets.models import Asset
from assets.selectors import (
    assets_in_bbox,
    assets_of_types_and_owners,
    user_scope_ids,
)
from config import city as cities
from config.city import current as current_city
from qr_labels import codes
from qr_labels.models import Label, Scan
from qr_labels.sheets import LabelContent


@dataclass(frozen=True)
class Resolution:
    """What a scanned or typed code leads to.

    outcome: "ok" (the report form of `asset`), "replaced" (a newer sticker exists; the
    asset can still be reported), "retired" (the label was withdrawn), "mistyped" (the
    check character does not match: never guess an asset), "unknown" (no such code).
    """

    outcome: str
    code: str
    label: Label | None = None
    asset: Asset | None = None

    @property
    def found(self) -> bool:
        return self.label is not None


def label_resolve(text: str) -> Resolution:
    code = codes.normalize(text)
    if not codes.is_valid(code):
        return Resolution("mistyped", code)
    # Only what the sticker page shows: this runs on every scan.
    label = (
        Label.objects.select_related("asset__asset_type", "asset__owner")
        .only(
            "code",
            "state",
            "keeps_working",
            "asset__id",
            "asset__ledger_id",
            "asset__name",
            "asset__address",
            "asset__geom",
            "asset__status",
            "asset__open_reports",
            "asset__asset_type__code",
            "asset__asset_type__name_ja",
            "asset__asset_type__name_en",
            "asset__asset_type__names",
            "asset__asset_type__geometry_kind",
            "asset__owner__name",
            "asset__owner__name_en",
            "asset__owner__kind",
            "asset__owner__city",
        )
        .filter(code=code)
        .first()
    )
    if label is None:
        return Resolution("unknown", code)
    return Resolution(
        outcome_of(label.state, label.keeps_working, label.asset.status), code, label, label.asset
    )


def label_is_here(city_id: int | None, where) -> bool:
    """Whether a sticker of an organisation of city `city_id` may be used on the city `where`
    names (a request): always when cities are not configured; else only its own city's (an
    organisation of no city is no configured city's)."""
    here = city_id_of(where)
    return here is None or city_id == here


def city_elsewhere(city_id: int | None) -> cities.City | None:
    """The active city of this id (a sticker's own city, to point the reader to), or None."""
    row = City.objects.filter(pk=city_id, is_active=True).first() if city_id else None
    return city_values(row) if row is not None else None


def outcome_of(state: str, keeps_working: bool, asset_status: str) -> str:
    """What a scan of a label in this state leads to (see Resolution)."""
    if state == Label.State.ACTIVE or (state == Label.State.REPLACED and keeps_working):
        return "ok" if asset_status == Asset.Status.IN_SERVICE else "retired"
    return "replaced" if state == Label.State.REPLACED else "retired"


_ROW_SQL = None


def label_row(code: str) -> dict | None:
    """What the sticker page needs of a label, its asset and owner, in one plain query: the
    ORM's query building costs more than the query itself on this hottest of paths."""
    global _ROW_SQL
    if _ROW_SQL is None:
        label, asset = Label._meta.db_table, Asset._meta.db_table
        owner = Asset._meta.get_field("owner").related_model._meta.db_table
        _ROW_SQL = (
            f"SELECT l.id, l.state, l.keeps_working, a.id, a.status, a.open_reports, a.name, "
            f"a.ledger_id, a.address, a.asset_type_id, o.kind, o.name, o.name_en, o.city_id "
            f"FROM {label} l JOIN {asset} a ON a.id = l.asset_id "
            f"JOIN {owner} o ON o.id = a.owner_id WHERE l.code = %s"
        )
    with connection.cursor() as cursor:
        cursor.execute(_ROW_SQL, [code])
        row = cursor.fetchone()
    if row is None:
        return None
    keys = (
        "label_id",
        "state",
        "keeps_working",
        "asset_id",
        "asset_status",
        "open_reports",
        "name",
        "ledger_id",
        "address",
        "asset_type_id",
        "owner_kind",
        "owner_name",
        "owner_name_en",
        "city_id",
    )
    found = dict(zip(keys, row, strict=True))
    found["keeps_working"] = bool(found["keeps_working"])
    found["outcome"] = outcome_of(found["state"], found["keeps_working"], found["asset_status"])
    return found


def labels_for_user(user) -> QuerySet[Label]:
    """Labels of the assets of the user's organisations (the codes themselves are public,
    printed in the street; their history and notes are not)."""
    scope = user_scope_ids(user)
    if scope is None:
        return Label.objects.all()
    return Label.objects.filter(asset__owner_id__in=scope)


def label_active_for(asset: Asset) -> Label | None:
    return Label.objects.filter(asset=asset, state=Label.State.ACTIVE).first()


def scans_per_day(
    *,
    user,
    since: datetime.date,
    until: datetime.date,
    asset_ids: list[int] | None = None,
    where=None,
) -> list[dict]:
    """Scans per asset and local day, for staff of the assets' owners (and above), of the
    assets of the city `where` names (a request: a superuser on a city's host sees its own)."""
    scope = user_scope_ids(user)
    qs = in_city(Scan.objects.all(), where, "asset__owner__city")
    if scope is not None:
        qs = qs.filter(asset__owner_id__in=scope)
    if asset_ids is not None:
        qs = qs.filter(asset_id__in=asset_ids)
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(since, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(
        until + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
    )
    return list(
        qs.filter(scanned_at__gte=start, scanned_at__lt=end)
        .annotate(day=TruncDate("scanned_at", tzinfo=zone))
        .values("asset_id", "day")
        .annotate(scans=Count("id"))
        .order_by("day", "asset_id")
    )


class SelectionError(DomainError, ValueError):
    """A label selection that names something that does not exist."""


def assets_for_labels(
    assets: QuerySet[Asset],
    *,
    type_codes: list[str] = (),
    owner_codes: list[str] = (),
    park: str | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    ledger_ids: list[str] = (),
    where=None,
) -> QuerySet[Asset]:
    """Assets in service to print stickers for, narrowed by each criterion given; a park is
    looked for among the parks of the city `where` names (a request; None: every park)."""
    qs = assets_of_types_and_owners(
        assets.filter(status=Asset.Status.IN_SERVICE),
        type_codes=type_codes,
        owner_codes=owner_codes,
    )
    if park:
        parks = in_city(Asset.objects.filter(asset_type__code="park"), where)
        found = parks.filter(pk=int(park)) if park.isdecimal() else parks.filter(ledger_id=park)
        park_ids = list(found.values_list("pk", flat=True)[:2])
        if len(park_ids) != 1:
            reason = "no park" if not park_ids else "more than one park"
            raise SelectionError(f"{reason} with id or ledger id {park!r}", code="unknown_park")
        qs = qs.filter(Q(pk=park_ids[0]) | Q(parent_id=park_ids[0]))
    if bbox is not None:
        qs = assets_in_bbox(qs, bbox)
    if ledger_ids:
        qs = qs.filter(ledger_id__in=list(ledger_ids))
    return qs


def labels_active_among(assets: QuerySet[Asset]) -> QuerySet[Label]:
    return Label.objects.filter(state=Label.State.ACTIVE, asset__in=assets)


def label_contents(
    assets: QuerySet[Asset],
    *,
    city: str | None = None,
    phone: str | None = None,
    phone_hours: str | None = None,
    short_url_base: str | None = None,
):
    """What each sticker shows, for the active labels of `assets`, in printing order. Each
    speaks for its asset's city (its owner's City row; the deployment's one city without
    one): the name, phone, hours, the address to type and the one in the symbol, so a sheet
    printed without a request (print_labels) sends every resident to the right host. A value
    given here is printed instead."""
    rows = (
        labels_active_among(assets)
        .order_by("asset__asset_type__sort_order", "asset__ledger_id", "asset_id")
        .values_list(
            "code", "asset__ledger_id", "asset__asset_type__name_ja", "asset__owner__city_id"
        )
    )
    known: dict[int | None, cities.City] = {}
    for code, ledger_id, type_name, city_id in rows.iterator(chunk_size=1000):
        here = known.get(city_id)
        if here is None:
            row = City.objects.filter(pk=city_id).first() if city_id else None
            here = known[city_id] = city_values(row) if row is not None else current_city()
        base = here.short_url_base if short_url_base is None else short_url_base
        yield LabelContent(
            code,
            type_name,
            ledger_id or "",
            here.name if city is None else city,
            here.phone if phone is None else phone,
            here.phone_hours if phone_hours is None else phone_hours,
            f"{base}{code}",
            url_base=here.public_base_url if city_id else "",
        )
