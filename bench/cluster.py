"""Issue 20's figures on `make cluster`, through nginx (HTTPS) and the app servers' middleware.

1. A resident's submission with a 5 MB camera photo, 50 residents at a time (each from an
   address of her own, with her own form: its CSRF token and idempotency key, sent as "send
   anyway" so every post makes a report), against the floor of a bare view that reads the
   same body and stores it, whole, to the same S3 storage (bench/urls.py `store`). The two
   are sent in turns by the same 50 clients. Budget: p95 <= 3x the floor's p95.
2. The asset bbox request (GET /api/v1/assets/?bbox=…, every demo asset) as the public
   read it is, on the streaming replica, against the same view at an address the router
   keeps on the primary (bench/urls.py). The replica's own transaction count shows it
   answered. Budget: median <= 1.2x the primary's.

The cluster runs with the bench floors (CLUSTER_BENCH_VIEWS=1). Started here when it is not
up, and stopped again after; when it is up without the floors, its app servers are started
again with them. Prints one JSON line (also kept in var/cluster/bench.json). Run by
bench/run.py.
"""

import concurrent.futures
import io
import json
import os
import random
import ssl
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools import cluster  # noqa: E402
from tools.loadtest import cluster_state  # noqa: E402
from tools.loadtest.forms import form_read  # noqa: E402
from tools.loadtest.report import percentile  # noqa: E402

HOST = f"https://127.0.0.1:{cluster.PORTS['https']}"
CERT = str(cluster.BASE / "tls" / "cert.pem")
SAVED = cluster.BASE / "bench.json"
CLIENTS = 50
PHOTO_BYTES = 5_000_000


def log(text: str) -> None:
    print(f"bench/cluster: {text}", file=sys.stderr, flush=True)


class _FromAddress(HTTPAdapter):
    def __init__(self, address: str):
        self.address = address
        super().__init__(pool_maxsize=4)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        kwargs["ssl_context"] = ssl.create_default_context(cafile=CERT)
        super().init_poolmanager(*args, **kwargs)


def resident() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE would win over `verify`
    session.verify = CERT
    address = f"127.{random.randint(1, 250)}.{random.randint(0, 255)}.{random.randint(1, 250)}"
    session.mount("https://", _FromAddress(address))
    return session


def ensure_cluster() -> bool:
    """The cluster up with the bench floors; True when this started it (and must stop it)."""
    tool = [sys.executable, str(ROOT / "tools" / "cluster.py")]
    if not cluster.running():
        log("the cluster is not up: starting it (make cluster, with the bench floors)")
        env = {**os.environ, "CLUSTER_BENCH_VIEWS": "1"}
        started = subprocess.run([*tool, "start"], env=env, stdout=sys.stderr)
        if started.returncode != 0:
            raise SystemExit(3)  # bench/run.py prints the last saved figures instead
        return True
    floor = requests.post(f"{HOST}/bench/store", data=b"-", verify=CERT, timeout=30)
    if floor.status_code != 200:
        # Started without the floors, or before this version of bench/urls.py.
        log("the cluster's app servers lack the bench floors: they start again with them")
        cluster.BENCH_VIEWS.write_text("bench.settings\n")
        for port in cluster.PORTS["apps"]:
            subprocess.run([*tool, "restart", f"web-{port}"], check=True, stdout=sys.stderr)
    return False


def camera_photo() -> bytes:
    """A phone's JPEG of about 5 MB (bench/photos.py's 12 megapixels, quality raised)."""
    from PIL import Image

    sys.path.insert(0, str(ROOT / "bench"))
    from photos import phone_jpeg

    data = phone_jpeg()
    quality = 90
    while len(data) < PHOTO_BYTES and quality < 98:
        quality += 2
        image = Image.open(io.BytesIO(data))
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=quality, exif=image.getexif())
        data = buffer.getvalue()
    return data


def submissions(codes: list[str], photo: bytes, rounds: int) -> dict:
    """Each of 50 clients, `rounds` times: the floor, then a new resident's submission."""
    times = {"floor": [], "submission": []}
    statuses = {"floor": [], "submission": []}
    lock = threading.Lock()
    start = threading.Barrier(CLIENTS)

    def client(number: int):
        start.wait()
        for _ in range(rounds):
            session = resident()
            url = f"/q/{random.choice(codes)}"
            page = session.get(HOST + url, timeout=60)
            form = form_read(page.text, "report-form")
            data = form.data(
                category=form.choices("category")[0],
                description="Bench: a 5 MB photo, 50 at a time.",
                force_new="1",
            )
            files = [("photos", ("camera.jpg", photo, "image/jpeg"))]
            for kind in ("floor", "submission"):
                target = HOST + ("/bench/store" if kind == "floor" else url)
                began = time.perf_counter()
                answer = session.post(
                    target,
                    data=data,
                    files=files,
                    headers={"Referer": HOST + url},
                    allow_redirects=False,
                    timeout=120,
                )
                elapsed = (time.perf_counter() - began) * 1000
                with lock:
                    times[kind].append(elapsed)
                    statuses[kind].append(answer.status_code)
            session.close()

    with concurrent.futures.ThreadPoolExecutor(CLIENTS) as pool:
        for future in [pool.submit(client, n) for n in range(CLIENTS)]:
            future.result()
    expected = {"floor": 200, "submission": 302}
    wrong = {k: [s for s in v if s != expected[k]] for k, v in statuses.items()}
    if any(wrong.values()):
        raise SystemExit(f"bench/cluster: unexpected answers {wrong}")  # exit 1: a failure
    floor_p95, sub_p95 = percentile(times["floor"], 95), percentile(times["submission"], 95)
    return {
        "clients": CLIENTS,
        "photo_bytes": len(photo),
        "posts_each": len(times["floor"]),
        "floor_p50_ms": round(percentile(times["floor"], 50), 1),
        "floor_p95_ms": round(floor_p95, 1),
        "submission_p50_ms": round(percentile(times["submission"], 50), 1),
        "submission_p95_ms": round(sub_p95, 1),
        "ratio_p95": round(sub_p95 / floor_p95, 2),
    }


def remove_floor_files() -> None:
    """What the floor stored (bench/…) is deleted; the submissions' reports stay, as any."""
    s3 = cluster_state.s3_client()
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=cluster.BUCKET, Prefix="bench/")
    for page in pages:
        for item in page.get("Contents", []):
            s3.delete_object(Bucket=cluster.BUCKET, Key=item["Key"])


def replica_transactions() -> int:
    import psycopg

    with psycopg.connect(
        host="127.0.0.1",
        port=cluster.PORTS["replica"],
        user="machimori",
        password=json.loads((cluster.BASE / "credentials.json").read_text())["db"],
        dbname="machimori",
    ) as conn:
        return conn.execute(
            "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = 'machimori'"
        ).fetchone()[0]


def bbox(repeat: int) -> dict:
    query = "?bbox=132.0,34.8,133.5,35.9&limit=1000"
    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE would win over `verify`
    session.verify = CERT
    urls = {
        "replica": f"{HOST}/api/v1/assets/{query}",
        "primary": f"{HOST}/bench/primary/api/v1/assets/{query}",
    }
    ids = {}
    for name, url in urls.items():
        answer = session.get(url, timeout=30)
        answer.raise_for_status()
        ids[name] = [f["id"] for f in answer.json()["features"]]
    if ids["replica"] != ids["primary"] or not ids["replica"]:
        raise SystemExit("bench/cluster: the replica and the primary answer different assets")
    before = replica_transactions()
    times = {name: [] for name in urls}
    for _ in range(10):
        for url in urls.values():
            session.get(url, timeout=30).raise_for_status()
    for _ in range(repeat):
        for name, url in urls.items():
            began = time.perf_counter()
            session.get(url, timeout=30).raise_for_status()
            times[name].append((time.perf_counter() - began) * 1000)
    # pg_stat_database on a standby is updated when its backends report, within a second.
    time.sleep(1.5)
    on_replica = replica_transactions() - before
    replica_ms, primary_ms = (
        statistics.median(times["replica"]),
        statistics.median(times["primary"]),
    )
    return {
        "assets": len(ids["replica"]),
        "repeat": repeat,
        "replica_median_ms": round(replica_ms, 2),
        "primary_median_ms": round(primary_ms, 2),
        "replica_p95_ms": round(percentile(times["replica"], 95), 2),
        "primary_p95_ms": round(percentile(times["primary"], 95), 2),
        "replica_transactions": on_replica,
        "ratio": round(replica_ms / primary_ms, 2),
    }


def main():
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    started_here = ensure_cluster()
    try:
        codes = cluster_state.sticker_codes()
        photo = camera_photo()
        log(f"{CLIENTS} residents at a time, a {len(photo) / 1e6:.1f} MB photo, {args.rounds} each")
        submit = submissions(codes, photo, args.rounds)
        remove_floor_files()
        log("the bbox request, replica and primary in turns")
        reads = bbox(args.repeat)
    finally:
        if started_here:
            subprocess.run(
                [sys.executable, str(ROOT / "tools" / "cluster.py"), "stop"], stdout=sys.stderr
            )
    result = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "started_cluster": started_here,
        "submission": submit,
        "replica": reads,
    }
    SAVED.write_text(json.dumps(result, indent=2))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
