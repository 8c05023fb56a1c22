"""`make cluster` end to end (tools/cluster.py): slow (a minute to start, half to stop) and it
starts real servers, so it runs only when asked: `pytest -m cluster tests/test_cluster.py`.

Through nginx: the demo's home page, /healthz, a resident's report with a photo (the form, its
CSRF cookie, the receipt, the photo), public reads served by the replica; then everything
stops and no process of it is left."""

import http.cookiejar
import io
import json
import re
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
CLUSTER = ROOT / "var" / "cluster"
HTTPS = "https://127.0.0.1:27443"
HTTP = "http://127.0.0.1:27080"

pytestmark = pytest.mark.cluster


@pytest.fixture(scope="module")
def cluster(request):
    tool = [sys.executable, str(ROOT / "tools" / "cluster.py")]
    started = subprocess.run([*tool, "start"], cwd=ROOT, capture_output=True, text=True)
    assert started.returncode == 0, started.stdout + started.stderr
    pids = {p.stem: int(p.read_text()) for p in (CLUSTER / "pids").glob("*.pid")}
    try:
        yield pids
    finally:  # a failed test leaves nothing running either (stopping twice is harmless)
        subprocess.run([*tool, "stop"], cwd=ROOT, capture_output=True, text=True)


class Browser:
    """A resident's browser: cookies kept, the cluster's self-signed certificate accepted."""

    def __init__(self):
        context = ssl.create_default_context(cafile=str(CLUSTER / "tls" / "cert.pem"))
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPSHandler(context=context),
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
        )

    def get(self, url):
        try:
            with self.opener.open(url, timeout=30) as response:
                return response.status, response.read(), response.headers
        except urllib.error.HTTPError as error:
            return error.code, error.read(), error.headers

    def post(self, url, fields, files):
        boundary = uuid.uuid4().hex
        body = io.BytesIO()
        for name, value in fields.items():
            body.write(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            )
            body.write(f"{value}\r\n".encode())
        for name, (filename, data) in files.items():
            body.write(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: image/jpeg\r\n\r\n'.encode()
            )
            body.write(data + b"\r\n")
        body.write(f"--{boundary}--\r\n".encode())
        request = urllib.request.Request(
            url,
            data=body.getvalue(),
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Referer": url,
            },
        )
        return self.get(request)


def _replica_commits() -> int:
    out = subprocess.run(
        [
            "psql",
            "-h",
            str(CLUSTER / "run"),
            "-p",
            "27542",
            "-U",
            "postgres",
            "-d",
            "machimori",
            "-Atc",
            "SELECT xact_commit FROM pg_stat_database WHERE datname = 'machimori'",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(out.stdout.strip())


def test_the_demo_answers_through_nginx_and_takes_a_report(cluster):
    browser = Browser()
    status, body, headers = browser.get(f"{HTTPS}/")
    assert status == 200 and "まちもり" in body.decode()
    assert re.fullmatch(r"[0-9a-f]{32}", headers["X-Request-ID"])
    with urllib.request.urlopen(f"{HTTP}/healthz", timeout=10) as response:
        assert response.status == 200
        assert json.loads(response.read())["status"] == "ok"

    status, page, _ = browser.get(f"{HTTPS}/report/")
    assert status == 200
    page = page.decode()
    photo = io.BytesIO()
    Image.new("RGB", (800, 600), (200, 30, 30)).save(photo, "JPEG")
    fields = {
        "csrfmiddlewaretoken": re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1],
        "idempotency_key": re.search(r'name="idempotency_key" value="([^"]+)"', page)[1],
        "category": "lamp-out",
        "lat": "35.3670",
        "lon": "132.7547",
        "accuracy": "10",
        "location_source": "device",
        "force_new": "on",
        "description": "cluster test: the lamp is out",
    }
    status, receipt, _ = browser.post(
        f"{HTTPS}/report/", fields, {"photos": ("lamp.jpg", photo.getvalue())}
    )
    assert status == 200, receipt.decode()[:2000]  # the redirect to the receipt, followed
    receipt = receipt.decode()
    assert "cluster test: the lamp is out" in receipt
    # The photo's public copy is made by a task worker: the receipt says "processing" until
    # then, and shows the photo when the resident looks again.
    token = re.search(r"/r/([A-Za-z0-9_-]{20,})", receipt)[1]
    for _attempt in range(60):
        found = re.search(r'(/r/[^"]+/photo\.jpg)', receipt)
        if found:
            break
        time.sleep(1)
        status, page, _ = browser.get(f"{HTTPS}/r/{token}")
        receipt = page.decode()
    assert found, "the photo was not processed within a minute"
    status, data, headers = browser.get(HTTPS + found[1])
    assert status == 200 and data[:2] == b"\xff\xd8"

    before = _replica_commits()
    for path in ("/open-data/assets.geojson", "/open311/v2/requests.json"):
        status, body, _ = browser.get(HTTPS + path)
        assert status == 200, path
    assert b"R-" in body  # the report just made, read back from the replica
    # The statistics reach pg_stat_database when a backend goes idle: ask a few times.
    for _attempt in range(20):
        if _replica_commits() > before:
            break
        subprocess.run(["sleep", "0.5"], check=True)
    assert _replica_commits() > before


def _running(pid: int) -> bool:
    """A process that has exited but whose parent has not yet collected it is not running."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_cluster_stop_leaves_nothing_running(cluster):
    assert len(cluster) >= 15, cluster  # nginx, 3 apps, 2 workers, pgbouncer, 2 postgres, …
    tool = [sys.executable, str(ROOT / "tools" / "cluster.py")]
    stopped = subprocess.run([*tool, "stop"], cwd=ROOT, capture_output=True, text=True)
    assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    left = [pid for pid in cluster.values() if _running(pid)]
    assert not left, left
    assert not list((CLUSTER / "pids").glob("*.pid"))
    ours = subprocess.run(["pgrep", "-af", str(CLUSTER)], capture_output=True, text=True)
    assert ours.stdout.strip() == "", ours.stdout
    for port in ("27001", "27002", "27003"):
        found = subprocess.run(
            ["pgrep", "-af", f"127.0.0.1:{port}"], capture_output=True, text=True
        )
        assert found.stdout.strip() == "", found.stdout
