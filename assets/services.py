"""Writes to the asset registry: the catalogue, organisations and assets."""

import datetime

from dateutil.relativedelta import relativedelta
from django.contrib.gis.geos import GEOSGeometry
from django.core.cache import cache
from django.db import transaction

from accounts.models import Organization
from assets import catalogue, fieldspecs, versions
from assets.models import Asset, AssetType, FaultCategory, Town
from assets.selectors import CATALOGUE_VERSION_KEY


@transaction.atomic
def catalogue_install() -> dict[str, int]:
    """Create or refresh the standard asset types and fault categories (idempotent).

    A city's later edits to names and targets are overwritten only for the codes listed in
    the catalogue; its own additional types and categories are left alone.
    """
    created = {"categories": 0, "types": 0}
    categories = {}
    for order, (code, group, names, severity, target, questions) in enumerate(
        catalogue.FAULT_CATEGORIES
    ):
        business_days = target["business_days"] if isinstance(target, dict) else None
        category, was_created = FaultCategory.objects.update_or_create(
            code=code,
            defaults={
                "group": group,
                "name_ja": names["ja"],
                "name_en": names["en"],
                "names": {k: v for k, v in names.items() if k not in ("ja", "en")},
                "severity": severity,
                "response_hours": None if business_days else target,
                "response_business_days": business_days,
                "danger": code in catalogue.DANGER_TO_PEOPLE,
                "questions": questions,
                "sort_order": order,
            },
        )
        category.full_clean()
        categories[code] = category
        created["categories"] += was_created
    types = {}
    for spec in catalogue.ASSET_TYPES:
        names = spec["names"]
        asset_type, was_created = AssetType.objects.update_or_create(
            code=spec["code"],
            defaults={
                "name_ja": names["ja"],
                "name_en": names["en"],
                "names": {k: v for k, v in names.items() if k not in ("ja", "en")},
                "geometry_kind": spec["geometry_kind"],
                "scale": spec["scale"],
                "inspection_cycle_months": spec["inspection_cycle_months"],
                "attribute_schema": spec["attribute_schema"],
                "parent_type": types.get(spec["parent_type"]),
                "default_criticality": spec["default_criticality"],
                "sort_order": spec["sort_order"],
            },
        )
        asset_type.full_clean()
        asset_type.categories.set([categories[code] for code in spec["categories"]])
        types[spec["code"]] = asset_type
        created["types"] += was_created
    catalogue_changed()
    return created


def catalogue_changed() -> None:
    """Cached category lists and form fragments carry the catalogue's version: a new version
    makes them all stale at once, without touching other cached data."""
    try:
        cache.incr(CATALOGUE_VERSION_KEY)
    except ValueError:
        cache.set(CATALOGUE_VERSION_KEY, 2, timeout=None)


def next_inspection_due(asset_type: AssetType, inspected_on: datetime.date | None):
    """When the next periodic inspection falls due, from the type's cycle."""
    if inspected_on is None or not asset_type.inspection_cycle_months:
        return None
    return inspected_on + relativedelta(months=asset_type.inspection_cycle_months)


def _checked_attributes(asset_type: AssetType, attributes: dict) -> tuple[dict, dict]:
    values = fieldspecs.coerce_values(asset_type.attribute_schema, attributes or {})
    return fieldspecs.split_internal(asset_type.attribute_schema, values)


@transaction.atomic
def asset_create(
    *,
    asset_type: AssetType,
    owner: Organization,
    geom: GEOSGeometry,
    ledger_id: str | None = None,
    name: str = "",
    address: str = "",
    attributes: dict | None = None,
    parent: Asset | None = None,
    install_date: datetime.date | None = None,
    criticality: int | None = None,
) -> Asset:
    """Register one asset. Attributes are given merged; internal ones are stored apart."""
    public, internal = _checked_attributes(asset_type, attributes or {})
    asset = Asset(
        asset_type=asset_type,
        owner=owner,
        geom=geom,
        ledger_id=ledger_id or None,
        name=name,
        address=address,
        attributes=public,
        internal_attributes=internal,
        parent=parent,
        install_date=install_date,
        criticality=criticality or asset_type.default_criticality,
    )
    asset.full_clean()
    asset.save()
    return asset


@transaction.atomic
def asset_update(*, asset: Asset, **changes) -> Asset:
    """Change fields of an asset; `attributes` replaces all attributes (public and internal)."""
    if "attributes" in changes:
        asset_type = changes.get("asset_type", asset.asset_type)
        asset.attributes, asset.internal_attributes = _checked_attributes(
            asset_type, changes.pop("attributes")
        )
    for field, value in changes.items():
        setattr(asset, field, value)
    asset.full_clean()
    asset.save()
    transaction.on_commit(lambda: versions.asset_changed(asset.pk))
    return asset


@transaction.atomic
def asset_retire(*, asset: Asset) -> Asset:
    asset.status = Asset.Status.RETIRED
    asset.save(update_fields=["status", "updated_at"])
    transaction.on_commit(lambda: versions.asset_changed(asset.pk))
    return asset


def towns_adopt(*, city, **_signal) -> int:
    """The towns without a city become `city`'s (a one-city deployment naming its city,
    accounts.city_setup.city_adopted); how many."""
    return Town.objects.filter(city__isnull=True).update(city=city)
