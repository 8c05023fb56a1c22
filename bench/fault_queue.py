"""One database: the first page of the managers' queue with 100,000 open faults, sorted by
priority, against the floor of the same page as hand-written SQL.

The floor is two raw queries (the count the pager needs, and the page: the score computed
from its stored parts and the two epochs, sorted, the columns a row shows joined in). The
request is GET /manage/ through Django's whole stack as a signed-in manager: session, scope,
filter form, selector, template with each row's reasons. The query count of the request is
taken at two page sizes: it must not grow with the page.
Prints one JSON line. Run by bench/run.py.
"""

import argparse
import datetime
import json
import random
import re
import time

from common import analyze, ensure_seeded, interleaved, setup_django

FAULTS = 100_000
NUMBER_PREFIX = "B-2026-"


def floor_sql(scope: list[int], w: dict) -> tuple[str, str]:
    owners = ",".join(str(pk) for pk in scope)
    where = f"r.owner_id IN ({owners}) AND r.status IN ('new', 'accepted', 'in_progress')"
    count = f"SELECT COUNT(*) FROM reports_report r WHERE {where}"
    # Sort over the report table alone, then join the page's rows: the best plan by hand.
    page = f"""
        SELECT r.id, r.number, r.status, r.created_at, r.respond_by, r.me_too_count,
               r.address_text, r.town, r.photo_far_from_asset, r.priority_reasons,
               r.priority_override, r.source, r.work_due_on, r.respond_epoch, r.created_epoch,
               c.code, c.name_ja, c.name_en, a.ledger_id, a.address, t.name_ja, t.name_en,
               o.name, g.name, top.score
        FROM (
            SELECT r.id, r.created_at, r.priority_base + r.priority_override + CASE
                       WHEN r.respond_epoch <= %s AND r.respond_epoch > 0 THEN {w["overdue"]}
                       WHEN r.respond_epoch > r.created_epoch
                           THEN ({w["time"]} * (%s - r.created_epoch))
                                / (r.respond_epoch - r.created_epoch)
                       ELSE 0 END AS score
            FROM reports_report r
            WHERE {where}
            ORDER BY score DESC, r.created_at ASC
            LIMIT %s
        ) top
        JOIN reports_report r ON r.id = top.id
        JOIN assets_faultcategory c ON c.id = r.category_id
        LEFT JOIN assets_asset a ON a.id = r.asset_id
        LEFT JOIN assets_assettype t ON t.id = a.asset_type_id
        JOIN assets_organization o ON o.id = r.owner_id
        LEFT JOIN assets_organization g ON g.id = r.assignee_id
        ORDER BY top.score DESC, top.created_at ASC
    """
    return count, page


def seed_faults(scope: list[int]) -> float:
    """100,000 open faults on point assets of the city, with their stored priority parts, as
    report_submit would leave them (written in bulk: the service is not what is measured)."""
    import secrets

    from django.contrib.gis.geos import Point

    from assets.models import Asset, AssetType
    from demo.city import CENTER_LAT, CENTER_LON
    from reports import priority
    from reports.models import ContextPlace, Report

    mine = Report.objects.filter(number__startswith=NUMBER_PREFIX, owner_id__in=scope)
    if mine.count() == FAULTS:
        return 0.0
    started = time.monotonic()
    Report.objects.filter(number__startswith=NUMBER_PREFIX).delete()
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
    places = list(ContextPlace.objects.all())
    categories = {
        t.pk: list(t.categories.filter(is_active=True))
        for t in AssetType.objects.filter(geometry_kind="point")
    }
    assets = list(
        Asset.objects.filter(
            asset_type_id__in=list(categories), status="in_service", owner_id__in=scope
        )
        .select_related("asset_type", "owner")
        .only("geom", "criticality", "attributes", "owner_id", "asset_type_id")[:FAULTS]
    )
    now = datetime.datetime.now(datetime.UTC)
    rows = []
    for n in range(FAULTS):
        asset = assets[n % len(assets)]
        category = rng.choice(categories[asset.asset_type_id])
        created = now - datetime.timedelta(minutes=n * 3 + rng.randint(0, 2))
        report = Report(
            number=f"{NUMBER_PREFIX}{n:06d}",
            tracking=secrets.token_urlsafe(18),
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
            respond_by=created + datetime.timedelta(hours=category.response_hours),
        )
        report.created_epoch = int(report.created_at.timestamp())
        report.respond_epoch = int(report.respond_by.timestamp())
        report.priority_reasons = priority.static_parts(report, places)
        report.priority_base = sum(part[0] for part in report.priority_reasons)
        rows.append(report)
        if len(rows) == 5000:
            Report.objects.bulk_create(rows)
            rows = []
    Report.objects.bulk_create(rows)
    analyze()
    return time.monotonic() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--assets", type=int, required=True)
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args()

    setup_django(args.database_url)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.models import Organization, User
    from assets.selectors import organization_scope_ids
    from reports import priority

    ensure_seeded(args.assets)
    city = Organization.objects.filter(kind="city", parent=None).order_by("pk").first()
    manager, _ = User.objects.get_or_create(
        username="bench-manager", defaults={"organization": city, "role": "manager"}
    )
    scope = sorted(organization_scope_ids(city))
    seeded = seed_faults(scope)
    count_sql, page_sql = floor_sql(scope, priority.weights())
    client = Client()
    client.force_login(manager)
    row_link = re.compile(rb'<td><a href="/manage/reports/([^/]+)/">')

    def floor(size=50):
        now = int(timezone.now().timestamp())
        with connection.cursor() as cursor:
            cursor.execute(count_sql)
            total = cursor.fetchone()[0]
            cursor.execute(page_sql, [now, now, size])
            return total, [row[1] for row in cursor.fetchall()]

    def request(size=50):
        response = client.get("/manage/", {"per_page": size}, HTTP_ACCEPT_LANGUAGE="ja")
        assert response.status_code == 200, response.content[:500]
        return [m.decode() for m in row_link.findall(response.content)]

    total, floor_numbers = floor()
    assert total >= FAULTS, total
    assert request() == floor_numbers, "the floor and the request show different pages"
    queries = {}
    for size in (50, 200):
        with CaptureQueriesContext(connection) as captured:
            request(size)
        queries[size] = len(captured)

    timings = interleaved({"floor": floor, "request": request}, repeat=args.repeat, warmup=3)
    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "faults": total,
                "seed_seconds": round(seeded, 1),
                "queries_50": queries[50],
                "queries_200": queries[200],
                **{f"{name}_{k}": round(v, 3) for name, t in timings.items() for k, v in t.items()},
            }
        )
    )


if __name__ == "__main__":
    main()
