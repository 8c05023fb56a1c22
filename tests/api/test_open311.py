"""Open311 GeoReport v2 over real HTTP: the third-party `georeport` client reads, raw HTTP
posts and checks what the client lacks; XML is parsed, never string-matched."""

import datetime
import xml.etree.ElementTree as ET

import pytest
import requests as http
from django.contrib.gis.geos import Point
from django.utils import timezone
from georeport import GeoReport

from accounts import policy
from assets.models import FaultCategory
from config.env import Rate
from qr_labels import services as label_services
from reports import clients, services
from reports.models import Report, ReportEvent
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def base(live_server):
    return f"{live_server.url}/open311/v2"


@pytest.fixture
def key(catalogue, manager):
    _client, text = clients.client_create(name="市民アプリ", acting_user=manager)
    return text


@pytest.fixture
def seeded(catalogue, city, pothole, lamp_out, submit):
    light = factories.asset("security-light", owner=city["road"], address="今市町1丁目")
    label = label_services.label_issue(asset=light, acting_user=policy.SYSTEM)
    hole = submit(pothole, description="大きな穴があります", answers={"width": "lt30"})
    lamp = submit(lamp_out, asset=light, source="qr", label_code=label.code)
    services.report_accept(report=lamp, acting_user=policy.SYSTEM)
    return {"hole": hole, "lamp": lamp, "light": light, "label": label}


def xml(response) -> ET.Element:
    assert response.headers["Content-Type"].startswith("text/xml")
    return ET.fromstring(response.content)


# --- Reading, with the georeport client ----------------------------------------------------------


def test_the_client_lists_services_with_groups_in_json_and_xml(base, seeded):
    services_json = GeoReport(base).get_service_list()
    services_xml = GeoReport(base, output_format="xml").get_service_list()

    by_code = {s["service_code"]: s for s in services_json}
    assert by_code["pothole"]["service_name"] == FaultCategory.objects.get(code="pothole").name_ja
    assert by_code["pothole"]["metadata"] is True and by_code["pothole"]["type"] == "realtime"
    assert by_code["pothole"]["groups"] == [by_code["pothole"]["group"]]
    assert {s["service_code"] for s in services_xml} == set(by_code)
    assert next(s for s in services_xml if s["service_code"] == "pothole")["metadata"] == "true"


def test_the_client_reads_a_service_definition_whose_attributes_are_the_questions(base, seeded):
    definition = GeoReport(base).get_service_definition("pothole")
    definition_xml = GeoReport(base, output_format="xml").get_service_definition("pothole")

    assert definition["service_code"] == "pothole"
    width = next(a for a in definition["attributes"] if a["code"] == "width")
    assert width["datatype"] == "singlevaluelist" and width["variable"] is True
    assert "lt30" in [value["key"] for value in width["values"]]
    codes_xml = definition_xml["attributes"]["attribute"]
    codes_xml = codes_xml if isinstance(codes_xml, list) else [codes_xml]
    assert "width" in [a["code"] for a in codes_xml]


def test_the_client_reads_requests_by_id_and_by_filters(base, seeded):
    client = GeoReport(base)
    hole, lamp = seeded["hole"], seeded["lamp"]

    one = client.get_service_request(hole.number)
    assert one["service_request_id"] == hole.number
    assert one["status"] == "open" and one["service_code"] == "pothole"
    assert one["requested_datetime"].endswith("+09:00")
    assert (one["lat"], one["long"]) == (pytest.approx(35.367), pytest.approx(132.755))

    both = client.get_service_requests(service_request_id=f"{hole.number},{lamp.number}")
    assert {r["service_request_id"] for r in both} == {hole.number, lamp.number}
    lamps = client.get_service_requests(service_code="lamp-out")
    assert [r["service_request_id"] for r in lamps] == [lamp.number]
    assert lamps[0]["address_id"] == seeded["label"].code
    assert lamps[0]["address"] == "今市町1丁目"
    assert client.get_service_requests(status="closed") == []
    start = (timezone.now() - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert len(client.get_service_requests(start_date=start)) == 2

    in_xml = GeoReport(base, output_format="xml").get_service_request(lamp.number)
    assert in_xml["service_request_id"] == lamp.number and in_xml["status"] == "open"


def test_extensions_give_detailed_statuses(base, seeded):
    services.report_close(report=seeded["hole"], reason="not_ours", acting_user=policy.SYSTEM)

    plain = http.get(f"{base}/requests.json").json()
    detailed = http.get(f"{base}/requests.json", params={"extensions": "true"}).json()

    assert {r["status"] for r in plain} == {"open", "closed"}
    statuses = {r["service_request_id"]: r["status"] for r in detailed}
    assert statuses == {
        seeded["hole"].number: "not_councils_responsibility",
        seeded["lamp"].number: "action_scheduled",
    }
    assert all("extended_attributes" in r for r in detailed)


def test_the_default_window_is_ninety_days_and_longer_spans_are_refused(base, seeded):
    Report.objects.filter(pk=seeded["hole"].pk).update(
        created_at=timezone.now() - datetime.timedelta(days=120)
    )

    recent = http.get(f"{base}/requests.json").json()
    assert [r["service_request_id"] for r in recent] == [seeded["lamp"].number]
    old = http.get(
        f"{base}/requests.json",
        params={"start_date": (timezone.now() - datetime.timedelta(days=125)).isoformat()},
    ).json()
    assert [r["service_request_id"] for r in old] == [seeded["hole"].number]

    too_long = http.get(
        f"{base}/requests.xml",
        params={"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},
    )
    assert too_long.status_code == 400
    assert xml(too_long).find("error/code").text == "400"
    assert http.get(f"{base}/requests.json", params={"start_date": "soon"}).status_code == 400


def test_pages_of_requests(base, seeded):
    first = http.get(f"{base}/requests.json", params={"page_size": 1}).json()
    second = http.get(f"{base}/requests.json", params={"page_size": 1, "page": 2}).json()
    third = http.get(f"{base}/requests.json", params={"page_size": 1, "page": 3}).json()

    assert len(first) == len(second) == 1 and third == []
    assert first[0]["service_request_id"] != second[0]["service_request_id"]
    refused = http.get(f"{base}/requests.json", params={"page_size": 5000})
    assert refused.status_code == 400 and refused.json()[0]["code"] == 400


def test_updates_list_status_changes_and_public_notes_never_internal_ones(base, seeded):
    lamp = seeded["lamp"]
    services.report_note_add(
        report=lamp, text="来週修理します", public=True, acting_user=policy.SYSTEM
    )
    services.report_note_add(
        report=lamp, text="業者に電話済み", public=False, acting_user=policy.SYSTEM
    )
    services.report_fix(report=lamp, acting_user=policy.SYSTEM)

    updates = http.get(f"{base}/servicerequestupdates.json").json()
    in_xml = xml(http.get(f"{base}/servicerequestupdates.xml"))

    mine = [u for u in updates if u["service_request_id"] == lamp.number]
    assert [u["status"] for u in mine] == ["open", "open", "closed"]
    assert [u["description"] for u in mine] == ["", "来週修理します", ""]
    assert "業者に電話済み" not in str(updates)
    assert len(in_xml.findall("request_update")) == len(updates)
    detailed = http.get(f"{base}/servicerequestupdates.json?extensions=true").json()
    assert [u["status"] for u in detailed if u["service_request_id"] == lamp.number] == [
        "action_scheduled",
        "action_scheduled",
        "fixed",
    ]


def test_discovery_in_json_and_xml(base, db):
    found = http.get(f"{base}/discovery.json").json()
    found_xml = xml(http.get(f"{base}/discovery.xml"))

    assert found["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert found["endpoints"][0]["formats"] == ["application/json", "text/xml"]
    assert found_xml.find("endpoints/endpoint/url").text.endswith("/open311/v2")
    formats = [f.text for f in found_xml.findall("endpoints/endpoint/formats/format")]
    assert formats == ["application/json", "text/xml"]


def test_services_in_english_on_request(base, seeded):
    english = http.get(f"{base}/services.json", params={"locale": "en"}).json()
    assert next(s for s in english if s["service_code"] == "pothole")["service_name"] == (
        FaultCategory.objects.get(code="pothole").name_en
    )


# --- Posting -------------------------------------------------------------------------------------


def test_posting_with_a_photo_and_a_japanese_description(base, seeded, key, mailoutbox):
    photo = factories.jpeg_with_gps(35.3671, 132.7551, name="穴.jpg")
    response = http.post(
        f"{base}/requests.json",
        data={
            "api_key": key,
            "service_code": "pothole",
            "lat": "35.3672",
            "long": "132.7553",
            "description": "歩道の段差で自転車が転びそうです。",
            "attribute[width]": "lt30",
            "email": "taro@example.jp",
            "first_name": "太郎",
            "last_name": "出雲",
        },
        files={"media": ("穴.jpg", photo, "image/jpeg")},
    )

    assert response.status_code == 200, response.text
    receipt = response.json()[0]
    report = Report.objects.get(number=receipt["service_request_id"])
    assert report.source == "open311" and report.api_client.name == "市民アプリ"
    assert report.description == "歩道の段差で自転車が転びそうです。"
    assert report.answers == {"width": "lt30"}
    assert (report.contact_name, report.contact_email) == ("太郎 出雲", "taro@example.jp")
    assert report.photos.count() == 1
    assert (report.location.y, report.location.x) == (35.3672, 132.7553)
    token = http.get(f"{base}/tokens/{receipt['token']}.xml")
    assert xml(token).find("request/service_request_id").text == report.number
    # The section hears of it, the sender gets a receipt (after the seeded reports' mail).
    assert [m.to for m in mailoutbox[-2:]] == [["doro@city.example"], ["taro@example.jp"]]


def test_posting_form_urlencoded_by_sticker_code_lands_on_the_asset(base, seeded, key):
    light = factories.asset("security-light", owner=seeded["light"].owner)
    label = label_services.label_issue(asset=light, acting_user=policy.SYSTEM)

    response = http.post(
        f"{base}/requests.xml",
        data={"api_key": key, "service_code": "lamp-out", "address_id": label.code.lower()},
    )

    assert response.status_code == 200, response.text
    number = xml(response).find("request/service_request_id").text
    report = Report.objects.get(number=number)
    assert report.asset == light and report.label_code == label.code
    assert report.location_source == "asset"


def test_posting_again_on_an_asset_with_an_open_report_counts_a_me_too(base, seeded, key):
    response = http.post(
        f"{base}/requests.json",
        data={"api_key": key, "service_code": "lamp-out", "address_id": seeded["label"].code},
    )

    assert response.json()[0]["service_request_id"] == seeded["lamp"].number
    assert "Already reported" in response.json()[0]["service_notice"]
    seeded["lamp"].refresh_from_db()
    assert seeded["lamp"].me_too_count == 1 and Report.objects.count() == 2


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_spec_shaped_errors_for_a_missing_key_an_unknown_service_and_no_location(
    base, seeded, key, fmt
):
    def error(response):
        if fmt == "json":
            [item] = response.json()
            return item["code"], item["description"]
        root = xml(response)
        assert root.tag == "errors"
        return int(root.find("error/code").text), root.find("error/description").text

    no_key = http.post(f"{base}/requests.{fmt}", data={"service_code": "pothole", "lat": "35.36"})
    unknown = http.post(
        f"{base}/requests.{fmt}",
        data={"api_key": key, "service_code": "no-such-thing", "lat": "35.367", "long": "132.7"},
    )
    nowhere = http.post(f"{base}/requests.{fmt}", data={"api_key": key, "service_code": "pothole"})

    assert (no_key.status_code, error(no_key)[0]) == (403, 403)
    assert "api_key" in error(no_key)[1]
    assert (unknown.status_code, error(unknown)[0]) == (404, 404)
    assert (nowhere.status_code, error(nowhere)[0]) == (400, 400)
    assert "location" in error(nowhere)[1]
    assert Report.objects.count() == 2


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"attribute[width]": "huge"}, "attribute[width]"),
        ({"attribute[colour]": "red"}, "attribute[colour]"),
        ({"description": "穴" * 4001}, "4000"),
        ({"lat": "35.3", "long": ""}, "together"),
        ({"lat": "north", "long": "east"}, "decimal degrees"),
        ({"email": "not-an-address"}, "email"),
        ({"media_url": "javascript:alert(1)"}, "media_url"),
        ({"lat": "", "long": "", "address_string": "どこか遠く"}, "town"),
        ({"lat": "", "long": "", "address_id": "NO-SUCH"}, "address_id"),
        ({"lat": "35.0", "long": "139.7", "jurisdiction_id": "tokyo"}, "jurisdiction"),
    ],
)
def test_bad_posts_are_refused_with_a_reason_and_nothing_saved(base, seeded, key, fields, message):
    data = {"api_key": key, "service_code": "pothole", "lat": "35.367", "long": "132.755"}
    data.update(fields)

    response = http.post(f"{base}/requests.json", data=data)

    assert response.status_code in (400, 404)
    assert message in response.json()[0]["description"]
    assert Report.objects.count() == 2


def test_a_refused_photo_leaves_no_report_and_no_staged_photo(base, seeded, key):
    response = http.post(
        f"{base}/requests.json",
        data={"api_key": key, "service_code": "pothole", "lat": "35.367", "long": "132.755"},
        files={"media": ("a.gif", b"GIF89a" + b"\0" * 40, "image/gif")},
    )

    assert response.status_code == 400 and "a.gif" in response.json()[0]["description"]
    assert Report.objects.count() == 2
    assert not services.Photo.objects.filter(report__isnull=True).exists()


def test_address_string_with_a_town_places_it_in_that_town(base, seeded, key):
    from assets.models import Town

    Town.objects.create(name="今市町", centre=Point(132.76, 35.36, srid=4326), radius_m=400)

    response = http.post(
        f"{base}/requests.json",
        data={"api_key": key, "service_code": "pothole", "address_string": "今市町 郵便局の前"},
    )

    report = Report.objects.get(number=response.json()[0]["service_request_id"])
    assert (report.town, report.location_source) == ("今市町", "address")


def test_revoked_keys_keys_limited_to_services_and_rate_limits(base, seeded, manager, settings):
    limited, limited_key = clients.client_create(
        name="街路灯アプリ",
        acting_user=manager,
        services=[FaultCategory.objects.get(code="lamp-out")],
        rate_limit="1/3600",
    )
    post = {"api_key": limited_key, "service_code": "pothole", "lat": "35.367", "long": "132.755"}

    assert http.post(f"{base}/requests.json", data=post).status_code == 403
    lamp = {**post, "service_code": "lamp-out", "address_id": seeded["label"].code}
    assert (
        http.post(f"{base}/requests.json", data=lamp).status_code == 429
    )  # the one allowed was used above
    clients.client_revoke(client=limited, acting_user=manager)
    settings.OPEN311_RATE_LIMIT = Rate.parse("100/60")
    revoked = http.post(f"{base}/requests.json", data=lamp)
    assert revoked.status_code == 403 and "revoked" in revoked.json()[0]["description"]
    wrong = http.post(f"{base}/requests.json", data={**lamp, "api_key": "0123456789.nope"})
    assert wrong.status_code == 403


def test_unknown_resources_and_ids_are_spec_errors(base, seeded):
    assert http.get(f"{base}/requests/R-1999-000001.json").status_code == 404
    missing = http.get(f"{base}/requests/R-1999-000001.xml")
    assert xml(missing).find("error/code").text == "404"
    assert http.get(f"{base}/tokens/nope.json").status_code == 404
    assert http.get(f"{base}/services/nope.json").json()[0]["code"] == 404
    assert http.get(f"{base}/requests.html").status_code == 404
    assert http.delete(f"{base}/requests.json").status_code == 405


def test_a_duplicate_closed_by_merging_is_not_listed(base, seeded):
    services.report_merge(duplicate=seeded["hole"], into=seeded["lamp"], acting_user=policy.SYSTEM)

    listed = http.get(f"{base}/requests.json").json()

    assert [r["service_request_id"] for r in listed] == [seeded["lamp"].number]
    assert ReportEvent.objects.filter(kind="merged").exists()


def test_control_characters_never_break_the_xml(base, seeded, key, manager):
    response = http.post(
        f"{base}/requests.json",
        data={
            "api_key": key,
            "service_code": "pothole",
            "lat": "35.367",
            "long": "132.755",
            "description": "ベルが鳴る\x07 穴\x1b[31m",
        },
    )
    report = Report.objects.get(number=response.json()[0]["service_request_id"])
    services.report_set_description_public(report=report, public=True, acting_user=manager)

    root = xml(http.get(f"{base}/requests/{report.number}.xml"))

    assert root.find("request/description").text == "ベルが鳴る\ufffd 穴\ufffd[31m"


def test_an_unreadable_body_is_a_spec_error(base, seeded, key):
    fields = {f"attribute[f{n}]": "x" for n in range(1100)}  # over Django's field limit

    response = http.post(f"{base}/requests.xml", data={"api_key": key, **fields})

    assert response.status_code == 400
    assert xml(response).find("error/code").text == "400"
    assert Report.objects.count() == 2
