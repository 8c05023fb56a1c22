"""A SeaweedFS S3 endpoint on loopback, with credentials: the one `make test` starts for the
whole run (tools/run_tests.py), and ones a test starts for itself to stop mid-test."""

import contextlib
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

WEED = Path(sys.executable).parent / "weed"


def _free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def _ports() -> dict[str, int]:
    """Ports for the four servers, each with its gRPC port (+10000) free too."""
    for _attempt in range(50):
        base = random.randrange(20000, 29000, 10)
        ports = {"s3": base, "master": base + 1, "volume": base + 2, "filer": base + 3}
        ports["admin"] = base + 4
        if all(_free(p) and _free(p + 10000) for p in ports.values()):
            return ports
    raise RuntimeError("no free ports for a private SeaweedFS")


def fixed_ports(s3_port: int) -> dict[str, int]:
    """The ports `make test` uses: 18333 for S3 and the usual ones beside it, shifted
    together when TEST_S3_PORT moves it."""
    base = s3_port - 18333
    return {
        "s3": s3_port,
        "master": 19333 + base,
        "volume": 18080 + base,
        "filer": 18888 + base,
        "admin": 18646 + base,
    }


class Seaweed:
    def __init__(self, *, ports: dict[str, int] | None = None, bucket: str = "private-test"):
        self.data = Path(tempfile.mkdtemp(prefix="machimori-weed-"))
        self.ports = ports or _ports()
        self.access, self.secret = bucket, secrets.token_hex(16)
        self.bucket = bucket
        self.process = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.ports['s3']}"

    def start(self) -> None:
        env = {**os.environ, "AWS_ACCESS_KEY_ID": self.access, "AWS_SECRET_ACCESS_KEY": self.secret}
        self.log = open(self.data / "weed.log", "wb")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [
                str(WEED), "mini", f"-dir={self.data}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
                f"-master.port={self.ports['master']}", f"-volume.port={self.ports['volume']}",
                f"-filer.port={self.ports['filer']}", f"-s3.port={self.ports['s3']}",
                "-webdav=false", "-admin.ui=false", f"-admin.port={self.ports['admin']}",
                "-s3.port.iceberg=0", "-s3.port.lance=0", "-master.telemetry=false",
            ],
            env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while _free(self.ports["s3"]):
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.log.flush()
                tail = (self.data / "weed.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"SeaweedFS did not start (ports {self.ports}):\n{tail}")
            time.sleep(0.2)
        self._bucket()

    def _bucket(self) -> None:
        import boto3
        from botocore.config import Config

        client = boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=self.access,
            aws_secret_access_key=self.secret,
            region_name="us-east-1",
            config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                client.create_bucket(Bucket=self.bucket)
                return
            except client.exceptions.BucketAlreadyOwnedByYou:
                return
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)

    def storage_options(self) -> dict:
        return {
            "bucket_name": self.bucket,
            "endpoint_url": self.endpoint,
            "region_name": "us-east-1",
            "access_key": self.access,
            "secret_key": self.secret,
            "addressing_style": "path",
            "signature_version": "s3v4",
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
            "location": f"t-{uuid.uuid4().hex[:8]}",
            # A stopped endpoint should fail fast, not after botocore's retries.
            "client_config": _fast_config(),
        }

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        deadline = time.monotonic() + 15
        while not _free(self.ports["s3"]) and time.monotonic() < deadline:
            time.sleep(0.1)

    def close(self) -> None:
        self.stop()
        if getattr(self, "log", None):
            self.log.close()
        shutil.rmtree(self.data, ignore_errors=True)


def _fast_config():
    from botocore.config import Config

    return Config(
        signature_version="s3v4",
        s3={"addressing_style": "path"},
        connect_timeout=2,
        read_timeout=5,
        retries={"max_attempts": 1, "mode": "standard"},
    )


@contextlib.contextmanager
def private_seaweed():
    weed = Seaweed()
    try:
        weed.start()
        yield weed
    finally:
        weed.close()
