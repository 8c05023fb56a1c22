"""Ten cities on one deployment (issue 21): one city's requests with the nine others loaded
against the same requests with that city alone, in the same run.

A fresh database gets one city (demo/cities.py: its City row and host, organisations, the
demo's streets of assets at its own place, stickers on its lights, open faults); three
requests of that city are measured on its host; nine more cities of the same size are
loaded; the same three requests are measured again. The requests go through Django's whole
stack in this process (the test client), in turns, after the same warm-up each time:

- the assets bbox request (GET /api/v1/assets/?bbox=…&limit=1000, as bench/bbox.py),
- the managers' queue, first page (GET /manage/queue/, signed in as the city's manager, as
  bench/fault_queue.py),
- the sticker page (GET /q/<code>, as bench/scan_http.py's "not seen lately": each request
  another sticker, the cache emptied before each phase).

Prints one JSON line. Run by bench/run.py (--only-cities).
"""

import argparse
import json
import re
import statistics
import time

from common import analyze, setup_django

WANTED = 1000  # assets in the bbox, as bench/bbox.py
KINDS = ("bbox", "queue", "scan")


def settle() -> None:
    """Fresh statistics and the writes flushed before a phase is measured, so that neither
    phase reads while the seeding's writes still go to disk (a checkpoint; on SQLite the
    write-ahead log folded back into the database)."""
    from django.db import connection

    analyze()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("CHECKPOINT")
        else:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def find_bbox(city_id: int, centre: tuple[float, float]):
    """A box around the city's centre holding just over 1,000 of its assets in service."""
    from django.contrib.gis.geos import Polygon

    from assets.models import Asset

    lon, lat = centre
    mine = Asset.objects.filter(status="in_service", owner__city_id=city_id)
    low, high = 0.0005, 0.2
    for _ in range(30):
        half = (low + high) / 2
        bbox = (lon - half, lat - half, lon + half, lat + half)
        count = mine.filter(geom__intersects=Polygon.from_bbox(bbox)).count()
        if WANTED <= count <= WANTED * 1.1:
            return bbox, count
        low, high = (half, high) if count < WANTED else (low, half)
    return bbox, count


def summary(samples: list[float]) -> dict:
    return {
        "median_ms": round(statistics.median(samples), 3),
        "p95_ms": round(statistics.quantiles(samples, n=20)[-1], 3),
        "min_ms": round(min(samples), 3),
    }


class Requests:
    """The three requests of one city, on its host, with what each must return."""

    def __init__(self, city, *, bbox, codes):
        from django.test import Client

        self.city = city
        self.host = city.host
        self.query = {"bbox": ",".join(f"{v:.6f}" for v in bbox), "limit": str(WANTED)}
        self.codes = codes
        self.public = Client(HTTP_HOST=self.host)
        self.staff = Client(HTTP_HOST=self.host)
        self.row_link = re.compile(rb'<td><a href="/manage/reports/([^/]+)/">')

    def sign_in(self):
        self.staff.force_login(self.city.manager)

    def bbox(self):
        response = self.public.get("/api/v1/assets/", self.query)
        assert response.status_code == 200, response.content[:500]
        return response

    def queue(self):
        response = self.staff.get("/manage/queue/", {"per_page": 50}, HTTP_ACCEPT_LANGUAGE="ja")
        assert response.status_code == 200, response.content[:500]
        return response

    def scan(self, code):
        response = self.public.get(f"/q/{code}", HTTP_ACCEPT_LANGUAGE="ja")
        assert response.status_code == 200, (code, response.status_code)
        return response

    def check(self) -> dict:
        """What the requests return: the city's own assets, reports and sticker only."""
        from assets.models import Asset

        self.sign_in()
        features = json.loads(self.bbox().content)["features"]
        ids = [f["id"] for f in features]
        assert len(ids) == WANTED, len(ids)
        city_id = self.city.row.pk
        assert Asset.objects.filter(pk__in=ids).exclude(owner__city_id=city_id).count() == 0
        numbers = [m.decode() for m in self.row_link.findall(self.queue().content)]
        assert len(numbers) == 50 and all(n.startswith(self.city.report_prefix) for n in numbers)
        return {"bbox_ids": ids}

    def queries(self) -> dict:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        counts = {}
        for kind, call in (
            ("bbox", self.bbox),
            ("queue", self.queue),
            ("scan", lambda: self.scan(self.codes[-1])),  # a sticker not seen yet
        ):
            with CaptureQueriesContext(connection) as captured:
                call()
            counts[kind] = len(captured)
        return counts

    def measure(self, repeat: int, warmup: int) -> dict:
        """Each round: the bbox request, the queue, one sticker not seen in this phase."""
        from django.core.cache import cache

        cache.clear()  # the sticker pages cached by the other phase
        self.sign_in()
        measured, spare = self.codes[:repeat], self.codes[repeat : repeat + warmup]
        for code in spare:
            self.bbox()
            self.queue()
            self.scan(code)
        samples = {kind: [] for kind in KINDS}
        for code in measured:
            for kind, call in (
                ("bbox", self.bbox),
                ("queue", self.queue),
                ("scan", lambda code=code: self.scan(code)),
            ):
                started = time.perf_counter()
                call()
                samples[kind].append((time.perf_counter() - started) * 1000)
        counts = self.queries()
        return {kind: {**summary(samples[kind]), "queries": counts[kind]} for kind in KINDS}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--cities", type=int, default=10)
    parser.add_argument("--assets", type=int, default=20_000, help="assets a city")
    parser.add_argument("--reports", type=int, default=5_000, help="open faults a city")
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument(
        "--explain",
        action="store_true",
        help="on a database this bench seeded: the plan of each query of the first city's "
        "three requests (EXPLAIN ANALYZE on PostGIS, EXPLAIN QUERY PLAN on SpatiaLite)",
    )
    args = parser.parse_args()

    setup_django(args.database_url)
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from accounts.models import City
    from demo.cities import HOST_SUFFIX, bench_city_install
    from qr_labels.models import Label

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, f".{HOST_SUFFIX}"]
    if args.explain:
        explain()
        return
    started = time.monotonic()
    call_command("migrate", verbosity=0, interactive=False)
    assert not City.objects.exists(), "the cities bench wants a fresh database"
    migrate_seconds = time.monotonic() - started

    started = time.monotonic()
    first = bench_city_install(0, assets=args.assets, reports=args.reports)
    settle()
    seed_one = time.monotonic() - started
    bbox, matching = find_bbox(first.row.pk, first.centre)
    # Each phase its own stickers, spread over the city (the other phase's pages are cached):
    # `repeat` measured, `warmup` to warm up with, one for the query count.
    per_phase = args.repeat + args.warmup + 1
    stickers = Label.objects.filter(
        state="active", asset__owner__city=first.row, asset__status="in_service"
    ).order_by("id")
    every = max(1, stickers.count() // (2 * per_phase))
    codes = list(stickers.values_list("code", flat=True)[::every][: 2 * per_phase])
    assert len(codes) == 2 * per_phase, len(codes)
    requests = Requests(first, bbox=bbox, codes=codes[:per_phase])
    alone_check = requests.check()
    one = requests.measure(args.repeat, args.warmup)

    started = time.monotonic()
    others = [
        bench_city_install(n, assets=args.assets, reports=args.reports)
        for n in range(1, args.cities)
    ]
    settle()
    seed_others = time.monotonic() - started
    areas = [c.row.service_area for c in (first, *others)]
    assert not any(a.intersects(b) for n, a in enumerate(areas) for b in areas[n + 1 :])
    assert requests.check() == alone_check, "the city's bbox request changed with more cities"
    requests.codes = codes[per_phase:]
    ten = requests.measure(args.repeat, args.warmup)

    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "cities": 1 + len(others),
                "repeat": args.repeat,
                "assets_per_city": first.assets,
                "reports_per_city": first.reports,
                "labels_per_city": first.labels,
                "assets_total": first.assets + sum(c.assets for c in others),
                "bbox_matching": matching,
                "migrate_seconds": round(migrate_seconds, 1),
                "seed_one_seconds": round(seed_one, 1),
                "seed_others_seconds": round(seed_others, 1),
                "one": one,
                "ten": ten,
            }
        )
    )


def explain() -> None:
    """Each query of the first city's three requests, with its plan, as run now."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import City, User
    from demo.cities import CITIES, HOST_SUFFIX, BenchCity
    from qr_labels.models import Label

    slug = CITIES[0][0]
    host = f"{slug}.{HOST_SUFFIX}"
    row = City.objects.get(slug=slug)
    city = BenchCity(
        row=row,
        organisation=row.organisations.get(code=slug),
        manager=User.objects.get(username=f"manager@{host}"),
        host=host,
        centre=CITIES[0][4],
        assets=0,
        labels=0,
        reports=0,
        report_prefix="C00-",
    )
    bbox, _count = find_bbox(row.pk, city.centre)
    # Two stickers of the city, read before the requests (their own query is no request's).
    code = list(Label.objects.filter(asset__owner__city=row).values_list("code", flat=True)[:2])
    requests = Requests(city, bbox=bbox, codes=[code[0]])
    requests.sign_in()
    prefix = (
        "EXPLAIN (ANALYZE, BUFFERS) "
        if connection.vendor == "postgresql"
        else "EXPLAIN QUERY PLAN "
    )
    for kind, call in (
        ("bbox", requests.bbox),
        ("queue", requests.queue),
        ("scan", lambda: requests.scan(code[1])),
    ):
        with CaptureQueriesContext(connection) as captured:
            call()
        for query in captured.captured_queries:
            sql = query["sql"]
            print(f"--- {kind}, {query['time']} s\n{sql}")
            if sql.lstrip().upper().startswith("SELECT"):
                with connection.cursor() as cursor:
                    cursor.execute(prefix + sql)
                    print("\n".join(" ".join(map(str, row)) for row in cursor.fetchall()))


if __name__ == "__main__":
    main()
