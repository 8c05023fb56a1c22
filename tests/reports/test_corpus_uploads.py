"""The shared real-world corpus, uploaded through the resident's form over HTTP.

Every hostile file gets a 4xx naming the photo, or a processed report: never a 500. Every
camera photo with coordinates places a report without an asset within 1 m of its MANIFEST
location; a GPS block without coordinates gives no location.
"""

import csv
import math

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from reports.models import Report
from tests.conftest import TESTDATA, require


def _manifest(folder: str) -> list[dict]:
    path = TESTDATA / folder / "MANIFEST.tsv"
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def _upload(row: dict, folder: str) -> SimpleUploadedFile:
    path = TESTDATA / folder / row["file"]
    return SimpleUploadedFile(row["file"], path.read_bytes())


@pytest.fixture
def corpus():
    require(TESTDATA.is_dir(), "the shared testdata (../shared/testdata)")


HOSTILE = _manifest("hostile") or [{"file": "(missing)"}]
PHOTOS = _manifest("photos") or [{"file": "(missing)"}]


@pytest.mark.parametrize("row", HOSTILE, ids=[r["file"] for r in HOSTILE])
def test_a_hostile_upload_is_refused_by_name_or_taken_never_a_500(client, corpus, label, row):
    response = client.post(
        f"/q/{label.code}",
        {"category": "lamp-out", "photos": [_upload(row, "hostile")]},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code in (302, 400), response.status_code
    if response.status_code == 400:
        html = response.content.decode()
        assert row["file"] in html  # the message says which photo
        assert not Report.objects.exists()
    else:
        assert Report.objects.get().photos.count() == 1


def _metres(a, b) -> float:
    lat = math.radians((a[0] + b[0]) / 2)
    dy = (a[0] - b[0]) * 111_132.954
    dx = (a[1] - b[1]) * 111_412.84 * math.cos(lat)
    return math.hypot(dx, dy)


WITH_GPS = [r for r in PHOTOS if r.get("has_gps") == "yes" and r.get("lat") and r.get("lon")]


@pytest.mark.parametrize(
    "row", WITH_GPS or [{"file": "(missing)"}], ids=[r["file"] for r in WITH_GPS] or ["missing"]
)
def test_a_photos_gps_places_a_report_within_a_metre(client, corpus, pothole, row):
    response = client.post(
        "/report/",
        {"category": "pothole", "photos": [_upload(row, "photos")]},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 302, response.content.decode()[:500]
    report = Report.objects.get()
    assert report.location_source == "photo"
    expected = (float(row["lat"]), float(row["lon"]))
    assert _metres((report.location.y, report.location.x), expected) < 1.0


def test_a_gps_block_without_coordinates_gives_no_location(client, corpus, pothole):
    rows = [r for r in PHOTOS if r.get("has_gps") not in ("yes", "no", None)]
    require(bool(rows), "a photo with an empty GPS block in the corpus")

    for row in rows:
        response = client.post(
            "/report/",
            {"category": "pothole", "photos": [_upload(row, "photos")]},
            HTTP_ACCEPT_LANGUAGE="en",
        )

        assert response.status_code == 400, row["file"]
        assert "Please tell us where it is" in response.content.decode()
    assert not Report.objects.exists()
