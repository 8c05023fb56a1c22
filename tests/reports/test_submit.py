"""Taking a report: numbers, location, ownership, photos, all or nothing."""

import datetime

import pytest
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.core.files.storage import storages
from django.utils import timezone

from assets.models import FaultCategory
from reports import intake, photo_store, photo_tasks, services
from reports.models import Photo, Report, ReportEvent
from tests import factories
from tests.factories import jpeg, jpeg_with_gps


def test_a_report_gets_a_yearly_number_and_an_unguessable_tracking_token(submit, lamp_out, light):
    first = submit(lamp_out, asset=light, source="qr")
    second = submit(lamp_out, asset=light, source="qr")

    year = datetime.date.today().year
    assert (first.number, second.number) == (f"R-{year}-000001", f"R-{year}-000002")
    tokens = factories.receipt_token(first), factories.receipt_token(second)
    assert len(tokens[0]) >= 22 and tokens[0] != tokens[1]
    assert first.events.get().kind == ReportEvent.Kind.SUBMITTED


def test_an_asset_report_lands_with_the_assets_owner_at_the_asset(submit, lamp_out, light):
    report = submit(
        lamp_out,
        asset=light,
        source="qr",
        place=intake.Place(point=Point(132.9, 35.5, srid=4326), source="device"),
    )

    assert report.owner == light.owner
    assert report.location_source == "asset"
    assert (report.location.x, report.location.y) == (light.geom.x, light.geom.y)


def test_a_category_that_does_not_fit_the_asset_is_refused(submit, pothole, light):
    with pytest.raises(services.ReportError) as caught:
        submit(pothole, asset=light)

    assert caught.value.code == "bad_category"
    assert not Report.objects.exists()


def test_without_an_asset_the_categorys_section_handles_it(submit, pothole, city):
    report = submit(pothole)

    assert report.owner == city["road"]
    assert report.location_source == "device"


def test_without_any_location_the_report_is_refused_clearly(submit, pothole):
    with pytest.raises(services.ReportError) as caught:
        submit(pothole, place=intake.Place())

    assert (caught.value.code, caught.value.field) == ("no_location", "location")


def test_a_photos_gps_gives_the_place_when_nothing_else_does(submit, pothole):
    photo = factories.photo(data=jpeg_with_gps(35.3601, 132.7501))

    report = submit(pothole, place=intake.Place(), photos=[photo])

    assert report.location_source == "photo"
    assert report.location.y == pytest.approx(35.3601, abs=1e-6)
    assert report.location.x == pytest.approx(132.7501, abs=1e-6)


def test_along_a_road_the_photos_place_says_where_on_it(submit, pothole, city):
    # A segment from 132.7550 to 132.7560 E at 35.3670 N: about 90 m long.
    road = factories.asset("road-segment", owner=city["road"], lon=132.755, lat=35.367)
    near = factories.photo(data=jpeg_with_gps(35.36702, 132.75571))
    far = factories.photo(data=jpeg_with_gps(35.3800, 132.7700))  # 2 km away: another place

    on_it = submit(pothole, asset=road, place=intake.Place(), photos=[near])
    elsewhere = submit(pothole, asset=road, place=intake.Place(), photos=[far])

    assert on_it.location_source == "photo"
    assert (on_it.location.y, on_it.location.x) == pytest.approx((35.36702, 132.75571), abs=1e-6)
    assert elsewhere.location_source == "asset"


def test_reports_outside_the_service_area_are_refused(submit, pothole, settings):
    settings.SERVICE_AREA = Polygon.from_bbox((132.6, 35.2, 132.9, 35.5)).wkt

    with pytest.raises(services.ReportError) as caught:
        submit(pothole, place=intake.Place(point=Point(139.7, 35.7, srid=4326), source="map"))
    inside = submit(pothole)

    assert caught.value.code == "outside_area"
    assert inside.pk


def test_a_photo_taken_far_from_the_scanned_asset_is_flagged(submit, lamp_out, light):
    far = factories.photo(data=jpeg_with_gps(35.370, 132.755))  # ~333 m north
    near = factories.photo(data=jpeg_with_gps(35.3671, 132.755))  # ~11 m

    flagged = submit(lamp_out, asset=light, source="qr", photos=[far])
    fine = submit(lamp_out, asset=light, source="qr", photos=[near])

    assert flagged.photo_far_from_asset is True
    assert flagged.photo_distance_m == pytest.approx(333, abs=2)
    assert fine.photo_far_from_asset is False


def test_extra_answers_are_checked_against_the_categorys_questions(submit, lamp_out, light):
    with pytest.raises(services.ReportError) as caught:
        submit(lamp_out, asset=light, answers={"since": "last century"})

    report = submit(lamp_out, asset=light, answers={"since": "week"})

    assert caught.value.code == "invalid_answer"
    assert report.answers == {"since": "week"}


def test_photos_are_attached_in_order(submit, lamp_out, light):
    photos = [factories.photo(data=jpeg(name=f"{i}.jpg")) for i in range(3)]

    report = submit(lamp_out, asset=light, photos=photos)

    assert list(report.photos.values_list("token", flat=True)) == [p.token for p in photos]
    assert not report.photos.filter(is_public=True).exists()


def test_a_photo_cannot_be_used_twice(submit, lamp_out, light):
    photo = factories.photo(data=jpeg())
    submit(lamp_out, asset=light, photos=[photo])

    with pytest.raises(services.ReportError) as caught:
        submit(lamp_out, asset=light, photos=[photo])

    assert caught.value.code == "photo_taken"


def _failing_save(monkeypatch, *, fail_call: int) -> list[str]:
    storage = storages["default"]
    real_save, calls = storage.save, []

    def failing_save(name, content, **kwargs):
        calls.append(name)
        if len(calls) == fail_call:
            raise OSError("disk full")
        return real_save(name, content, **kwargs)

    monkeypatch.setattr(storage, "save", failing_save)
    return calls


def test_a_failed_write_of_the_original_leaves_no_row_and_no_file(monkeypatch, db):
    calls = _failing_save(monkeypatch, fail_call=1)

    with pytest.raises(photo_store.StorageUnavailable):
        factories.photo(data=jpeg())

    assert not Photo.objects.exists()
    assert not storages["default"].exists(calls[0])


def test_a_failed_write_of_the_public_copy_keeps_the_photo_processing_until_a_retry(
    monkeypatch, db
):
    calls = _failing_save(monkeypatch, fail_call=2)

    photo = factories.photo(data=jpeg())  # the original is kept; its copy failed

    assert (photo.state, photo.attempts, photo.public) == (Photo.State.PROCESSING, 1, "")
    assert storages["default"].exists(calls[0]) and not storages["default"].exists(calls[1])
    Photo.objects.update(queued_at=timezone.now() - datetime.timedelta(minutes=10))
    assert photo_tasks.photos_resume() == 1  # the storage answers again: done now
    photo.refresh_from_db()
    assert photo.state == Photo.State.READY and photo.public == calls[1]


def test_a_failed_database_write_leaves_no_report(submit, lamp_out, light, monkeypatch):
    photo = factories.photo(data=jpeg())

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(ReportEvent.objects, "create", broken)

    with pytest.raises(RuntimeError):
        submit(lamp_out, asset=light, photos=[photo])

    assert not Report.objects.exists()
    photo.refresh_from_db()
    assert photo.report_id is None


def test_stale_staged_photos_and_orphan_files_are_swept(db, settings):
    kept = factories.photo(data=jpeg())
    stale = factories.photo(data=jpeg())
    Photo.objects.filter(pk=stale.pk).update(
        created_at=stale.created_at - datetime.timedelta(days=2)
    )
    storage = storages["default"]
    orphan = storage.save("reports/2020/01/01/orphan.jpg", __import__("io").BytesIO(b"x"))

    swept = photo_store.photos_sweep()
    files = photo_store.photo_files_sweep(older_than=datetime.timedelta(0))

    assert swept == 1 and files == 1
    assert list(Photo.objects.all()) == [kept]
    assert not any(storage.exists(name) for name in stale.names)
    assert not storage.exists(orphan)
    assert all(storage.exists(name) for name in kept.names)


def test_the_section_hears_of_each_new_report_and_the_resident_gets_a_receipt(
    submit, lamp_out, light
):
    from django.core import mail

    report = submit(lamp_out, asset=light, email="resident@example.com", language="pt-br")

    to = sorted(message.to[0] for message in mail.outbox)
    assert to == ["doro@city.example", "resident@example.com"]
    staff = next(m for m in mail.outbox if m.to == ["doro@city.example"])
    resident = next(m for m in mail.outbox if m.to == ["resident@example.com"])
    assert report.number in staff.subject and "/manage/reports/" in staff.body
    assert "resident@example.com" not in staff.body  # contacts stay in the staff screens
    assert "Obrigado" in resident.body and f"/r/{factories.receipt_token(report)}" in resident.body


def test_categories_without_a_section_fall_back_to_the_local_organisation(
    submit, catalogue, city, settings
):
    crack = FaultCategory.objects.get(code="crack")
    area = Polygon.from_bbox((132.70, 35.30, 132.80, 35.40))
    city["parks"].service_area = MultiPolygon(area, srid=4326)
    city["parks"].save()

    report = submit(crack)

    assert report.owner == city["parks"]
