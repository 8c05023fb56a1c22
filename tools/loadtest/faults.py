"""The four faults of issue 20, each done to the running `make cluster` and undone after.

Each fault is (name, what it does, do, undo): `do` runs a while after the load began, `undo`
a while later (the part started again as tools/cluster.py started it)."""

import contextlib
import os
import signal
import subprocess
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


_killed_worker = "worker-1"


def _start(name: str) -> None:
    cluster.start_part(name)


def _sent_to(port: int) -> dict[str, int]:
    """Bytes nginx has sent so far on each of its connections to an app server (ss -i)."""
    out = subprocess.run(
        ["ss", "-tniH", "state", "established", f"( dport = :{port} )"],
        capture_output=True,
        text=True,
    ).stdout
    sent, local = {}, ""
    for line in out.splitlines():
        if not line.startswith((" ", "\t")):
            local = line.split()[-2] if len(line.split()) >= 2 else ""
        elif "bytes_sent:" in line:
            sent[local] = int(line.split("bytes_sent:", 1)[1].split()[0])
    return sent


def kill_app_server():
    """SIGKILL app server 27002 while it holds a resident's photo: when nginx has just passed
    it a body of over 300 KB (waiting up to 20 s for one), so a submission is in flight."""
    port, deadline, caught = cluster.PORTS["apps"][1], time.monotonic() + 20, False
    before = _sent_to(port)
    while time.monotonic() < deadline and not caught:
        time.sleep(0.02)
        now = _sent_to(port)
        caught = any(now[c] - before.get(c, 0) > 300_000 for c in now)
        before = now
    if caught:
        time.sleep(0.05)  # the body is in: the app server is at work on it
    _kill_group(f"web-{port}")
    return "killed with a photo in flight" if caught else "killed (no photo was seen in flight)"


def restart_app_server():
    _start("web-27002")


def kill_worker():
    """SIGKILL the task worker that is processing a photo (waiting up to 20 s for one to
    be); worker 1 when none was seen."""
    global _killed_worker
    deadline, worker = time.monotonic() + 20, ""
    while time.monotonic() < deadline and not worker:
        worker = cluster_state.photo_task_worker()
        time.sleep(0.02)
    _killed_worker = worker if worker in cluster.running() else "worker-1"
    _kill_group(_killed_worker)
    if worker:
        return f"{_killed_worker} killed while processing a photo"
    return f"{_killed_worker} killed (no photo task was seen running)"


def restart_worker():
    _start(_killed_worker)


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
    "worker": (
        "the task worker processing a photo SIGKILLed, started after",
        kill_worker,
        restart_worker,
    ),
    "volume": (
        "SeaweedFS volume server 2 stopped, started after",
        stop_volume_server,
        start_volume_server,
    ),
    "pgbouncer": ("pgbouncer stopped and started at once", restart_pgbouncer, nothing),
}
