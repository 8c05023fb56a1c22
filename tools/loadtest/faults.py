"""The four faults of issue 20, each done to the running `make cluster` and undone after.

Each fault is (name, what it does, do, undo): `do` runs a while after the load began, `undo`
a while later (the part started again as tools/cluster.py started it)."""

import contextlib
import os
import signal
import time

from tools import cluster
from tools.loadtest import cluster_state


def _pid(name: str) -> int:
    pid = cluster.running().get(name)
    if not pid:
        raise RuntimeError(f"{name} is not running")
    return pid


def _kill_group(name: str, sig=signal.SIGKILL) -> None:
    """The part and every process it started (each part is a session of its own)."""
    pid = _pid(name)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, sig)
    deadline = time.monotonic() + 30
    while cluster.alive(pid) and time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        time.sleep(0.1)


def _start(name: str) -> None:
    cluster.start_part(name)


def kill_app_server():
    _kill_group("web-27002")


def restart_app_server():
    _start("web-27002")


def kill_worker():
    """SIGKILL task worker 1, if possible while a photo is being processed (or a task runs)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        depth = cluster_state.queue_depth()
        if depth["running"] or depth["photos_processing"]:
            break
        time.sleep(0.2)
    _kill_group("worker-1")


def restart_worker():
    _start("worker-1")


def stop_volume_server():
    _kill_group("weed-volume-2", signal.SIGTERM)


def start_volume_server():
    _start("weed-volume-2")


def restart_pgbouncer():
    _kill_group("pgbouncer", signal.SIGTERM)
    _start("pgbouncer")


def nothing():
    pass


FAULTS = {
    "none": ("no fault", nothing, nothing),
    "app": (
        "app server web-27002 SIGKILLed (master and workers), started after",
        kill_app_server,
        restart_app_server,
    ),
    "worker": ("task worker 1 SIGKILLed mid-task, started after", kill_worker, restart_worker),
    "volume": (
        "SeaweedFS volume server 2 stopped, started after",
        stop_volume_server,
        start_volume_server,
    ),
    "pgbouncer": ("pgbouncer stopped and started at once", restart_pgbouncer, nothing),
}
