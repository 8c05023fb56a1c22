"""The repair priority: hand-built cases whose order and reasons a section chief would expect."""

import datetime
import io

import pytest
from django.contrib.gis.geos import Point
from django.core.management import CommandError, call_command
from django.utils import timezone
from django.utils.translation import override

from assets.models import FaultCategory
from reports import intake, priority, selectors, services
from reports.models import ContextPlace, Report, ReportEvent
from tests import factories

# 35.367 N: one degree of longitude is ~90.8 km, so 0.001 degree ~ 91 m.
EAST_91M = 0.001


def place_at(lon, lat):
    return intake.Place(point=Point(lon, lat, srid=4326), source="device", accuracy_m=5)


def queue_numbers(user, now=None, **filters):
    qs = selectors.queue(user, filters=selectors.QueueFilter(**filters), now=now)
    return list(qs.values_list("number", flat=True))


@pytest.fixture
def categories(catalogue, city):
    FaultCategory.objects.update(default_owner=city["road"])
    return {c.code: c for c in FaultCategory.objects.all()}


def test_severity_orders_faults_and_each_reason_is_named(categories, submit, manager):
    graffiti = submit(categories["graffiti"])  # severity 1
    debris = submit(categories["debris"])  # severity 5
    crack = submit(categories["crack"])  # severity 2

    assert queue_numbers(manager) == [debris.number, crack.number, graffiti.number]
    with override("en"):
        reasons = priority.reasons(debris)
    assert reasons[0] == (40, "severity 5 of the fault")
    with override("ja"):
        assert "重大度 5" in priority.reasons(debris)[0][1]


def test_an_urgent_inspection_defect_outranks_a_severe_resident_report(
    categories, submit, manager, city
):
    swing = factories.asset("swing", owner=city["road"], criticality=3)
    debris = submit(categories["debris"])  # severity 5: 40 points
    defect = submit(categories["broken-part"], asset=swing, source="inspection", defect_grade="D")
    early = submit(categories["rust"], asset=swing, source="inspection", defect_grade="C")

    assert defect.defect_rank == 4 and early.defect_rank == 3
    assert (defect.priority_base, early.priority_base, debris.priority_base) == (52, 42, 40)
    assert queue_numbers(manager) == [defect.number, early.number, debris.number]
    with override("en"):
        text = {sentence: points for points, sentence in priority.reasons(defect)}
    assert text["inspection defect graded D"] == 40
    assert text["asset criticality 3"] == 12


def test_a_fault_near_a_school_counts_for_more_and_says_which_school(categories, submit, manager):
    lon, lat = factories.IZUMO
    ContextPlace.objects.create(kind="school", name="今市小学校", location=Point(lon, lat))
    ContextPlace.objects.create(kind="hospital", name="遠い病院", location=Point(lon + 0.01, lat))
    near = submit(categories["crack"], place=place_at(lon + EAST_91M, lat))
    far = submit(categories["crack"], place=place_at(lon + 3 * EAST_91M, lat))  # ~272 m

    assert queue_numbers(manager) == [near.number, far.number]
    assert near.priority_base - far.priority_base == 10
    with override("en"):
        sentences = [sentence for _, sentence in priority.reasons(near)]
    assert "near a school (今市小学校, 91 m)" in sentences
    assert not any("hospital" in s for s in sentences)


def test_road_class_and_criticality_of_the_asset(categories, submit, manager, city):
    prefectural = factories.asset(
        "road-segment", owner=city["road"], criticality=2, attributes={"road_class": "prefectural"}
    )
    city_road = factories.asset(
        "road-segment", owner=city["road"], criticality=2, attributes={"road_class": "city"}
    )
    on_prefectural = submit(categories["pothole"], asset=prefectural)
    on_city_road = submit(categories["pothole"], asset=city_road)

    assert on_prefectural.priority_base - on_city_road.priority_base == 8
    with override("en"):
        assert (8, "on a prefectural road") in priority.reasons(on_prefectural)


def test_me_too_raises_the_score_up_to_a_cap(categories, submit, manager):
    first = submit(categories["crack"])
    second = submit(categories["crack"], place=place_at(132.8, 35.4))
    assert queue_numbers(manager) == [first.number, second.number]  # older first on a tie

    factories.me_too(second)
    assert queue_numbers(manager) == [second.number, first.number]
    for _ in range(9):
        factories.me_too(second)
    second.refresh_from_db()
    assert second.me_too_count == 10
    assert [p for p in second.priority_reasons if p[1] == "me_too"] == [
        [15, "me_too", {"count": 10}]
    ]


def test_time_left_grows_and_an_overdue_fault_jumps_up(categories, submit, manager):
    slow = submit(categories["debris"])  # severity 5, responds in 24 h
    fast = submit(categories["flooding"])  # severity 5, responds in 12 h
    assert fast.respond_by - fast.created_at == datetime.timedelta(hours=12)

    later = slow.created_at + datetime.timedelta(hours=13, minutes=30)
    assert queue_numbers(manager, now=later) == [fast.number, slow.number]
    assert queue_numbers(manager, now=later, overdue=True) == [fast.number]
    with override("en"):
        assert (25, "past its response target") in priority.reasons(fast, later)
        halfway = priority.reasons(slow, later)
    assert (8, "10 hours left to the response target") in halfway, halfway


def test_the_database_score_equals_the_explained_score(categories, submit, manager, city):
    lon, lat = factories.IZUMO
    ContextPlace.objects.create(kind="station", name="出雲市駅", location=Point(lon, lat))
    swing = factories.asset("swing", owner=city["road"])
    submit(categories["debris"])
    submit(categories["broken-part"], asset=swing, source="inspection", defect_grade="C")
    factories.me_too(submit(categories["graffiti"]))
    now = timezone.now() + datetime.timedelta(hours=30)

    rows = selectors.queue(manager, filters=selectors.QueueFilter(), now=now)
    for report in rows:
        explained = sum(points for points, _ in priority.reasons(report, now))
        assert report.score == priority.score(report, now) == explained


def test_weights_are_settings(categories, submit, manager, settings):
    lon, lat = factories.IZUMO
    ContextPlace.objects.create(kind="school", name="今市小学校", location=Point(lon, lat))
    debris = submit(categories["debris"], place=place_at(lon + 0.05, lat))
    near_school = submit(categories["crack"])
    assert queue_numbers(manager) == [debris.number, near_school.number]

    settings.PRIORITY_WEIGHTS = {"school": 50}
    call_command("refresh_priorities", stdout=io.StringIO())
    assert queue_numbers(manager) == [near_school.number, debris.number]


def test_a_manager_overrides_the_order_with_a_reason_and_it_is_audited(
    categories, submit, manager, section_staff
):
    debris = submit(categories["debris"])
    graffiti = submit(categories["graffiti"])

    with pytest.raises(services.ReportError) as no_reason:
        services.report_set_priority(report=graffiti, points=50, reason=" ", acting_user=manager)
    assert no_reason.value.code == "reason_needed"
    with pytest.raises(services.ReportError) as not_manager:
        services.report_set_priority(
            report=graffiti, points=50, reason="市長案件", acting_user=section_staff
        )
    assert not_manager.value.code == "forbidden"
    assert queue_numbers(manager) == [debris.number, graffiti.number]

    services.report_set_priority(
        report=graffiti, points=50, reason="差別的な落書き: 即日消去", acting_user=manager
    )
    assert queue_numbers(manager) == [graffiti.number, debris.number]
    event = graffiti.events.get(kind=ReportEvent.Kind.PRIORITY)
    assert (event.from_value, event.to_value, event.text, event.by) == (
        "0",
        "50",
        "差別的な落書き: 即日消去",
        manager,
    )
    with override("en"):
        assert (50, "changed by a manager: 差別的な落書き: 即日消去") in priority.reasons(
            Report.objects.get(pk=graffiti.pk)
        )

    services.report_set_priority(report=graffiti, points=0, reason="", acting_user=manager)
    assert queue_numbers(manager) == [debris.number, graffiti.number]
    assert graffiti.events.filter(kind=ReportEvent.Kind.PRIORITY).count() == 2


def test_another_citys_manager_cannot_override(categories, submit, other_city_manager):
    report = submit(categories["debris"])
    with pytest.raises(services.ReportError):
        services.report_set_priority(
            report=report, points=10, reason="x", acting_user=other_city_manager
        )
    assert queue_numbers(other_city_manager) == []


# --- manage.py import_places ------------------------------------------------------------------


def test_import_places_from_a_japanese_csv_refreshes_open_reports(
    categories, submit, tmp_path, capsys
):
    lon, lat = factories.IZUMO
    report = submit(categories["crack"])
    # Excel in Japan: UTF-8 with BOM, CRLF, longitude before latitude, full-width digits.
    csv_text = f"名称,経度,緯度\r\n今市小学校,{lon},{lat}\r\n遠い学校,{lon + 1},{lat}\r\n"
    path = tmp_path / "schools.csv"
    path.write_bytes("\ufeff".encode() + csv_text.encode())

    call_command("import_places", str(path), "--kind", "school")
    assert "2 school places" in capsys.readouterr().out
    report.refresh_from_db()
    assert [p[1] for p in report.priority_reasons].count("school") == 1

    call_command("import_places", str(path), "--kind", "school")  # again: replaced, not doubled
    assert ContextPlace.objects.filter(kind="school").count() == 2


def test_import_places_from_geojson_takes_a_point_inside_an_area(catalogue, tmp_path):
    lon, lat = factories.IZUMO
    ring = [
        [lon, lat],
        [lon + 0.002, lat],
        [lon + 0.002, lat + 0.002],
        [lon, lat + 0.002],
        [lon, lat],
    ]
    path = tmp_path / "hospitals.geojson"
    path.write_text(
        '{"type":"FeatureCollection","features":['
        '{"type":"Feature","properties":{"name":"県立中央病院"},'
        f'"geometry":{{"type":"Polygon","coordinates":[{ring}]}}}},'
        '{"type":"Feature","properties":{"name":"駅前クリニック"},'
        f'"geometry":{{"type":"Point","coordinates":[{lon},{lat}]}}}}]}}'
    )
    call_command("import_places", str(path), "--kind", "hospital", stdout=io.StringIO())
    hospital = ContextPlace.objects.get(name="県立中央病院")
    assert lon < hospital.location.x < lon + 0.002 and lat < hospital.location.y < lat + 0.002


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("名称,緯度,経度\n今市小学校,35.36,132.75\n塩冶小学校,北緯35度,132.75\n", "line 3"),
        ("名称,緯度,経度\n今市小学校,135.36,132.75\n", "lat -90..90"),
        ("名称,住所\n今市小学校,今市町\n", "missing columns: 緯度 and 経度"),
        ("緯度,経度\n35.36,132.75\n", "missing column: 名称"),
        ("名称,緯度,経度\n,35.36,132.75\n", "no name"),
    ],
)
def test_a_bad_places_file_is_refused_whole(catalogue, tmp_path, capsys, content, problem):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(CommandError, match="refused"):
        call_command("import_places", str(path), "--kind", "school")
    assert problem in capsys.readouterr().err
    assert not ContextPlace.objects.exists()


def test_import_places_refuses_a_missing_file_and_an_unknown_kind(catalogue, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_places", str(tmp_path / "none.csv"), "--kind", "school")
    with pytest.raises(CommandError):
        call_command("import_places", str(tmp_path / "none.csv"), "--kind", "temple")
