"""Reports already there when danger came in: the migrations mark the standard dangers on the
categories (exposed wiring, a yes to "about to fall?") and each report from its category, its
answers and the reports merged into it."""

import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from assets.models import FaultCategory
from reports.models import Report

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("assets", "0007_people_moved_to_accounts"), ("reports", "0011_channels_line_email")]
ABOUT_TO_FALL = {"key": "danger_now", "kind": "boolean", "label": {"ja": "今にも倒れそうですか"}}


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_existing_categories_and_reports_are_marked():
    try:
        old = _migrate(BEFORE)
        Organization = old.get_model("accounts", "Organization")
        OldCategory = old.get_model("assets", "FaultCategory")
        OldReport = old.get_model("reports", "Report")
        owner = Organization.objects.create(code="izumo", name="出雲市", kind="city")

        def kind(code, questions=()):
            return OldCategory.objects.create(
                code=code, group="lighting", name_ja=code, name_en=code, severity=5,
                response_hours=24, questions=list(questions),
            )  # fmt: skip

        wiring, pole, crack = (
            kind("exposed-wiring"),
            kind("pole-damaged", [ABOUT_TO_FALL]),
            kind("crack"),
        )

        def report(number, category, answers=None, **fields):
            return OldReport.objects.create(
                number=number, source="web", category_id=category.pk, owner_id=owner.pk,
                location=Point(132.755, 35.367, srid=4326), location_source="device",
                answers=answers or {}, **fields,
            )  # fmt: skip

        report("R-2026-000001", wiring)
        report("R-2026-000002", pole, {"danger_now": True})
        report("R-2026-000003", pole, {"danger_now": False})
        kept = report("R-2026-000004", pole, {"danger_now": False})
        report(
            "R-2026-000005", pole, {"danger_now": True},
            status="closed", close_reason="duplicate", duplicate_of=kept,
        )  # fmt: skip
        report("R-2026-000006", crack)
    finally:
        _migrate(None)

    assert list(FaultCategory.objects.filter(danger=True).values_list("code", flat=True)) == [
        "exposed-wiring"
    ]
    pole = FaultCategory.objects.get(code="pole-damaged")
    assert pole.questions[0]["danger_when"] == [True]
    pole.full_clean()
    dangerous = dict(Report.objects.values_list("number", "danger"))
    assert dangerous == {
        "R-2026-000001": True,  # its category
        "R-2026-000002": True,  # its answer
        "R-2026-000003": False,
        "R-2026-000004": True,  # a report merged into it said so
        "R-2026-000005": True,
        "R-2026-000006": False,
    }
