"""What the load test reads from `make cluster` itself: the stickers, the demo manager, the
reports and photos a run left (the primary, directly: pgbouncer may be the part at fault),
the task queue, and the photo files in the bucket."""

import json
import time
from pathlib import Path

from tools import cluster

CREDENTIALS = cluster.BASE / "credentials.json"
ACCOUNTS = cluster.BASE / "app" / "demo-accounts.txt"


def _credentials() -> dict:
    return json.loads(CREDENTIALS.read_text())


def connect():
    import psycopg

    return psycopg.connect(
        host="127.0.0.1",
        port=cluster.PORTS["primary"],
        user="machimori",
        password=_credentials()["db"],
        dbname="machimori",
        autocommit=True,
    )


def sticker_codes() -> list[str]:
    """The codes of the stickers in use on assets in service (the demo's, printed at start)."""
    with connect() as conn:
        rows = conn.execute(
            "SELECT l.code FROM qr_labels_label l JOIN assets_asset a ON a.id = l.asset_id"
            " WHERE l.state = 'active' AND a.status = 'in_service' ORDER BY l.code"
        ).fetchall()
    return [code for (code,) in rows]


def manager_login() -> tuple[str, str]:
    """The demo manager's user name and password, from the demo accounts file seed_demo wrote."""
    for line in ACCOUNTS.read_text().splitlines():
        name, _, password = line.partition(" ")
        if name == "manager":
            return name, password.strip()
    raise SystemExit(f"no demo manager in {ACCOUNTS}")


def receipt_tokens(limit: int = 500) -> list[str]:
    with connect() as conn:
        rows = conn.execute(
            "SELECT token FROM reports_receipt WHERE public_only = false ORDER BY id DESC LIMIT %s",
            (limit,),
        ).fetchall()
    return [token for (token,) in rows]


def _has_column(conn, table: str, column: str) -> bool:
    return bool(
        conn.execute(
            "SELECT 1 FROM information_schema.columns WHERE table_name = %s AND column_name = %s",
            (table, column),
        ).fetchone()
    )


def queue_depth() -> dict:
    """Tasks waiting or running, and photos still processing (when photos have states)."""
    with connect() as conn:
        waiting = dict(
            conn.execute(
                "SELECT status, count(*) FROM django_tasks_database_dbtaskresult"
                " WHERE status IN ('READY', 'RUNNING') GROUP BY status"
            ).fetchall()
        )
        processing = 0
        if _has_column(conn, "reports_photo", "state"):
            processing = conn.execute(
                "SELECT count(*) FROM reports_photo WHERE state = 'processing'"
            ).fetchone()[0]
    return {
        "ready": waiting.get("READY", 0),
        "running": waiting.get("RUNNING", 0),
        "photos_processing": processing,
    }


def photo_task_worker() -> str:
    """The worker id ("worker-1") running a photo's task right now, or ""."""
    with connect() as conn:
        row = conn.execute(
            "SELECT worker_ids FROM django_tasks_database_dbtaskresult"
            " WHERE status = 'RUNNING' AND task_path LIKE %s ORDER BY started_at DESC LIMIT 1",
            ("%photo%",),
        ).fetchone()
    return row[0][-1] if row and row[0] else ""


def drain(seconds: float) -> dict:
    """Wait until no task waits and no photo is processing (tasks left RUNNING by a killed
    worker are the photos' business: their photos say whether they were picked up again).
    A photo whose worker was killed is queued again once it has been processing for
    reports.selectors.PHOTO_PROCESSING_LOST_AFTER (5 minutes), by a worker's once-a-minute
    look: `seconds` must be longer than that."""
    began = time.monotonic()
    while True:
        depth = queue_depth()
        waited = round(time.monotonic() - began, 1)
        if depth["ready"] == 0 and depth["photos_processing"] == 0:
            return {**depth, "seconds": waited, "waited_out": False}
        if waited > seconds:
            return {**depth, "seconds": waited, "waited_out": True}
        time.sleep(1)


def stored(run: str) -> list[tuple[str, int, str]]:
    """(marker, report id, token of its first reporter's receipt) of every report of a run."""
    with connect() as conn:
        rows = conn.execute(
            "SELECT r.description, r.id, rc.token FROM reports_report r"
            " JOIN reports_receipt rc ON rc.origin_id = r.id AND rc.me_too_id IS NULL"
            " WHERE r.description LIKE %s",
            (f"Load test lt-{run}-%",),
        ).fetchall()
    return [(_marker(description), pk, token) for description, pk, token in rows]


def _marker(description: str) -> str:
    return description.removeprefix("Load test ").split(":", 1)[0]


def photos(run: str) -> list[dict]:
    """Every photo of a run's reports: its state and whether all its files read back."""
    s3 = s3_client()
    with connect() as conn:
        state = "p.state" if _has_column(conn, "reports_photo", "state") else "''"
        rows = conn.execute(
            f"SELECT r.description, {state}, p.original, p.public, p.thumbnail"
            " FROM reports_photo p JOIN reports_report r ON r.id = p.report_id"
            " WHERE r.description LIKE %s",
            (f"Load test lt-{run}-%",),
        ).fetchall()
    found = []
    for description, photo_state, *names in rows:
        # A ready photo (or one from before photos had states) has all three files.
        wanted = [n for n in names if n] if photo_state == "processing" else names
        found.append(
            {
                "marker": _marker(description),
                "state": photo_state,
                "readable": all(_readable(s3, name) for name in wanted),
            }
        )
    return found


def s3_client():
    import boto3
    from botocore.config import Config

    creds = _credentials()
    return boto3.client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{cluster.PORTS['s3']}",
        aws_access_key_id=creds["s3_access"],
        aws_secret_access_key=creds["s3_secret"],
        region_name="us-east-1",
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )


def _readable(s3, name: str) -> bool:
    if not name:
        return False
    try:
        body = s3.get_object(Bucket=cluster.BUCKET, Key=name)["Body"].read()
    except Exception:
        return False
    return len(body) > 0


def records(path: Path) -> tuple[list[dict], list[dict]]:
    """(requests, residents) from the lines the locust process wrote."""
    requests, residents = [], []
    if path.exists():
        for line in path.read_text().splitlines():
            entry = json.loads(line)
            (residents if entry.get("kind") == "resident" else requests).append(entry)
    return requests, residents
