"""Batch sync: each record gets its own result; resending is always safe."""

import datetime
import uuid

import pytest

from assets.models import Asset
from inspections.models import Inspection, Quarantine
from reports.models import Report
from tests import factories
from tests.inspections.conftest import record, sync, tablet_for

JST = datetime.timezone(datetime.timedelta(hours=9))
POLE = {
    "component": "支柱",
    "kind": "pole-damaged",
    "grade": "III",
    "measurement": 12.0,
    "unit": "%",
    "notes": "基部に腐食",
}


def test_a_batch_is_recorded_and_resending_it_changes_nothing(tablet, lights):
    batch = [record(asset) for asset in lights[:3]]

    first = sync(tablet, *batch)
    again = sync(tablet, *batch)

    assert [r["status"] for r in first] == ["created"] * 3
    assert [r["status"] for r in again] == ["duplicate"] * 3
    assert [r["inspection"] for r in again] == [r["inspection"] for r in first]
    assert Inspection.objects.count() == 3


def test_one_bad_record_does_not_fail_the_batch(tablet, lights):
    good = record(lights[0])
    bad_grade = record(lights[1], grade="Z")
    no_zone = record(lights[2])
    no_zone["performed_at"] = "2026-11-20T10:00:00"
    bad_answer = record(lights[3], answers={"tilt": "leaning"})

    results = sync(tablet, good, bad_grade, no_zone, bad_answer, {"uuid": "nonsense"})

    assert [r["status"] for r in results] == ["created", "invalid", "invalid", "invalid", "invalid"]
    assert "overall_grade" in results[1]["errors"]
    assert "performed_at" in results[2]["errors"]
    assert "answers" in results[3]["errors"]
    assert Inspection.objects.count() == 1


def test_the_condition_summary_follows_the_latest_inspection(tablet, lights):
    light = lights[0]
    sync(tablet, record(light, grade="II", when=datetime.datetime(2026, 11, 1, 9, tzinfo=JST)))

    light.refresh_from_db()
    assert (light.condition_grade, light.last_inspected_on) == ("II", datetime.date(2026, 11, 1))
    assert light.next_inspection_due == datetime.date(2031, 11, 1)  # a 60-month cycle


def test_an_older_record_arriving_late_never_overwrites_a_newer_condition(tablet, lights):
    light = lights[0]
    newer = record(light, grade="I", when=datetime.datetime(2026, 11, 20, 9, tzinfo=JST))
    older = record(light, grade="III", when=datetime.datetime(2026, 10, 1, 9, tzinfo=JST))

    sync(tablet, newer)
    sync(tablet, older)

    light.refresh_from_db()
    assert (light.condition_grade, light.last_inspected_on) == ("I", datetime.date(2026, 11, 20))
    assert Inspection.objects.filter(asset=light).count() == 2


def test_a_correction_supersedes_and_the_history_keeps_both(tablet, lights):
    light = lights[0]
    wrong = record(light, grade="IV")
    sync(tablet, wrong)

    correction = record(light, grade="II", supersedes=wrong["uuid"])
    results = sync(tablet, correction)

    light.refresh_from_db()
    original = Inspection.objects.get(uuid=wrong["uuid"])
    assert results[0]["status"] == "created"
    assert light.condition_grade == "II"
    assert original.superseded_by.uuid == uuid.UUID(correction["uuid"])
    history = tablet.get(f"/api/v1/assets/{light.pk}/history/").json()["inspections"]
    assert [(i["grade"], i["superseded"]) for i in history] == [("II", False), ("IV", True)]


def test_a_record_can_be_corrected_only_once(tablet, lights):
    wrong = record(lights[0], grade="IV")
    sync(tablet, wrong)
    sync(tablet, record(lights[0], grade="II", supersedes=wrong["uuid"]))

    results = sync(tablet, record(lights[0], grade="I", supersedes=wrong["uuid"]))

    assert results[0]["status"] == "invalid" and "supersedes" in results[0]["errors"]


def test_the_same_id_with_other_content_is_quarantined_not_dropped(tablet, lights):
    original = record(lights[0], grade="I")
    sync(tablet, original)
    changed = {**original, "overall_grade": "III", "notes": "見直し"}

    first = sync(tablet, changed)
    resent = sync(tablet, changed)

    assert first[0]["status"] == resent[0]["status"] == "conflict"
    assert first[0]["code"] == "changed_content"
    held = Quarantine.objects.get()
    assert held.payload["notes"] == "見直し"
    assert Inspection.objects.get().overall_grade == "I"


def test_a_retired_asset_is_quarantined(tablet, lights):
    Asset.objects.filter(pk=lights[0].pk).update(status="retired")

    results = sync(tablet, record(lights[0]))

    assert (results[0]["status"], results[0]["code"]) == ("conflict", "asset_retired")
    assert Quarantine.objects.count() == 1 and not Inspection.objects.exists()


# Committed transactions: PostgreSQL stamps all writes of one transaction alike.
@pytest.mark.django_db(transaction=True)
def test_an_asset_that_changed_owner_since_the_pack_is_quarantined(tablet, lights, city):
    cursor = Asset.objects.get(pk=lights[0].pk).change_seq
    lights[0].owner = city["parks"]
    lights[0].save()

    results = sync(tablet, record(lights[0], pack_cursor=cursor))

    assert (results[0]["status"], results[0]["code"]) == ("conflict", "owner_changed")


def test_another_organisations_asset_is_refused(tablet, other_city, checklists):
    elsewhere = factories.asset("security-light", owner=other_city)

    results = sync(tablet, record(elsewhere))

    assert results[0]["status"] == "invalid" and results[0]["code"] == "unknown_asset"
    assert not Inspection.objects.exists()


def test_a_manager_accepts_a_quarantined_record_as_a_correction(tablet, lights, city):
    original = record(lights[0], grade="I")
    sync(tablet, original)
    sync(tablet, {**original, "overall_grade": "III"})
    manager = factories.user(city["road"], "manager")
    from inspections.quarantine import quarantine_resolve

    quarantine_resolve(record=Quarantine.objects.get(), accept=True, acting_user=manager)

    lights[0].refresh_from_db()
    assert lights[0].condition_grade == "III"
    assert Inspection.objects.count() == 2
    assert Quarantine.objects.get().resolution == "accepted"


def test_an_action_defect_raises_one_fault_and_later_ones_join_it(tablet, lights):
    first = record(lights[0], grade="III", defects=[POLE])
    later = record(
        lights[0], grade="III", defects=[POLE], when=datetime.datetime(2026, 11, 21, 9, tzinfo=JST)
    )

    sync(tablet, first, later)

    fault = Report.objects.get()
    assert (fault.source, fault.asset, fault.category.code) == (
        "inspection",
        lights[0],
        "pole-damaged",
    )
    assert {d.fault_id for i in Inspection.objects.all() for d in i.defects.all()} == {fault.pk}


def test_a_defect_that_needs_no_action_raises_no_fault(tablet, lights):
    sync(tablet, record(lights[0], grade="II", defects=[{**POLE, "grade": "II"}]))

    assert not Report.objects.exists()


def test_a_follow_up_after_the_repair_closes_the_loop(tablet, lights):
    sync(tablet, record(lights[0], grade="III", defects=[POLE]))
    fault = Report.objects.get()

    sync(
        tablet,
        record(
            lights[0],
            grade="I",
            kind="follow_up",
            report=fault.number,
            when=datetime.datetime(2026, 11, 25, 9, tzinfo=JST),
        ),
    )

    fault.refresh_from_db()
    assert fault.status == "fixed"


def test_viewers_may_not_sync(city, lights):
    viewer = tablet_for(factories.user(city["road"], "viewer"))

    response = viewer.post(
        "/api/v1/inspections/sync/", {"inspections": [record(lights[0])]}, format="json"
    )

    assert response.status_code == 403
    assert not Inspection.objects.exists()


def test_a_cut_off_body_saves_nothing_and_says_so(tablet, lights):
    response = tablet.generic(
        "POST",
        "/api/v1/inspections/sync/",
        '{"inspections": [{"uuid": "',
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert not Inspection.objects.exists()


@pytest.mark.parametrize("body", [{}, {"inspections": "all"}, [1, 2]])
def test_a_batch_of_the_wrong_shape_is_a_clear_400(tablet, lights, body):
    response = tablet.post("/api/v1/inspections/sync/", body, format="json")

    assert response.status_code == 400


def test_the_same_record_twice_in_one_batch_is_recorded_once(tablet, lights):
    item = record(lights[0])

    results = sync(tablet, item, item)

    assert [r["status"] for r in results] == ["created", "duplicate"]
    assert Inspection.objects.count() == 1


@pytest.mark.parametrize(
    "change",
    [
        {},
        {"uuid": "x"},
        {"asset": "one"},
        {"kind": "weekly"},
        {"performed_at": "2026-11-20T10:00:00"},
        {"performed_at": "2099-01-01T00:00:00+09:00"},
        {"gps": {"lat": 95, "lon": 132}},
        {"overall_grade": ""},
        {"defects": [{"kind": "pole damaged!", "grade": "III"}]},
        {"defects": "many"},
        {"notes": "x" * 4001},
        {"template_version": 0},
    ],
)
def test_the_fast_reader_agrees_with_the_documented_schema(lights, change):
    from api.tablet.sync import InspectionInSerializer
    from inspections.payload import parse_item

    raw = {**record(lights[0]), **change}

    item, errors = parse_item(raw)
    documented = InspectionInSerializer(data=raw)

    assert (item is not None) == documented.is_valid(), (errors, documented.errors)
    assert {key.split(".")[0] for key in errors} == set(documented.errors) or item is not None
