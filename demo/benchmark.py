"""Seeding for the benchmarks (`make bench`): data at a scale no test needs.

The queue benchmark measures reading 100,000 open faults, not taking them in, so they are
written in bulk as the intake door would leave them (number, place, owner, stored priority
parts) — the one place outside the door that makes reports (tests/test_architecture.py).
"""

import datetime
import math
import random

from django.conf import settings
from django.contrib.gis.geos import Point

from assets.models import Asset, AssetType
from demo.city import CENTER_LAT, CENTER_LON
from reports import priority
from reports.models import ContextPlace, Report


def _within_reach(places: list[ContextPlace], assets: list[Asset]) -> list[ContextPlace]:
    """The places that can weigh on a fault at one of `assets` (the priority counts a place
    only within PRIORITY_CONTEXT_DISTANCE_M): the cities of bench/cities.py far from the
    bench's places measure no distances to them. The same parts as with every place."""
    if not assets:
        return places
    xs, ys = [a.geom.x for a in assets], [a.geom.y for a in assets]
    margin_lat = 1.5 * settings.PRIORITY_CONTEXT_DISTANCE_M / 110_574
    margin_lon = margin_lat / math.cos(math.radians(max(abs(y) for y in ys)))
    west, east = min(xs) - margin_lon, max(xs) + margin_lon
    south, north = min(ys) - margin_lat, max(ys) + margin_lat
    return [p for p in places if west <= p.location.x <= east and south <= p.location.y <= north]


def faults_install(*, scope: list[int], count: int, prefix: str) -> int:
    """`count` open faults on point assets of the organisations in `scope`, numbered from
    `prefix`; returns how many were written (0 when they are there already)."""
    mine = Report.objects.filter(number__startswith=prefix, owner_id__in=scope)
    if mine.count() == count:
        return 0
    Report.objects.filter(number__startswith=prefix).delete()
    rng = random.Random(11)
    if not ContextPlace.objects.filter(source="bench").exists():
        ContextPlace.objects.bulk_create(
            ContextPlace(
                kind=rng.choice(["school", "hospital", "station"]),
                name=f"施設{n}",
                location=Point(
                    CENTER_LON + rng.uniform(-0.08, 0.08), CENTER_LAT + rng.uniform(-0.06, 0.06)
                ),
                source="bench",
            )
            for n in range(60)
        )
    categories = {
        t.pk: list(t.categories.filter(is_active=True))
        for t in AssetType.objects.filter(geometry_kind="point")
    }
    assets = list(
        Asset.objects.filter(
            asset_type_id__in=list(categories), status="in_service", owner_id__in=scope
        )
        .select_related("asset_type", "owner")
        .only("geom", "criticality", "attributes", "owner_id", "asset_type_id")[:count]
    )
    places = _within_reach(list(ContextPlace.objects.all()), assets)
    now = datetime.datetime.now(datetime.UTC)
    rows = []
    for n in range(count):
        asset = assets[n % len(assets)]
        category = rng.choice(categories[asset.asset_type_id])
        created = now - datetime.timedelta(minutes=n * 3 + rng.randint(0, 2))
        report = Report(
            number=f"{prefix}{n:06d}",
            source=rng.choice(["qr", "qr", "web", "inspection", "staff"]),
            language="ja",
            category=category,
            asset=asset,
            owner_id=asset.owner_id,
            location=asset.geom,
            location_source="asset",
            status=rng.choice(["new", "new", "accepted", "in_progress"]),
            me_too_count=rng.choice([0, 0, 0, 1, 2, 5]),
            created_at=created,
            respond_by=priority.respond_by(category, created),
        )
        report.created_epoch = int(report.created_at.timestamp())
        report.respond_epoch = int(report.respond_by.timestamp())
        report.priority_reasons = priority.static_parts(report, places)
        report.priority_base = sum(part[0] for part in report.priority_reasons)
        report.danger = priority.is_dangerous(report)
        rows.append(report)
        if len(rows) == 5000:
            Report.objects.bulk_create(rows)
            rows = []
    Report.objects.bulk_create(rows)
    return count
