"""`make bench`: each benchmark beside its floor, measured in the same run, as ratios.

Databases are seeded once with the deterministic demo city and kept between runs
(PostGIS databases machimori_bench_*, SpatiaLite files under var/bench/); the ten cities'
(machimori_bench_cities, var/bench/cities.sqlite3) are seeded afresh each run, one city
before the nine others.

Why it is long: each benchmark has its runner and its table printer here, side by side, so
that a budget and the line that judges it are read together.
"""

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.run_tests import ensure_postgres  # noqa: E402

PG = "postgis://postgres@127.0.0.1:5432/{name}"
BBOX_BUDGET = 2.0  # request / floor
FLAT_BUDGET = 1.5  # PostGIS request time at 1M / at 100k (make bench-large: at 10M / at 1M)
LARGE_SIZES = [1_000_000, 10_000_000]


def create_pg_database(name: str) -> None:
    import psycopg

    with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def run_worker(script: str, *args: str) -> dict:
    started = time.monotonic()
    output = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *args],
        cwd=ROOT / "bench",
        capture_output=True,
        text=True,
    )
    if output.returncode != 0:
        sys.stderr.write(output.stdout + output.stderr)
        raise SystemExit(f"{script} {' '.join(args)} failed")
    result = json.loads(output.stdout.strip().splitlines()[-1])
    result["wall_seconds"] = round(time.monotonic() - started, 1)
    return result


def bbox_benchmarks(repeat: int, sizes_pg: list[int], sizes_sqlite: list[int]) -> list[dict]:
    results = []
    for assets in sizes_pg:
        name = f"machimori_bench_{assets}"
        create_pg_database(name)
        print(f"  PostGIS, {assets:,} assets …", flush=True)
        results.append(
            run_worker(
                "bbox.py",
                f"--database-url={PG.format(name=name)}",
                f"--assets={assets}",
                f"--repeat={repeat}",
            )
        )
    for assets in sizes_sqlite:
        path = ROOT / "var" / "bench" / f"bench_{assets}.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        print(f"  SpatiaLite, {assets:,} assets …", flush=True)
        results.append(
            run_worker(
                "bbox.py",
                f"--database-url=spatialite:///{path}",
                f"--assets={assets}",
                f"--repeat={repeat}",
            )
        )
    return results


def print_bbox_table(results: list[dict]) -> bool:
    print()
    print("GeoJSON bbox request, 1,000 assets (median of interleaved runs, ms)")
    header = (
        f"{'database':<11}{'assets':>11}{'floor':>9}{'request':>10}{'ratio':>8}{'budget':>8}"
        "  verdict"
    )
    print(header)
    print("-" * len(header))
    ok = True
    for r in results:
        ratio = r["request_median_ms"] / r["floor_median_ms"]
        meets = ratio <= BBOX_BUDGET
        ok &= meets
        database = "PostGIS" if r["vendor"] == "postgresql" else "SpatiaLite"
        print(
            f"{database:<11}{r['assets']:>11,}{r['floor_median_ms']:>9.2f}"
            f"{r['request_median_ms']:>10.2f}{ratio:>8.2f}{BBOX_BUDGET:>8.1f}  "
            f"{'ok' if meets else 'OVER BUDGET'}"
        )
    pg = sorted((r for r in results if r["vendor"] == "postgresql"), key=lambda r: r["assets"])
    if len(pg) >= 2:
        growth = pg[-1]["request_median_ms"] / pg[0]["request_median_ms"]
        meets = growth <= FLAT_BUDGET
        ok &= meets
        print(
            f"PostGIS request time {pg[0]['assets']:,} → {pg[-1]['assets']:,} assets: "
            f"x{growth:.2f} (budget x{FLAT_BUDGET}) {'ok' if meets else 'OVER BUDGET'}"
        )
    return ok


LABELS_BUDGET = 3.0  # PDF time / zxing-cpp encoding the same symbols
MEMORY_GROWTH_BUDGET = 1.25  # peak memory at 10,000 labels / at 1,000


def labels_benchmark(labels: int, small: int) -> dict:
    path = ROOT / "var" / "bench" / "bench_100000.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    url = f"--database-url=spatialite:///{path}"
    print(f"  label sheets, {labels:,} labels …", flush=True)
    timing = run_worker("labels.py", url, "--assets=100000", f"--labels={labels}")
    memory = [
        run_worker("labels.py", url, "--assets=100000", f"--labels={n}", "--memory-only")
        for n in (small, labels)
    ]
    return {"timing": timing, "memory": memory}


def print_labels_table(result: dict) -> bool:
    timing, (small, large) = result["timing"], result["memory"]
    ratio = timing["pdf_s"] / timing["zxing_s"]
    growth = large["peak_mib"] / small["peak_mib"]
    print()
    print(f"QR label sheets, {timing['labels']:,} labels to an A4 PDF")
    verdict = "ok" if ratio <= LABELS_BUDGET else "OVER BUDGET"
    print(
        f"{timing['labels']:,} labels to PDF: {timing['pdf_s']:.2f} s; zxing-cpp encoder for the "
        f"same symbols: {timing['zxing_s']:.2f} s; ratio {ratio:.2f}× (budget {LABELS_BUDGET:g}×) "
        f"{verdict}"
    )
    print(f"(each the best of {timing['rounds']} rounds, taken in turns)")
    print(
        f"(qrcode, which makes single images: {timing['qrcode_labels']:,} of the same symbols "
        f"in {timing['qrcode_s']:.2f} s)"
    )
    verdict_m = "ok" if growth <= MEMORY_GROWTH_BUDGET else "GROWS"
    print(
        f"Peak Python memory while writing: {small['labels']:,} labels "
        f"{small['peak_mib']:.1f} MiB, {large['labels']:,} labels {large['peak_mib']:.1f} MiB "
        f"(x{growth:.2f}) {verdict_m}"
    )
    return ratio <= LABELS_BUDGET and growth <= MEMORY_GROWTH_BUDGET


SCAN_BUDGET = 4.0  # /q/<code> requests per second, bare view / scan page
PHOTO_BUDGET = 1.5  # photo pipeline / floor


def scan_benchmark(seconds: int, rounds: int) -> dict:
    path = ROOT / "var" / "bench" / "bench_100000.sqlite3"
    print("  /q/<code> over HTTP (gunicorn + wrk) …", flush=True)
    return run_worker(
        "scan_http.py",
        f"--database-url=spatialite:///{path}",
        "--assets=100000",
        f"--seconds={seconds}",
        f"--rounds={rounds}",
    )


def print_scan_table(r: dict) -> bool:
    print()
    print("/q/<code> over HTTP: gunicorn (2 workers) loaded by wrk (8 connections), requests/s")
    print(f"{'bare Django view (floor)':<44}{r['bare_rps']:>8}")
    ok = True
    for name, label in (
        ("warm", "sticker pages seen recently (200 stickers)"),
        ("cold", "sticker pages not seen lately (20,000)"),
    ):
        ratio = r[f"{name}_ratio"]
        meets = ratio <= SCAN_BUDGET
        ok &= meets if name == "warm" else True
        print(
            f"{label:<44}{r[f'{name}_rps']:>8}   ratio {ratio:.2f} (budget {SCAN_BUDGET})"
            f" {'ok' if meets else 'over budget'}"
        )
    return ok


def photo_benchmark() -> dict:
    print("  photo pipeline, 12-megapixel JPEG …", flush=True)
    return run_worker("photos.py")


def print_photo_table(r: dict) -> bool:
    meets = r["ratio"] <= PHOTO_BUDGET
    print()
    print("Photo pipeline on a 12-megapixel JPEG (median ms)")
    print(f"{'floor: draft decode to 2048 px + one JPEG encode':<52}{r['floor_ms']:>8.1f}")
    print(f"{'tight floor: the pipeline draft decode + one encode':<52}{r['tight_floor_ms']:>8.1f}")
    print(
        f"{'pipeline (checks, EXIF, public copy, thumbnail)':<52}{r['pipeline_ms']:>8.1f}   "
        f"ratio {r['ratio']:.2f} (budget {PHOTO_BUDGET}) {'ok' if meets else 'OVER BUDGET'};"
        f" to the tight floor {r['ratio_to_tight_floor']:.2f}"
    )
    return meets


SYNC_BUDGET = 2.0  # batch sync / ORM bulk insert of the same rows


def sync_benchmarks() -> list[dict]:
    results = []
    for url in (
        PG.format(name="machimori_bench_100000"),
        f"spatialite:///{ROOT / 'var' / 'bench' / 'bench_100000.sqlite3'}",
    ):
        print(f"  inspection sync, 1,000 records ({url.split(':')[0]}) …", flush=True)
        results.append(run_worker("sync.py", f"--database-url={url}", "--assets=100000"))
    return results


def print_sync_table(results: list[dict]) -> bool:
    print()
    print("Batch sync of 1,000 inspections, 10 answers each (median ms)")
    header = (
        f"{'database':<11}{'ORM bulk insert':>16}{'sync':>9}{'ratio':>8}{'budget':>8}{'resend':>9}"
    )
    print(header)
    print("-" * len(header))
    ok = True
    for r in results:
        ratio = r["ratio"]
        meets = ratio <= SYNC_BUDGET and r["resend_ms"] < r["sync_ms"]
        ok &= meets
        database = "PostGIS" if r["vendor"] == "postgresql" else "SpatiaLite"
        print(
            f"{database:<11}{r['floor_ms']:>16.1f}{r['sync_ms']:>9.1f}{ratio:>8.2f}"
            f"{SYNC_BUDGET:>8.1f}{r['resend_ms']:>9.1f}  {'ok' if meets else 'OVER BUDGET'}"
        )
    print("(resending the same batch creates nothing and must take less than the first send)")
    return ok


QUEUE_BUDGET = 2.0  # the queue's first page / the same page by hand-written SQL


def queue_benchmarks(repeat: int) -> list[dict]:
    results = []
    for url in (
        PG.format(name="machimori_bench_100000"),
        f"spatialite:///{ROOT / 'var' / 'bench' / 'bench_100000.sqlite3'}",
    ):
        print(f"  fault queue, 100,000 open faults ({url.split(':')[0]}) …", flush=True)
        results.append(
            run_worker(
                "fault_queue.py", f"--database-url={url}", "--assets=100000", f"--repeat={repeat}"
            )
        )
    return results


def print_queue_table(results: list[dict]) -> bool:
    print()
    print("Managers' queue, first page (50 rows) of 100,000 open faults by priority (median ms)")
    header = (
        f"{'database':<11}{'SQL by hand':>12}{'GET /manage/queue/':>20}{'ratio':>8}{'budget':>8}"
        f"{'queries (50 / 200 rows)':>26}"
    )
    print(header)
    print("-" * len(header))
    ok = True
    for r in results:
        ratio = r["request_median_ms"] / r["floor_median_ms"]
        bounded = r["queries_50"] == r["queries_200"]
        meets = ratio <= QUEUE_BUDGET and bounded
        ok &= meets
        database = "PostGIS" if r["vendor"] == "postgresql" else "SpatiaLite"
        queries = f"{r['queries_50']} / {r['queries_200']}"
        print(
            f"{database:<11}{r['floor_median_ms']:>12.1f}{r['request_median_ms']:>20.1f}"
            f"{ratio:>8.2f}{QUEUE_BUDGET:>8.1f}{queries:>26}  {'ok' if meets else 'OVER BUDGET'}"
        )
    print("(the SQL by hand counts the matches and sorts the report table alone, then joins the")
    print(" page's rows; the request is the whole page for a signed-in manager, template included)")
    return ok


SLOW_PHONE_BUDGET_S = 15.0  # press send → receipt, 5 MB photo, 400 kbit/s, 400 ms


def slow_phone_benchmark() -> dict:
    path = ROOT / "var" / "bench" / "slow_phone.sqlite3"
    print("  a resident on a slow connection with a 12-megapixel photo (Chromium) …", flush=True)
    return run_worker("slow_phone.py", f"--database-url=spatialite:///{path}")


def print_slow_phone_table(r: dict) -> bool:
    meets = r["seconds"] <= SLOW_PHONE_BUDGET_S and r["metres_from_photo"] <= 1 and r["posts"] <= 2
    print()
    print("A resident on a slow connection (400 kbit/s, 400 ms) sends a camera photo, /report/")
    print(f"{'the photo as taken':<52}{r['photo_bytes'] / 1e6:>8.1f} MB")
    print(
        f"{'what the page sent (shrunk to 1600 px in the browser)':<52}"
        f"{r['bytes_sent'] / 1e3:>8.0f} KB"
    )
    print(
        f"{'floor: the same bytes over the same link, bare view':<52}{r['floor_seconds']:>8.1f} s"
    )
    print(
        f"{'press send → receipt':<52}{r['seconds']:>8.1f} s   ratio {r['ratio']:.2f}; "
        f"budget {SLOW_PHONE_BUDGET_S:.0f} s {'ok' if meets else 'OVER BUDGET'}"
    )
    print(
        f"{'the report stands where the photo was taken':<52}{r['metres_from_photo']:>8.2f} m"
        f"   (budget 1 m; it asked which road: {'yes' if r['asked_which_asset'] else 'no'})"
    )
    return meets


DETERIORATION_BUDGET = 12.0  # 50,000 assets / 5,000 assets


def deterioration_benchmark() -> dict:
    print("  deterioration model, 5,000 and 50,000 assets, in memory and stored …", flush=True)
    path = ROOT / "var" / "bench" / "deterioration.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)  # the stored histories are made afresh each run
    return run_worker("deterioration.py", f"--database-url=spatialite:///{path}")


def print_deterioration_table(r: dict) -> bool:
    meets = r["ratio"] <= DETERIORATION_BUDGET
    print()
    print("Deterioration model (hazards and misreading jointly), 5 inspections per asset, s")
    for size in ("small", "large"):
        f = r[size]
        print(f"{f['assets']:>8,} assets, {f['inspections']:>8,} inspections{f['seconds']:>10.1f}")
    print(
        f"{'ratio':<42}{r['ratio']:>8.2f} (budget {DETERIORATION_BUDGET:.0f}) "
        f"{'ok' if meets else 'OVER BUDGET'}"
    )
    stored = r.get("database")
    if stored:
        meets &= stored["ratio"] <= DETERIORATION_BUDGET
        print("Read from SpatiaLite, fitted, stored, every asset's forecast written, s")
        for size in ("small", "large"):
            f = stored[size]
            print(
                f"{f['assets']:>8,} assets, {f['inspections']:>8,} inspections{f['seconds']:>10.1f}"
            )
        print(
            f"{'ratio':<42}{stored['ratio']:>8.2f} (budget {DETERIORATION_BUDGET:.0f}) "
            f"{'ok' if stored['ratio'] <= DETERIORATION_BUDGET else 'OVER BUDGET'}"
        )
    return meets


PLAN_MAKE_BUDGET = 12.0  # making the plan: 50,000 assets / 5,000 assets
PLAN_PAGE_BUDGET = 2.0  # the plan's page: 50,000 assets / 5,000 assets


def planning_benchmark() -> dict:
    print("  long-life plan, 5,000 and 50,000 assets …", flush=True)
    path = ROOT / "var" / "bench" / "planning.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    return run_worker("planning.py", f"--database-url=spatialite:///{path}")


def print_planning_table(r: dict) -> bool:
    make_ok = r["make_ratio"] <= PLAN_MAKE_BUDGET
    page_ok = r["page_ratio"] <= PLAN_PAGE_BUDGET
    print()
    print("Long-life repair plan, 10 years, preventive, SpatiaLite")
    print(f"{'':>8} {'assets':>8} {'works':>8} {'make, s':>10} {'page, ms':>10}")
    for size in ("small", "large"):
        f = r[size]
        print(
            f"{'':>8} {f['assets']:>8,} {f['works']:>8,} {f['make_seconds']:>10.2f} "
            f"{f['page_ms']:>10.1f}"
        )
    print(
        f"{'ratio':<26}{r['make_ratio']:>10.2f} (budget {PLAN_MAKE_BUDGET:.0f}) "
        f"{'ok' if make_ok else 'OVER BUDGET'}"
    )
    print(
        f"{'page ratio':<37}{r['page_ratio']:>10.2f} (budget {PLAN_PAGE_BUDGET:.0f}) "
        f"{'ok' if page_ok else 'OVER BUDGET'}"
    )
    return make_ok and page_ok


LIGHTHOUSE_BUDGET = {"performance": 95, "accessibility": 100, "best-practices": 100}


def lighthouse_benchmark() -> dict:
    path = ROOT / "var" / "bench" / "slow_phone.sqlite3"
    print("  Lighthouse 12, mobile, on /q/<code>, /report/, /r/<token> …", flush=True)
    return run_worker("lighthouse.py", f"--database-url=spatialite:///{path}")


def print_lighthouse_table(results: dict) -> bool:
    print()
    print("Lighthouse 12 (mobile defaults), scores out of 100")
    header = (
        f"{'page':<10}{'performance':>13}{'accessibility':>15}{'best practices':>16}{'LCP ms':>8}"
    )
    print(header)
    print("-" * len(header))
    ok = True
    for page, r in results.items():
        if not isinstance(r, dict):  # run_worker's wall_seconds
            continue
        meets = all(r[name] >= floor for name, floor in LIGHTHOUSE_BUDGET.items())
        ok &= meets
        print(
            f"{page:<10}{r['performance']:>13}{r['accessibility']:>15}{r['best-practices']:>16}"
            f"{r['lcp_ms']:>8}  {'ok' if meets else 'BELOW BUDGET'}"
            + (f"  (points lost: {', '.join(r['lost'])})" if r["lost"] else "")
        )
    print("(budget: performance >= 95, accessibility 100, best practices 100)")
    return ok


FIELD_FIRST_LOAD_KB = 150  # the field app's first load, compressed (Leaflet, QR decoder aside)
FIELD_LIST_BUDGET = 3.0  # 2,000 assets to the list, CPU 4x / reading them from IndexedDB
FIELD_SAVE_BUDGET = 2.0  # an inspection with two photos saved / their downscale alone


def field_app_benchmark() -> dict:
    print("  field app: first load, a 2,000-asset work pack, two photos (Chromium) …", flush=True)
    path = ROOT / "var" / "bench" / "field_app.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    return run_worker("field_app.py", f"--database-url=spatialite:///{path}")


def print_field_app_table(r: dict) -> bool:
    first, install, listed, save = r["first_load"], r["offline_install"], r["list"], r["save"]
    load_ok = first["bytes"] / 1e3 <= FIELD_FIRST_LOAD_KB
    list_ok = listed["ratio"] <= FIELD_LIST_BUDGET
    save_ok = save["ratio"] <= FIELD_SAVE_BUDGET
    print()
    print("Field app /field/ in Chromium on a tablet, served compressed (gunicorn, whitenoise)")
    print(
        f"{'first load (page), until the network is idle':<52}{first['bytes'] / 1e3:>8.1f} KB"
        f"   {first['requests']} requests; budget {FIELD_FIRST_LOAD_KB} KB "
        f"{'ok' if load_ok else 'OVER BUDGET'}"
    )
    print(
        f"{'offline install (service worker precache)':<52}{install['bytes'] / 1e3:>8.1f} KB"
        f"   {install['requests']} requests, in the background (no budget)"
    )
    print(f"Opening a work pack of {r['assets']:,} assets to its list, CPU 4x (median ms)")
    print(f"{'floor: the records read from IndexedDB, not drawn':<52}{listed['floor_ms']:>8.1f}")
    print(
        f"{'#/assets?assignment= to the first rows drawn':<52}{listed['open_ms']:>8.1f}   "
        f"ratio {listed['ratio']:.2f} (budget {FIELD_LIST_BUDGET:.0f}) "
        f"{'ok' if list_ok else 'OVER BUDGET'}"
    )
    print(f"Saving an inspection with two {save['photo_bytes'] / 2e6:.1f} MB photos (median ms)")
    print(f"{'floor: the downscale alone of the two, to 2048 px':<52}{save['floor_ms']:>8.1f}")
    print(
        f"{'photos chosen → thumbnails, save → in the outbox':<52}{save['save_ms']:>8.1f}   "
        f"ratio {save['ratio']:.2f} (budget {FIELD_SAVE_BUDGET:.0f}) "
        f"{'ok' if save_ok else 'OVER BUDGET'}"
    )
    return load_ok and list_ok and save_ok


LINE_ACK_BUDGET = 2.0  # the webhook's p95 under 20 deliveries at a time / the bare view's


def line_benchmark() -> dict:
    print("  LINE: the webhook, 20 deliveries at a time; 1,000 conversations …", flush=True)
    path = ROOT / "var" / "bench" / "line.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    return run_worker("line.py", f"--database-url=spatialite:///{path}")


def print_line_table(r: dict) -> bool:
    ack, talk = r["acknowledgement"], r["conversations"]
    ack_ok = ack["ratio_p95"] <= LINE_ACK_BUDGET
    talk_ok = (
        talk["reports"] == talk["conversations"] == talk["finished"]
        and talk["duplicates"] == talk["wrong_asset"] == talk["non_200"] == 0
        and talk["events_in_error"] == 0
        and talk["replies"] == talk["events"]
    )
    print()
    print("LINE webhook, 20 deliveries at a time (gunicorn, 2 workers, SpatiaLite), ms")
    print(f"{'':<52}{'p50':>8}{'p95':>8}")
    for name, label in (
        ("bare", "floor: a bare view, the signature verified only"),
        ("webhook", "/line/webhook: events kept, tasks enqueued"),
    ):
        print(f"{label:<52}{ack[name]['p50_ms']:>8.1f}{ack[name]['p95_ms']:>8.1f}")
    print(
        f"{'ratio of the p95s':<52}{ack['ratio_p95']:>16.2f}   (budget {LINE_ACK_BUDGET:.0f}) "
        f"{'ok' if ack_ok else 'OVER BUDGET'}"
    )
    print(
        f"{talk['conversations']:,} conversations by LINE, {talk['redelivered']:,} of "
        f"{talk['events']:,} events delivered twice, db_worker: {talk['seconds']:.1f} s"
    )
    print(
        f"{'reports / duplicates / on a wrong asset':<52}"
        f"{talk['reports']:>8,} / {talk['duplicates']} / {talk['wrong_asset']}   "
        f"{'ok' if talk_ok else 'WRONG'}"
    )
    print(
        f"(the bot's reply after each event: p50 {talk['reply_p50_ms']:.0f} ms, "
        f"p95 {talk['reply_p95_ms']:.0f} ms; replies {talk['replies']:,} for "
        f"{talk['events']:,} events)"
    )
    return ack_ok and talk_ok


SUBMISSION_BUDGET = 3.0  # p95 of a submission with a 5 MB photo / a bare view storing the body
REPLICA_BUDGET = 1.2  # the bbox request on the replica / the same on the primary
CLUSTER_SAVED = ROOT / "var" / "cluster" / "bench.json"


def cluster_benchmark() -> dict:
    """bench/cluster.py on make cluster, started for it when it is not up (and stopped after;
    a cluster that is up is used as it is). When the cluster cannot start here (its Debian
    packages missing, ports taken), the figures of the last run on this machine are shown,
    marked as such: they are the same measurement, only older."""
    print("  make cluster: a submission with a 5 MB photo, 50 at a time; the replica …", flush=True)
    started = time.monotonic()
    output = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "cluster.py")],
        cwd=ROOT / "bench",
        capture_output=True,
        text=True,
    )
    sys.stderr.write(output.stderr)
    if output.returncode == 0:
        result = json.loads(output.stdout.strip().splitlines()[-1])
        result["wall_seconds"] = round(time.monotonic() - started, 1)
        return result
    if output.returncode == 3 and CLUSTER_SAVED.exists():  # the cluster could not start
        print("  (the cluster could not start: the last figures measured on it are shown)")
        return {**json.loads(CLUSTER_SAVED.read_text()), "from_saved": True}
    return {"failed": "the cluster could not start" if output.returncode == 3 else "failed"}


def print_cluster_table(r: dict) -> bool:
    print()
    if r.get("failed"):
        print(f"make cluster: {r['failed']} (see above): NOT MEASURED")
        return False
    sub, reads = r["submission"], r["replica"]
    where = f"saved from {r['when']}" if r.get("from_saved") else "this run"
    began = "started for this run, stopped after" if r.get("started_cluster") else "already up"
    print(f"make cluster (nginx, 3 app servers, pgbouncer, S3) — {where}; the cluster {began}")
    print(
        f"Submission with a {sub['photo_bytes'] / 1e6:.1f} MB photo, {sub['clients']} residents "
        f"at a time ({sub['posts_each']} posts of each), ms"
    )
    print(f"{'':<52}{'p50':>8}{'p95':>8}")
    print(
        f"{'floor: a bare view storing the same body to S3':<52}"
        f"{sub['floor_p50_ms']:>8.0f}{sub['floor_p95_ms']:>8.0f}"
    )
    print(
        f"{'the form with its photo → receipt (302)':<52}"
        f"{sub['submission_p50_ms']:>8.0f}{sub['submission_p95_ms']:>8.0f}"
    )
    sub_ok = sub["ratio_p95"] <= SUBMISSION_BUDGET
    print(
        f"{'ratio of the p95s':<52}{sub['ratio_p95']:>16.2f}   (budget {SUBMISSION_BUDGET:g}) "
        f"{'ok' if sub_ok else 'OVER BUDGET'}"
    )
    reads_ok = reads["ratio"] <= REPLICA_BUDGET and reads["replica_transactions"] >= reads["repeat"]
    print(
        f"Asset bbox request ({reads['assets']} assets) through nginx, median of "
        f"{reads['repeat']} in turns: replica {reads['replica_median_ms']:.1f} ms, primary "
        f"{reads['primary_median_ms']:.1f} ms; ratio {reads['ratio']:.2f} (budget "
        f"{REPLICA_BUDGET:g}) {'ok' if reads_ok else 'OVER BUDGET'}"
    )
    print(
        f"(the replica counted {reads['replica_transactions']} transactions meanwhile: it "
        "answered the public reads)"
    )
    return sub_ok and reads_ok


CITIES_BUDGET = 1.2  # a city's request with ten cities loaded / the same with it alone
CITY_SIZE = {"assets": 20_000, "reports": 5_000}  # each city's (--quick: a quarter)


def recreate_pg_database(name: str) -> None:
    """An empty database (the cities bench seeds its cities afresh each run)."""
    import psycopg

    with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def cities_benchmarks(repeat: int, assets: int, reports: int) -> list[dict]:
    results = []
    sqlite = ROOT / "var" / "bench" / "cities.sqlite3"
    sqlite.parent.mkdir(parents=True, exist_ok=True)
    sqlite.unlink(missing_ok=True)
    recreate_pg_database("machimori_bench_cities")
    for url in (PG.format(name="machimori_bench_cities"), f"spatialite:///{sqlite}"):
        print(
            f"  one city, then ten, of {assets:,} assets and {reports:,} open faults each "
            f"({url.split(':')[0]}) …",
            flush=True,
        )
        results.append(
            run_worker(
                "cities.py",
                f"--database-url={url}",
                f"--assets={assets}",
                f"--reports={reports}",
                f"--repeat={repeat}",
            )
        )
    return results


def print_cities_table(results: list[dict]) -> bool:
    print()
    print(
        "One city of ten (issue 21): its requests on its host with the ten cities loaded, "
        "against the same with it alone (ms)"
    )
    header = (
        f"{'database':<11}{'request':<34}{'alone':>8}{'of ten':>8}{'ratio':>7}{'budget':>7}"
        f"{'p95 alone / of ten':>20}{'queries':>9}"
    )
    print(header)
    print("-" * len(header))
    ok = True
    labels = {
        "bbox": "assets bbox, 1,000 (GeoJSON)",
        "queue": "managers' queue, first page",
        "scan": "sticker page /q/<code>, not seen",
    }
    for r in results:
        database = "PostGIS" if r["vendor"] == "postgresql" else "SpatiaLite"
        for kind, label in labels.items():
            one, ten = r["one"][kind], r["ten"][kind]
            ratio = ten["median_ms"] / one["median_ms"]
            same_queries = one["queries"] == ten["queries"]
            meets = ratio <= CITIES_BUDGET and same_queries
            ok &= meets
            p95 = f"{one['p95_ms']:.1f} / {ten['p95_ms']:.1f}"
            queries = f"{one['queries']}" if same_queries else f"{one['queries']}→{ten['queries']}"
            print(
                f"{database:<11}{label:<34}{one['median_ms']:>8.1f}{ten['median_ms']:>8.1f}"
                f"{ratio:>7.2f}{CITIES_BUDGET:>7.1f}{p95:>20}{queries:>9}  "
                f"{'ok' if meets else 'OVER BUDGET'}"
            )
    for r in results:
        database = "PostGIS" if r["vendor"] == "postgresql" else "SpatiaLite"
        print(
            f"({database}: {r['cities']} cities of {r['assets_per_city']:,} assets, "
            f"{r['labels_per_city']:,} stickers and {r['reports_per_city']:,} open faults each; "
            f"median of {r['repeat']} rounds a phase; seeded in {r['seed_one_seconds']:.0f} s "
            f"+ {r['seed_others_seconds']:.0f} s)"
        )
    print("(the ratio is of the medians; the query count of each request must not change)")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("--quick", action="store_true", help="smaller databases, fewer runs")
    parser.add_argument(
        "--only-cluster", action="store_true", help="only the figures on make cluster (issue 20)"
    )
    parser.add_argument(
        "--only-cities",
        action="store_true",
        help="only one city's requests alone and among ten cities (issue 21)",
    )
    parser.add_argument(
        "--large",
        action="store_true",
        help="only the bbox request on PostGIS at 1,000,000 and 10,000,000 assets (make "
        "bench-large: the seeding alone takes a while and several GB)",
    )
    args = parser.parse_args()
    if args.large:
        ensure_postgres()
        print("Large benchmark (PostGIS databases seeded on first use, then kept):")
        return 0 if print_bbox_table(bbox_benchmarks(args.repeat, LARGE_SIZES, [])) else 1
    if args.only_cluster:
        print("Benchmarks on make cluster:")
        return 0 if print_cluster_table(cluster_benchmark()) else 1
    ensure_postgres()
    city_size = {k: v // 4 if args.quick else v for k, v in CITY_SIZE.items()}
    city_repeat = 30 if args.quick else args.repeat
    if args.only_cities:
        print("Benchmark of ten cities (their databases seeded afresh):")
        cities = cities_benchmarks(city_repeat, **city_size)
        save_results({"cities": cities}, "results-cities.json")
        return 0 if print_cities_table(cities) else 1
    sizes_pg, sizes_sqlite = (
        ([10_000, 100_000], [10_000]) if args.quick else ([100_000, 1_000_000], [100_000])
    )
    print("Benchmarks (databases are seeded on first use, then kept):")
    results = bbox_benchmarks(args.repeat if not args.quick else 30, sizes_pg, sizes_sqlite)
    labels = labels_benchmark(*((1_000, 100) if args.quick else (10_000, 1_000)))
    scan = scan_benchmark(*((3, 1) if args.quick else (5, 3)))
    photos = photo_benchmark()
    syncs = sync_benchmarks()
    queues = queue_benchmarks(10 if args.quick else 40)
    slow_phone = slow_phone_benchmark()
    lighthouse = lighthouse_benchmark()
    deterioration = deterioration_benchmark()
    planning = planning_benchmark()
    field_app = field_app_benchmark()
    line = line_benchmark()
    cities = cities_benchmarks(city_repeat, **city_size)
    on_cluster = cluster_benchmark()
    ok = print_bbox_table(results)
    ok &= print_labels_table(labels)
    ok &= print_scan_table(scan)
    ok &= print_photo_table(photos)
    ok &= print_sync_table(syncs)
    ok &= print_queue_table(queues)
    ok &= print_slow_phone_table(slow_phone)
    ok &= print_lighthouse_table(lighthouse)
    ok &= print_deterioration_table(deterioration)
    ok &= print_planning_table(planning)
    ok &= print_field_app_table(field_app)
    ok &= print_line_table(line)
    ok &= print_cities_table(cities)
    ok &= print_cluster_table(on_cluster)
    save_results(
        {
            "bbox": results,
            "labels": labels,
            "scan": scan,
            "photos": photos,
            "sync": syncs,
            "queue": queues,
            "slow_phone": slow_phone,
            "lighthouse": lighthouse,
            "deterioration": deterioration,
            "planning": planning,
            "field_app": field_app,
            "line": line,
            "cities": cities,
            "cluster": on_cluster,
        }
    )
    return 0 if ok else 1


def save_results(results: dict, name: str = "results.json") -> None:
    out = ROOT / "var" / "bench" / name
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(f"\nRaw figures: {out}")


if __name__ == "__main__":
    sys.exit(main())
