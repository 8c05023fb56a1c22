"""Long commands talk: a progress bar on a terminal, nothing on a pipe, results on stdout;
and reports_housekeeping --dry-run says what it would do and does none of it."""

import datetime
import fcntl
import os
import re
import select
import struct
import subprocess
import sys
import termios
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command
from django.utils import timezone

from reports.models import MeToo, OwnerLink, Photo, Receipt, Report, ReportEvent
from tests import factories
from tests.conftest import ROOT, manage_in_process

SEED = ("seed_demo", "--assets", "300")


def _environment(database_url: str) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url}
    env.pop("TEST_DATABASE_NAME", None)
    return env


def _on_terminal(database_url: str, *args: str, seconds: float = 300) -> tuple[int, str, str]:
    """(exit code, stdout, what a person at the terminal saw) of manage.py whose stderr is a
    pseudo-terminal of 100 columns."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    process = subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=_environment(database_url),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=slave,
    )
    os.close(slave)
    pipe = process.stdout.fileno()
    output = {master: bytearray(), pipe: bytearray()}
    reading, deadline = set(output), time.monotonic() + seconds
    try:
        while reading and time.monotonic() < deadline:
            ready, _, _ = select.select(list(reading), [], [], 1)
            for fd in ready:
                try:
                    data = os.read(fd, 65536)
                except OSError:  # EIO: the child's side of the terminal is closed
                    data = b""
                if data:
                    output[fd] += data
                else:
                    reading.discard(fd)
        code = process.wait(timeout=60)
    finally:
        os.close(master)
        process.kill()
        process.stdout.close()
    stdout, terminal = output[pipe].decode(), output[master].decode(errors="replace")
    return code, stdout, terminal


@pytest.fixture
def migrated(request):
    """A fresh database of the kind this run tests, migrated, outside the test database."""
    url = request.getfixturevalue("fresh_database")
    done = manage_in_process(url, "migrate", "--no-input")
    assert done.returncode == 0, done.stderr[-3000:]
    return url


def test_a_long_command_shows_its_progress_on_a_terminal(migrated):
    code, stdout, terminal = _on_terminal(migrated, *SEED)

    assert code == 0, terminal[-3000:]
    assert "Wrote 300 demo assets" in stdout
    assert "demo assets" in terminal and "300/300" in terminal, terminal[-3000:]
    assert "asset/s" in terminal or "s/asset" in terminal
    assert "300/300" not in stdout


def test_a_long_command_keeps_quiet_on_a_pipe(migrated):
    done = manage_in_process(migrated, *SEED)

    assert done.returncode == 0, done.stderr[-3000:]
    assert "Wrote 300 demo assets" in done.stdout
    assert "300/300" not in done.stderr
    assert "asset/s" not in done.stderr and "s/asset" not in done.stderr


# --- reports_housekeeping --dry-run ------------------------------------------------------------


@pytest.fixture
def due_housekeeping(settings, submit, lamp_out, light, city):
    """One of each thing housekeeping does: contacts past their time, a staged photo nobody
    used, an orphan file, a stale priority, a receipt link still to send and an owner (a
    neighbourhood association, reached by link) silent past its target, an old idempotency
    key, a photo whose processing a killed task worker lost."""
    settings.REPORT_CONTACT_RETENTION_DAYS = 30
    long_ago = timezone.now() - datetime.timedelta(days=31)
    ended = submit(lamp_out, asset=light, email="old@example.com", name="山田")
    factories.me_too(ended, email="neighbour@example.com")
    Report.objects.filter(pk=ended.pk).update(status=Report.Status.FIXED, ended_at=long_ago)
    # Its reporter's form key, older than a day: forgotten (the receipt stays).
    Receipt.objects.filter(origin=ended, me_too=None).update(
        idempotency_key="form:old", created_at=long_ago
    )
    other = factories.asset("security-light", owner=city["road"], ledger_id="BH-0002")
    current = submit(lamp_out, asset=other, email="new@example.com")
    Report.objects.filter(pk=current.pk).update(priority_base=0, priority_reasons=[])
    Receipt.objects.filter(origin=current).update(announce=True)
    lamp_out.default_owner = city["road"]
    lamp_out.save()
    association = factories.org("jichikai", kind="association", contact_email="kai@example.jp")
    submit(lamp_out, asset=factories.asset("security-light", owner=association))
    OwnerLink.objects.update(respond_by=long_ago)
    photo = factories.photo()
    Photo.objects.filter(pk=photo.pk).update(created_at=long_ago)
    storage = storages["default"]
    orphan = storage.save("reports/2020/01/01/orphan.jpg", ContentFile(b"left by a crash"))
    stamp = long_ago.timestamp()
    os.utime(storage.path(orphan), (stamp, stamp))
    lost = factories.photo()
    Photo.objects.filter(pk=lost.pk).update(
        report=current, state=Photo.State.PROCESSING, queued_at=long_ago
    )
    mail.outbox.clear()
    return {"ended": ended, "photo": photo, "orphan": orphan, "lost": lost}


def _rows() -> dict:
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (Report, MeToo, Photo, Receipt, ReportEvent, OwnerLink)
    }


def _files(settings) -> dict:
    root = Path(settings.MEDIA_ROOT)
    return {str(p.relative_to(root)): p.stat().st_mtime for p in root.rglob("*") if p.is_file()}


def _housekeeping(*args) -> tuple[str, list[int]]:
    out = StringIO()
    call_command("reports_housekeeping", *args, stdout=out, stderr=StringIO())
    return out.getvalue(), [int(n) for n in re.findall(r"\d+", out.getvalue())]


def test_housekeeping_dry_run_changes_nothing(due_housekeeping, settings):
    rows, files = _rows(), _files(settings)

    said, counts = _housekeeping("--dry-run")

    assert said.startswith("dry run, nothing changed: ")
    assert counts == [1, 1, 1, 1, 1, 1, 1, 1]
    assert _rows() == rows
    assert _files(settings) == files
    assert mail.outbox == []


def test_housekeeping_dry_run_counts_what_the_real_run_then_does(due_housekeeping, settings):
    _, would = _housekeeping("--dry-run")

    said, did = _housekeeping()

    assert did == would == [1, 1, 1, 1, 1, 1, 1, 1]
    assert said.startswith("contact details deleted from 1 reports")
    due_housekeeping["ended"].refresh_from_db()
    assert due_housekeeping["ended"].contact_email == ""
    assert not Photo.objects.filter(pk=due_housekeeping["photo"].pk).exists()
    assert due_housekeeping["orphan"] not in _files(settings)
    assert sorted(m.to for m in mail.outbox) == [["doro@city.example"], ["new@example.com"]]
    assert Photo.objects.get(pk=due_housekeeping["lost"].pk).state == Photo.State.READY
    assert _housekeeping("--dry-run")[1] == [0, 0, 0, 0, 0, 0, 0, 0]
