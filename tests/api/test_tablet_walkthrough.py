"""docs/tablet-api.md works as written: its `sh` blocks run in order, with curl, against a
live server. The page's base URL becomes the live server's; the values the page tells the
reader to keep (TOKEN, ASSIGNMENT, ASSET, CURSOR) come from the answers of earlier steps,
and PASSWORD is the seeded inspector's."""

import datetime
import hashlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from accounts.models import DeviceToken
from inspections.assignments import assignment_create
from inspections.checklists import checklists_install
from inspections.models import Inspection, InspectionPhoto
from tests import factories
from tests.conftest import require

DOC = Path(__file__).resolve().parents[2] / "docs" / "tablet-api.md"
DOC_BASE = "http://127.0.0.1:8000"
PASSWORD = "pw-Machimori-2026"
UUID = "9a1f6a3e-2b7c-4c1d-8e5f-0d3b7a6c2e10"

pytestmark = pytest.mark.django_db(transaction=True)


def shell_blocks(markdown: str) -> list[str]:
    return re.findall(r"^```sh\n(.*?)^```$", markdown, flags=re.S | re.M)


@pytest.fixture
def route(catalogue, city, inspector, manager):
    """The inspector of the page, on the road section, with an assignment of three lights."""
    checklists_install()
    inspector.organization = city["road"]
    inspector.save()
    lights = [
        factories.asset(
            "security-light", owner=city["road"], ledger_id=f"BH-{i:04d}", lon=132.755 + i / 2000
        )
        for i in range(3)
    ]
    assignment = assignment_create(
        name="今市町 定期点検",
        inspector=inspector,
        assets=lights,
        due_on=datetime.date.today() + datetime.timedelta(days=14),
        acting_user=manager,
    )
    return assignment, lights


def test_the_walkthrough_runs_as_written(live_server, route, tmp_path):
    require(shutil.which("curl") is not None, "curl")
    assignment, lights = route
    photo = factories.jpeg(size=(800, 600)).getvalue()
    (tmp_path / "pole-base.jpg").write_bytes(photo)
    env = {"PATH": os.environ["PATH"], "LANG": "C.UTF-8", "PASSWORD": PASSWORD}

    def run(block: str) -> dict:
        script = block.replace(DOC_BASE, live_server.url)
        done = subprocess.run(
            ["bash", "-c", script],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, (script, done.stdout, done.stderr)
        return json.loads(done.stdout)

    blocks = shell_blocks(DOC.read_text(encoding="utf-8"))
    assert len(blocks) == 7, "a step was added or removed: check it here too"
    sign_in, assignments, pack, sync, resync, upload, history = blocks

    body = run(sign_in)
    env["TOKEN"] = body["token"]
    assert DeviceToken.objects.get().name == body["device"]["name"] == "点検タブレット 3"

    body = run(assignments)
    assert [a["id"] for a in body["results"]] == [assignment.pk]
    env["ASSIGNMENT"] = str(body["results"][0]["id"])

    body = run(pack)
    assert [f["id"] for f in body["assets"]["features"]] == [light.pk for light in lights]
    assert body["asset_types"][0]["checklist"]["version"] == 1  # as the page's record says
    env["ASSET"] = str(body["assets"]["features"][0]["id"])
    env["CURSOR"] = str(body["cursor"])

    body = run(sync)
    assert [r["status"] for r in body["results"]] == ["created"]
    inspection = Inspection.objects.get(uuid=UUID)
    assert (inspection.asset_id, inspection.overall_grade) == (lights[0].pk, "III")
    defect = inspection.defects.get()
    assert defect.fault is not None  # grade III calls for action

    body = run(resync)
    assert [(r["status"], r["inspection"]) for r in body["results"]] == [
        ("duplicate", inspection.pk)
    ]
    assert Inspection.objects.count() == 1

    body = run(upload)
    assert body == {"status": "created", "sha256": hashlib.sha256(photo).hexdigest()}
    assert InspectionPhoto.objects.get().defect == defect

    body = run(history)
    [entry] = body["inspections"]
    assert (body["asset"], body["current_grade"], entry["uuid"]) == (lights[0].pk, "III", UUID)
    assert entry["photos"] == [hashlib.sha256(photo).hexdigest()]
    assert entry["defects"][0]["fault"] == defect.fault.number
