"""Batch sync: 1,000 inspections with 10 checklist answers each, beside the floor of
bulk-inserting the same rows through the ORM, and the same batch sent again.

Prints one JSON line. Run by bench/run.py.
"""

import argparse
import datetime
import json
import statistics
import time
import uuid

from common import analyze, ensure_seeded, setup_django

BATCH = 1000
JST = datetime.timezone(datetime.timedelta(hours=9))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--assets", type=int, required=True)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    setup_django(args.database_url)
    ensure_seeded(args.assets)
    from django.contrib.auth import get_user_model
    from django.contrib.gis.geos import Point
    from django.db import transaction

    from accounts.models import Organization
    from assets.models import Asset, AssetType
    from inspections import catalogue, checklists, conditions, payload, sync
    from inspections.models import ChecklistTemplate, Inspection

    checklists.checklists_install()
    light = AssetType.objects.get(code="security-light")
    items_spec = catalogue.LIGHT + [
        {
            "key": f"extra_{n}",
            "component": {"ja": "付属", "en": "Fitting"},
            "question": {"ja": "測定値", "en": "Reading"},
            "kind": "number",
            "min": 0,
            "max": 100,
        }
        for n in range(3)
    ]
    template = checklists.checklist_publish(asset_type=light, items=items_spec)
    owner = Organization.objects.get(code="izumo-bosai")
    User = get_user_model()
    inspector, _ = User.objects.get_or_create(
        username="bench-inspector", defaults={"organization": owner, "role": "inspector"}
    )
    asset_ids = list(
        Asset.objects.filter(asset_type=light, owner=owner, status="in_service")
        .order_by("id")
        .values_list("id", flat=True)[:BATCH]
    )
    assert len(asset_ids) == BATCH

    def raw_batch(day: int) -> list[dict]:
        performed = datetime.datetime(2026, 11, 1, 9, tzinfo=JST) + datetime.timedelta(days=day)
        return [
            {
                "uuid": str(uuid.uuid4()),
                "asset": asset_id,
                "kind": "periodic",
                "performed_at": performed.isoformat(),
                "gps": {"lat": 35.36, "lon": 132.75, "accuracy": 5.0},
                "overall_grade": "II",
                "template_version": template.version,
                "answers": {
                    "lamp": "ok",
                    "cover": "ok",
                    "pole_body": "ok",
                    "pole_base": "ok",
                    "tilt": 1.0,
                    "wiring": "ok",
                    "plate_loss": 3.0,
                    "extra_0": 1.0,
                    "extra_1": 2.0,
                    "extra_2": 3.0,
                },
                "notes": "",
                "defects": [],
            }
            for asset_id in asset_ids
        ]

    def send(raw):
        parsed = [payload.parse_item(item)[0] for item in raw]
        results = sync.sync_batch(items=parsed, inspector=inspector)
        return [r.status for r in results]

    def floor(raw):
        rows = [
            Inspection(
                uuid=item["uuid"],
                asset_id=item["asset"],
                inspector=inspector,
                organization=owner,
                kind=item["kind"],
                performed_at=datetime.datetime.fromisoformat(item["performed_at"]),
                gps=Point(item["gps"]["lon"], item["gps"]["lat"], srid=4326),
                gps_accuracy_m=item["gps"]["accuracy"],
                overall_grade=item["overall_grade"],
                grade_rank=2,
                template_id=template.pk,
                answers=item["answers"],
                notes=item["notes"],
                content_hash="0" * 64,
            )
            for item in raw
        ]
        with transaction.atomic():
            Inspection.objects.bulk_create(rows, batch_size=BATCH)

    analyze()
    floors, sends = [], []
    last = None
    for day in range(args.rounds):
        floor_batch, sync_batch = raw_batch(100 + day), raw_batch(day)
        started = time.perf_counter()
        floor(floor_batch)
        floors.append(time.perf_counter() - started)
        started = time.perf_counter()
        statuses = send(sync_batch)
        sends.append(time.perf_counter() - started)
        assert statuses == ["created"] * BATCH, set(statuses)
        last = sync_batch
    started = time.perf_counter()
    statuses = send(last)
    resend = time.perf_counter() - started
    assert statuses == ["duplicate"] * BATCH
    # Leave the database as it was (the floor's rows first: they carry no real history).
    Inspection.objects.filter(inspector=inspector).delete()
    conditions.conditions_refresh(asset_ids)
    ChecklistTemplate.objects.filter(pk=template.pk).delete()
    ChecklistTemplate.objects.filter(asset_type=light).order_by("-version").update(is_current=False)
    latest = ChecklistTemplate.objects.filter(asset_type=light).order_by("-version").first()
    ChecklistTemplate.objects.filter(pk=latest.pk).update(is_current=True)
    floor_ms = statistics.median(floors) * 1000
    send_ms = statistics.median(sends) * 1000
    print(
        json.dumps(
            {
                "vendor": "sqlite" if "spatialite" in args.database_url else "postgresql",
                "batch": BATCH,
                "floor_ms": round(floor_ms, 1),
                "sync_ms": round(send_ms, 1),
                "resend_ms": round(resend * 1000, 1),
                "ratio": round(send_ms / floor_ms, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
