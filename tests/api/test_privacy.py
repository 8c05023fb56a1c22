"""Nothing private leaves through Open311 GETs or the open-data feeds.

Known private values are seeded everywhere they could hide (contacts, names, phones,
internal notes, unmoderated descriptions, internal asset attributes, photo EXIF), then every
public response, in every format, is searched for them; photos behind media_url are opened
and must carry no EXIF at all.
"""

import io
import re

import pytest
import requests as http
from django.contrib.auth.models import AnonymousUser
from django.contrib.gis.geos import Point
from PIL import Image

from accounts import policy
from assets.models import FaultCategory
from qr_labels import services as label_services
from reports import clients, intake, services
from reports.models import Photo, Receipt
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)
PHOTO_PATH = re.compile(r"/photos/[0-9a-f-]{36}/(?:photo|thumb)\.jpg")

SECRETS = {
    "email": "himitsu.taro@example.jp",
    "name": "秘密太郎",
    "phone": "090-1234-9876",
    "internal note": "内部メモ：業者の見積もり 98765円",
    "unmoderated description": "隣の山田さんの家の前です",
    "landmark": "山田さん宅の前",
    "internal attribute": "SUPPLIER-SECRET-42",
    "exif": "EXIF-SECRET-CAMERA-OWNER",
    "me too email": "hanako.secret@example.jp",
}


def photo_with_private_exif(name: str) -> io.BytesIO:
    image = Image.new("RGB", (320, 240), (90, 90, 200))
    exif = image.getexif()
    exif[0x013B] = SECRETS["exif"]  # Artist
    exif[0x010E] = SECRETS["exif"]  # ImageDescription
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    buffer.seek(0)
    buffer.name = name
    return buffer


@pytest.fixture
def private_world(catalogue, city, manager, pothole, lamp_out):
    light = factories.asset(
        "security-light",
        owner=city["road"],
        address="今市町2丁目",
        attributes={"supplier": SECRETS["internal attribute"]},
    )
    label = label_services.label_issue(asset=light, acting_user=policy.SYSTEM)
    factories.asset(
        "park",
        owner=city["parks"],
        name="秘密のない公園",
        attributes={"management_contractor": SECRETS["internal attribute"]},
    )
    photos = [
        factories.photo(photo_with_private_exif(f"p{n}.jpg"), filename=f"p{n}.jpg")
        for n in range(2)
    ]
    secret_contact = intake.Contact(
        email=SECRETS["email"], name=SECRETS["name"], phone=SECRETS["phone"], consent=True
    )
    report = intake.report_intake(
        channel="qr",
        acting_user=AnonymousUser(),
        category=lamp_out,
        place=intake.Place(address_text=SECRETS["landmark"]),
        asset=light,
        label_code=label.code,
        description=SECRETS["unmoderated description"],
        photos=photos,
        contact=secret_contact,
    ).report
    factories.me_too(report, email=SECRETS["me too email"])
    services.report_note_add(
        report=report, text=SECRETS["internal note"], public=False, acting_user=manager
    )
    services.report_note_add(
        report=report, text="修理を手配しました", public=True, acting_user=manager
    )
    # One photo made public by staff, the other not; the description stays unmoderated.
    services.photo_set_public(photo=photos[0], public=True, acting_user=manager)
    client, key = clients.client_create(name="app", acting_user=manager)
    road = intake.report_intake(
        channel="open311",
        acting_user=AnonymousUser(),
        api_client=client,
        category=pothole,
        place=intake.Place(
            point=Point(132.756, 35.368, srid=4326),
            source="device",
            address_text=SECRETS["landmark"],
        ),
        description=SECRETS["unmoderated description"],
        contact=intake.Contact(
            email=SECRETS["email"], name=SECRETS["name"], phone=SECRETS["phone"]
        ),
    ).report
    return {"report": report, "road": road, "photos": photos, "key": key}


def public_urls(base: str, world) -> list[str]:
    number = world["report"].number
    urls = [f"{base}/open-data/"]
    urls += [f"{base}/open-data/jp/{code}.csv" for code in ("public-toilets", "parks")]
    for fmt in ("json", "xml"):
        o = f"{base}/open311/v2"
        urls += [
            f"{o}/discovery.{fmt}",
            f"{o}/services.{fmt}",
            f"{o}/services/lamp-out.{fmt}",
            f"{o}/requests.{fmt}",
            f"{o}/requests.{fmt}?extensions=true",
            f"{o}/requests/{number}.{fmt}",
            f"{o}/requests/{number}.{fmt}?extensions=true",
            f"{o}/requests.{fmt}?service_request_id={number},{world['road'].number}",
            f"{o}/servicerequestupdates.{fmt}",
            f"{o}/servicerequestupdates.{fmt}?extensions=true",
        ]
    for feed in ("assets", "reports"):
        for fmt in ("csv", "geojson"):
            urls.append(f"{base}/open-data/{feed}.{fmt}")
    return urls


def test_no_private_value_appears_in_any_public_response(live_server, private_world):
    seen_photo_urls = set()
    for url in public_urls(live_server.url, private_world):
        response = http.get(url)
        assert response.status_code == 200, url
        text = response.content.decode("utf-8")
        for what, secret in SECRETS.items():
            assert secret not in text, f"{what} leaked in {url}"
        seen_photo_urls |= set(PHOTO_PATH.findall(text))
    # Only the photo staff made public is linked, and it carries no EXIF at all.
    public_token = str(private_world["photos"][0].token)
    hidden_token = str(private_world["photos"][1].token)
    assert any(public_token in url for url in seen_photo_urls)
    assert not any(hidden_token in url for url in seen_photo_urls)
    for path in seen_photo_urls:
        photo = http.get(live_server.url + path)
        assert photo.status_code == 200
        assert SECRETS["exif"].encode() not in photo.content
        assert not Image.open(io.BytesIO(photo.content)).getexif()


def test_the_open311_receipt_tells_the_sender_only_its_own_token(live_server, private_world):
    listed = http.get(f"{live_server.url}/open311/v2/requests.json").json()

    tokens = set(Receipt.objects.values_list("token", flat=True))
    assert not any(token in str(listed) for token in tokens)


def test_moderated_description_and_photos_do_appear(live_server, private_world, manager):
    services.report_set_description_public(
        report=private_world["road"], public=True, acting_user=manager
    )

    listed = http.get(f"{live_server.url}/open311/v2/requests.json").json()
    feed = http.get(f"{live_server.url}/open-data/reports.geojson").json()

    road = next(r for r in listed if r["service_request_id"] == private_world["road"].number)
    assert road["description"] == SECRETS["unmoderated description"]
    lamp = next(f for f in feed["features"] if f["id"] == private_world["report"].number)
    assert lamp["properties"]["photo_urls"] and lamp["properties"]["description"] == ""
    assert lamp["properties"]["status_notes"] == "修理を手配しました"
    assert Photo.objects.filter(is_public=True).count() == 1
    assert FaultCategory.objects.filter(code="lamp-out").exists()
