"""Shared helpers for the benchmarks: Django setup for one database, seeding, timing."""

import contextlib
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(database_url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]


def ensure_seeded(assets: int, seed: int = 7) -> float:
    """Migrate and seed exactly `assets` demo assets; returns seconds spent (0 if ready)."""
    from django.core.management import call_command

    from assets.models import Asset

    started = time.monotonic()
    call_command("migrate", verbosity=0, interactive=False)
    if Asset.objects.count() == assets:
        return 0.0
    if Asset.objects.exists():
        _empty_assets()
    call_command("seed_demo", assets=assets, seed=seed, verbosity=0)
    analyze()
    return time.monotonic() - started


def _empty_assets() -> None:
    from django.db import connection

    from assets.models import Asset

    table = Asset._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {table} CASCADE")
        else:
            cursor.execute(f"DELETE FROM {table}")


def analyze() -> None:
    """Fresh planner statistics, and on PostgreSQL the dead rows of earlier runs vacuumed
    away, as autovacuum keeps a production database: each run updates the same assets,
    and their old row versions would otherwise slow every later run."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def timed(function, repeat: int) -> list[float]:
    """Wall milliseconds of each call."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def interleaved(functions: dict, repeat: int, warmup: int = 10) -> dict[str, dict]:
    """Time several functions in turns so a noisy neighbour hurts each alike."""
    for function in functions.values():
        for _ in range(warmup):
            function()
    samples = {name: [] for name in functions}
    for _ in range(repeat):
        for name, function in functions.items():
            samples[name].extend(timed(function, 1))
    return {
        name: {
            "median_ms": statistics.median(values),
            "p90_ms": statistics.quantiles(values, n=10)[-1],
            "min_ms": min(values),
        }
        for name, values in samples.items()
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not open port {port}")


@contextlib.contextmanager
def served(database_url: str, *, workers: int = 2, **environment: str) -> Iterator[str]:
    """The project under gunicorn with the benchmark settings (a bare view beside it) on a
    free port, as in production; yields its base URL and stops it afterwards."""
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": database_url,
        "PYTHONPATH": str(ROOT),
        **environment,
    }
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi",
            f"--workers={workers}",
            f"--bind=127.0.0.1:{port}",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_for(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=20)
