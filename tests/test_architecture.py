"""The house's rules that a reader could forget, read off the source tree itself: reports
come in by one door, rooms keep to one job, and docs/architecture.md names real places."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = (
    "accounts",
    "assets",
    "qr_labels",
    "reports",
    "inspections",
    "planning",
    "api",
    "web_admin",
    "demo",
)
# Where reports, "me too"s and receipts may be made: the intake door and its helper, and
# the benchmarks' bulk seeding (demo/benchmark.py says why).
DOOR = {"reports/intake.py", "reports/contributions.py", "demo/benchmark.py"}
MADE_AT_THE_DOOR = {"Report", "MeToo", "Receipt"}
WRITES = {"create", "bulk_create", "get_or_create", "update_or_create"}
LONG_MODULE = 400


def _sources():
    for app in (*APPS, "config"):
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def _makes_a_contribution(node) -> str | None:
    """The model name when the node builds one of the door's models."""
    if not isinstance(node, ast.Call):
        return None
    func = node.func
    if isinstance(func, ast.Name) and func.id in MADE_AT_THE_DOOR:
        return func.id  # Report(...)
    if (
        isinstance(func, ast.Attribute)
        and func.attr in WRITES
        and isinstance(func.value, ast.Attribute)
        and func.value.attr == "objects"
        and isinstance(func.value.value, ast.Name)
        and func.value.value.id in MADE_AT_THE_DOOR
    ):
        return func.value.value.id  # Report.objects.create(...)
    return None


def test_every_channel_makes_reports_only_through_the_intake_door():
    outside = []
    for path in _sources():
        relative = path.relative_to(ROOT).as_posix()
        if relative in DOOR:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            model = _makes_a_contribution(node)
            if model:
                outside.append(f"{relative}:{node.lineno} makes a {model}")

    assert outside == []


def test_the_door_check_would_see_a_report_made_elsewhere():
    sample = ast.parse("Report(number=1)\nReport.objects.bulk_create([])\nReceipt.objects.create()")

    found = [_makes_a_contribution(node) for node in ast.walk(sample)]

    assert [model for model in found if model] == ["Report", "Report", "Receipt"]


def test_photos_are_stored_and_discarded_in_one_module():
    storing = re.compile(r"\bstorages\[|\.storage\.(save|delete)\(|storage\.(save|delete)\(")
    places = {
        path.relative_to(ROOT).as_posix()
        for path in _sources()
        if storing.search(path.read_text(encoding="utf-8"))
    }

    assert {p for p in places if p.startswith("reports/")} <= {
        "reports/photo_store.py",
        "reports/photo_tasks.py",  # the task workers' public copies and thumbnails
        "reports/files.py",  # hands out stored files; writes nothing
    }


def _reason(text: str) -> bool:
    """A long module says at its top why it is long."""
    head = text[:1500].lower()
    return "one long" in head or "why it is long" in head or "is data" in head


def test_no_module_is_longer_than_a_room_for_one_job_without_saying_why():
    long = []
    for path in _sources():
        text = path.read_text(encoding="utf-8")
        if text.count("\n") > LONG_MODULE and not _reason(text):
            long.append(f"{path.relative_to(ROOT).as_posix()} ({text.count(chr(10))} lines)")

    assert long == []


def test_every_path_the_architecture_page_names_exists():
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`((?:[a-z_]+/)+[a-z_]*(?:\.py|\.md|/))`", page))

    missing = sorted(path for path in named if not (ROOT / path).exists())
    assert named and missing == []


@pytest.mark.parametrize("app", APPS)
def test_every_app_says_what_it_is_for(app):
    init = ROOT / app / "apps.py"
    assert init.exists() and '"""' in init.read_text(encoding="utf-8")
