"""One database: the first page of the managers' queue with 100,000 open faults, sorted by
priority, against the floor of the same page as hand-written SQL.

The floor is two raw queries (the count the pager needs, and the page: the score computed
from its stored parts and the two epochs, sorted, the columns a row shows joined in). The
request is GET /manage/queue/ through Django's whole stack as a signed-in manager: session, scope,
filter form, selector, template with each row's reasons. The query count of the request is
taken at two page sizes: it must not grow with the page.
Prints one JSON line. Run by bench/run.py.
"""

import argparse
import json
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
            SELECT r.id, r.created_at, r.danger, r.priority_base + r.priority_override + CASE
                       WHEN r.respond_epoch <= %s AND r.respond_epoch > 0 THEN {w["overdue"]}
                       WHEN r.respond_epoch > r.created_epoch
                           THEN ({w["time"]} * (%s - r.created_epoch))
                                / (r.respond_epoch - r.created_epoch)
                       ELSE 0 END AS score
            FROM reports_report r
            WHERE {where}
            ORDER BY r.danger DESC, score DESC, r.created_at ASC
            LIMIT %s
        ) top
        JOIN reports_report r ON r.id = top.id
        JOIN assets_faultcategory c ON c.id = r.category_id
        LEFT JOIN assets_asset a ON a.id = r.asset_id
        LEFT JOIN assets_assettype t ON t.id = a.asset_type_id
        JOIN assets_organization o ON o.id = r.owner_id
        LEFT JOIN assets_organization g ON g.id = r.assignee_id
        ORDER BY top.danger DESC, top.score DESC, top.created_at ASC
    """
    return count, page


def seed_faults(scope: list[int]) -> float:
    """The open faults the queue is measured on (demo/benchmark.py writes them)."""
    from demo.benchmark import faults_install

    started = time.monotonic()
    if faults_install(scope=scope, count=FAULTS, prefix=NUMBER_PREFIX):
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
        response = client.get("/manage/queue/", {"per_page": size}, HTTP_ACCEPT_LANGUAGE="ja")
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
