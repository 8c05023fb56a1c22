"""`make loadtest`: issue 20's mixed day against `make cluster`, once without a fault and once
during each of four faults; the figures per kind of request, the counts after each run.

    python tools/loadtest/run.py                 every run (none, app, worker, volume, pgbouncer)
    python tools/loadtest/run.py --runs none,app --users 20 --seconds 60

The cluster is started (with the floors of make bench, CLUSTER_BENCH_VIEWS=1) when it is not
up, and left running (make cluster-stop). Each run: locust (headless, tools/loadtest/
locustfile.py) for --seconds; the fault a third of the way in, undone at two thirds; then
the task queue is left to drain and the run is checked (tools/loadtest/report.py). Prints a
table per run and one of the counts, writes var/cluster/loadtest.json, exits 1 when a count
fails.
"""

import argparse
import datetime
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from tools import cluster  # noqa: E402
from tools.loadtest import cluster_state, report  # noqa: E402
from tools.loadtest.faults import FAULTS  # noqa: E402

OUT = cluster.BASE / "loadtest"
RESULT = cluster.BASE / "loadtest.json"
TESTDATA = ROOT.parent / "shared" / "testdata" / "photos"
# Camera photos of ../shared/testdata/photos/MANIFEST.tsv that any upload must take: phones
# and cameras, with and without GPS, rotated.
CAMERA_PHOTOS = (
    "jpg__mobile__HMD_Nokia_8.3_5G.jpg",
    "jpg__hdr__iphone_hdr_NO.jpg",
    "jpg__mobile__jolla.jpg",
    "jpg__hdr__canon_hdr_NO.jpg",
    "jpg__tests__35-empty.jpg",
)


def say(text: str) -> None:
    print(f"loadtest: {text}", flush=True)


def cluster_up() -> None:
    up = cluster.running()
    if "nginx" in up and cluster.healthz() == 200:
        return
    if up:
        raise SystemExit("loadtest: the cluster is partly up; make cluster-stop, then try again")
    say("the cluster is not up: starting it (make cluster, with the bench floors)")
    env = {**os.environ, "CLUSTER_BENCH_VIEWS": "1"}
    started = subprocess.run([sys.executable, str(ROOT / "tools" / "cluster.py"), "start"], env=env)
    if started.returncode != 0:
        raise SystemExit("loadtest: the cluster did not start")


def camera_photos() -> list[str]:
    """Real camera JPEGs from ../shared/testdata when it is there, else one of about 5 MB
    made with Pillow (a phone's 12 megapixels, noisy, with EXIF)."""
    found = [str(TESTDATA / name) for name in CAMERA_PHOTOS if (TESTDATA / name).exists()]
    if found:
        return found
    made = OUT / "phone-photo.jpg"
    if not made.exists():
        sys.path.insert(0, str(ROOT / "bench"))
        from bench.photos import phone_jpeg

        made.write_bytes(phone_jpeg())
    return [str(made)]


def run_once(name: str, args, photos, codes, manager) -> dict:
    title, do, undo = FAULTS[name]
    stamp = datetime.datetime.now(datetime.UTC).strftime("%H%M%S")
    run_id = f"{stamp}{name[:3]}"
    records = OUT / f"{run_id}.jsonl"
    config = OUT / f"{run_id}.json"
    config.write_text(
        json.dumps(
            {
                "run": run_id,
                "codes": codes,
                "photos": photos,
                "manager": manager,
                "tokens": cluster_state.receipt_tokens(),
                "records": str(records),
                "cert": str(cluster.BASE / "tls" / "cert.pem"),
                "wait_min": 0.5,
                "wait_max": 1.5,
            }
        )
    )
    say(f"run '{name}': {title}; {args.users} users for {args.seconds} s")
    events, errors = [], []

    def fault():
        try:
            time.sleep(args.seconds / 3)
            if name == "none":
                return
            at = round(time.monotonic() - began, 1)
            events.append((at, "fault", do() or ""))
            time.sleep(max(0.0, began + args.seconds * 2 / 3 - time.monotonic()))
            undo()
            events.append((round(time.monotonic() - began, 1), "undone"))
        except Exception as exc:  # the run's verdict says so
            errors.append(f"{type(exc).__name__}: {exc}")

    began = time.monotonic()
    thread = threading.Thread(target=fault)
    thread.start()
    locust = subprocess.run(
        [
            str(Path(sys.executable).parent / "locust"),
            "-f",
            str(ROOT / "tools" / "loadtest" / "locustfile.py"),
            "--headless",
            "--only-summary",
            f"--users={args.users}",
            f"--spawn-rate={args.users}",
            f"--run-time={args.seconds}s",
            "--stop-timeout=90",
            f"--host=https://127.0.0.1:{cluster.PORTS['https']}",
            "--exit-code-on-error=0",
            "--loglevel=WARNING",
        ],
        env={**os.environ, "LOADTEST_CONFIG": str(config)},
        capture_output=True,
        text=True,
    )
    thread.join()
    seconds = time.monotonic() - began
    if locust.returncode != 0:
        sys.stderr.write(locust.stdout[-3000:] + locust.stderr[-3000:])
        errors.append(f"locust exited {locust.returncode}")
    drained = cluster_state.drain(args.drain_seconds)
    requests, residents = cluster_state.records(records)
    counts = report.counts(
        residents, cluster_state.stored(run_id), cluster_state.photos(run_id), requests
    )
    counts.notes[:0] = errors
    if drained["waited_out"]:
        counts.notes.append(f"the queue did not drain: {drained}")
    return {
        "name": name,
        "fault": title,
        "run_id": run_id,
        "seconds": round(seconds, 1),
        "events": events,
        "drained": drained,
        "kinds": report.kind_rows(requests, args.seconds),
        "counts": counts,
        "failed": bool(errors) or not counts.ok,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", default=",".join(FAULTS), help="which, in order")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument(
        "--drain-seconds",
        type=int,
        default=480,
        help="how long the queue may take to drain after a run (a killed worker's photo is "
        "taken up again after 5 to 6 minutes)",
    )
    args = parser.parse_args()
    names = [n for n in args.runs.split(",") if n]
    unknown = [n for n in names if n not in FAULTS]
    if unknown:
        parser.error(f"unknown runs {unknown}; choose from {', '.join(FAULTS)}")
    cluster_up()
    OUT.mkdir(parents=True, exist_ok=True)
    photos, codes = camera_photos(), cluster_state.sticker_codes()
    manager = cluster_state.manager_login()
    if not codes:
        raise SystemExit("loadtest: the cluster has no stickers (tools/cluster.py prints them)")
    say(f"{len(codes)} stickers, {len(photos)} camera photos, the demo manager")
    runs = []
    for name in names:
        result = run_once(name, args, photos, codes, manager)
        runs.append(result)
        print()
        print(
            f"Run '{name}' — {result['fault']} ({result['seconds']} s; {result['events']}; "
            f"the queue drained in {result['drained']['seconds']} s)"
        )
        print(report.kind_table(result["kinds"]))
        for note in result["counts"].notes[:15]:
            print(f"  ! {note}")
        print()
    print("Counts after each run (the queue drained first)")
    print(report.counts_table([(r["name"], r["counts"]) for r in runs]))
    RESULT.write_text(
        json.dumps(
            {
                "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                "users": args.users,
                "seconds": args.seconds,
                "photos": [Path(p).name for p in photos],
                "runs": [{**r, "counts": r["counts"].as_dict()} for r in runs],
            },
            indent=2,
        )
    )
    say(f"written {RESULT}")
    return 1 if any(r["failed"] for r in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
