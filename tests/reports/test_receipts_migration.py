"""Links given out before receipts were per person: each old link becomes its first
reporter's receipt; where others could also hold it (a join, a "me too" e-mail, a merge) it
shows the public face only, and each person with an e-mail gets their own new link, once."""

import pytest
from django.core import mail
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import timezone

from reports import notices
from reports.models import Photo, Receipt

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("reports", "0004_api_clients")]
AFTER = None  # every app's latest migration: the database is left as the other tests need it


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _old_report(apps, number, tracking, **fields):
    Report = apps.get_model("reports", "Report")
    Organization = apps.get_model("assets", "Organization")
    FaultCategory = apps.get_model("assets", "FaultCategory")
    owner, _ = Organization.objects.get_or_create(code="izumo", defaults={"kind": "city"})
    category = FaultCategory.objects.get(code="pothole")
    from django.contrib.gis.geos import Point

    return Report.objects.create(
        number=number,
        tracking=tracking,
        source="web",
        category_id=category.pk,
        owner_id=owner.pk,
        location=Point(132.755, 35.367, srid=4326),
        location_source="device",
        **fields,
    )


def test_old_links_become_receipts_and_shared_ones_are_replaced(catalogue):
    try:
        old = _migrate(BEFORE)
        MeToo = old.get_model("reports", "MeToo")
        OldPhoto = old.get_model("reports", "Photo")
        ReportEvent = old.get_model("reports", "ReportEvent")
        alone = _old_report(old, "R-2026-000001", "alone-token", contact_email="a@example.com")
        joined = _old_report(old, "R-2026-000002", "joined-token", contact_email="b@example.com")
        MeToo.objects.create(report=joined, email="c@example.com", language="vi")
        kept = _old_report(old, "R-2026-000003", "kept-token", contact_email="d@example.com")
        duplicate = _old_report(
            old,
            "R-2026-000004",
            "dup-token",
            contact_email="e@example.com",
            status="closed",
            close_reason="duplicate",
            duplicate_of=kept,
        )
        now = timezone.now()
        # What a merge used to leave: the duplicate's reporter as a "me too" of the kept one,
        # and the duplicate's photo moved over.
        MeToo.objects.create(report=kept, email="e@example.com", created_at=now)
        ReportEvent.objects.create(report=kept, kind="merged", from_value=duplicate.number, at=now)
        for report in (alone, kept):
            OldPhoto.objects.create(
                report=report, original="o", public="p", thumbnail="t", content_type="image/jpeg",
                sha256="0" * 64, width=1, height=1,
            )  # fmt: skip
    finally:
        _migrate(AFTER)

    receipts = {r.token: r for r in Receipt.objects.select_related("origin", "me_too")}
    assert not receipts["alone-token"].public_only
    assert receipts["joined-token"].public_only and receipts["kept-token"].public_only
    assert receipts["dup-token"].public_only and receipts["dup-token"].report.number == kept.number
    announced = {r.contact for r in Receipt.objects.filter(announce=True)}
    assert announced == {
        ("b@example.com", "ja"),
        ("c@example.com", "vi"),
        ("d@example.com", "ja"),
        ("e@example.com", "ja"),
    }
    # The merge's copy of the duplicate's reporter is gone: they follow through their own.
    assert not Receipt.objects.filter(me_too__email="e@example.com").exists()
    # Photos: the lone report's is its reporter's; on the merged one nobody can tell.
    assert Photo.objects.get(report__number="R-2026-000001").origin.number == "R-2026-000001"
    assert Photo.objects.get(report__number="R-2026-000003").origin is None

    old_link = Client().get("/r/joined-token").content.decode()
    assert "R-2026-000002" in old_link

    assert notices.receipt_links_announce() == 4
    assert sorted(m.to[0] for m in mail.outbox) == [
        "b@example.com", "c@example.com", "d@example.com", "e@example.com",
    ]  # fmt: skip
    new_links = {m.to[0]: m.body for m in mail.outbox}
    assert "joined-token" not in new_links["c@example.com"]
    assert not Receipt.objects.filter(announce=True).exists()
    assert notices.receipt_links_announce() == 0
