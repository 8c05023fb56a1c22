"""The rest of the staff surfaces with two cities, both ways: the labels API (what it prints
and for whom), the queue's exports (whose host their links name), the dashboard (a
superuser on a city's host sees that city's figures) and the staff API's answer to a
session of the other city (signed out: 401 `not_authenticated`)."""

import csv
import io
import json
from types import SimpleNamespace

import openpyxl
import pytest
from rest_framework.exceptions import NotAuthenticated
from rest_framework.test import APIClient

from accounts.city_host import city_values
from api import labels as labels_api
from api.permissions import IsCityStaff
from assets.models import Asset, Town
from qr_labels.models import Label
from tests import factories
from tests.cities_staff.conftest import superuser

SHEET = "/api/v1/labels/sheet.pdf"
PAIRS = [("izumo", "matsue"), ("matsue", "izumo")]


@pytest.fixture
def both(cities):
    izumo, matsue = cities
    return {"izumo": izumo, "matsue": matsue}


def _api(user, host) -> APIClient:
    client = APIClient(HTTP_HOST=host)
    client.force_login(user)
    return client


@pytest.fixture
def printed(monkeypatch):
    """What the sheet API hands to the PDF writer: its labels and its title."""
    seen = SimpleNamespace(contents=[], title=None)

    def fake_sheets(contents, *, layout, title):
        seen.contents, seen.title = list(contents), title
        yield b"%PDF-1.4 fake\n%%EOF"

    monkeypatch.setattr(labels_api, "iter_sheets", fake_sheets)
    return seen


# --- The labels API ---------------------------------------------------------------------------


@pytest.mark.parametrize(("mine", "theirs"), PAIRS)
def test_a_manager_asking_for_the_other_citys_ledger_ids_gets_nothing_to_print(both, mine, theirs):
    me, them = both[mine], both[theirs]
    client = _api(me["manager"], me["host"])

    preview = client.get(SHEET, {"ledger_ids": them["asset"].ledger_id})
    printed_run = client.post(SHEET, {"ledger_ids": them["asset"].ledger_id}, format="json")

    assert (preview.status_code, printed_run.status_code) == (400, 400)
    assert printed_run.json()["code"] == "nothing_to_print"
    assert Label.objects.get(pk=them["label"].pk).printed_at is None


@pytest.mark.parametrize(("mine", "theirs"), PAIRS)
def test_a_superuser_prints_the_hosts_city_only_with_its_name_and_phone(
    both, mine, theirs, printed
):
    me, them = both[mine], both[theirs]
    client = _api(superuser(), me["host"])
    ledger_ids = f"{me['asset'].ledger_id},{them['asset'].ledger_id}"

    theirs_only = client.get(SHEET, {"ledger_ids": them["asset"].ledger_id})
    sheet = client.post(SHEET, {"ledger_ids": ledger_ids}, format="json")

    assert theirs_only.json()["code"] == "nothing_to_print"
    assert sheet.status_code == 200
    b"".join(sheet.streaming_content)
    here = city_values(me["row"])
    assert [c.code for c in printed.contents] == [me["label"].code]
    assert {(c.city, c.phone) for c in printed.contents} == {(here.name, here.phone)}
    assert printed.title == f"{here.name} QR labels"
    assert printed.contents[0].url_base == me["url"]
    assert Label.objects.get(pk=them["label"].pk).printed_at is None


@pytest.mark.parametrize(("mine", "theirs"), PAIRS)
def test_a_superuser_lists_and_acts_on_the_hosts_labels_only(both, mine, theirs):
    me, them = both[mine], both[theirs]
    client = _api(superuser(), me["host"])

    listed = client.get("/api/v1/labels/")
    retire = client.post(f"/api/v1/labels/{them['label'].code}/retire/", {}, format="json")
    image = client.get(f"/api/v1/labels/{them['label'].code}/qr.png")
    issue = client.post(f"/api/v1/assets/{them['asset'].pk}/labels/", {}, format="json")

    assert listed.status_code == 200
    rows = listed.json()["results"] if isinstance(listed.json(), dict) else listed.json()
    assert [row["code"] for row in rows] == [me["label"].code]
    assert rows[0]["url"].startswith(me["url"].upper() + "/Q/")
    assert (retire.status_code, retire.json()["code"]) == (404, "not_found")
    assert image.status_code == 404
    assert issue.status_code == 404
    assert Label.objects.get(pk=them["label"].pk).state == Label.State.ACTIVE


def test_a_managers_label_url_names_their_own_host(both):
    for name in ("izumo", "matsue"):
        me = both[name]
        listed = _api(me["manager"], me["host"]).get("/api/v1/labels/").json()
        rows = listed["results"] if isinstance(listed, dict) else listed
        assert [row["url"] for row in rows] == [f"{me['url']}/Q/{me['label'].code}".upper()]


# --- The queue's exports ----------------------------------------------------------------------


def _text(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8-sig")


@pytest.mark.parametrize(("mine", "theirs"), PAIRS)
def test_the_queues_exports_link_to_the_hosts_city(both, client, mine, theirs):
    me, them = both[mine], both[theirs]
    link = f"{me['url']}/manage/reports/{me['report'].number}/"
    for user in (me["manager"], superuser() if mine == "izumo" else me["manager"]):
        client.force_login(user)

        as_csv = _text(client.get("/manage/queue.csv", HTTP_HOST=me["host"]))
        as_csv_ja = _text(client.get("/manage/queue.csv?headers=ja", HTTP_HOST=me["host"]))
        as_geojson = json.loads(_text(client.get("/manage/queue.geojson", HTTP_HOST=me["host"])))
        as_xlsx = client.get("/manage/queue.xlsx", HTTP_HOST=me["host"])
        book = openpyxl.load_workbook(io.BytesIO(b"".join(as_xlsx.streaming_content)))
        cells = [
            str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row if v
        ]

        for text in (as_csv, as_csv_ja):
            rows = list(csv.reader(io.StringIO(text)))
            assert rows[1][-1] == link, rows
            assert them["host"] not in text
        assert [f["properties"]["url"] for f in as_geojson["features"]] == [link]
        assert link in cells
        assert not any(them["host"] in cell for cell in cells)


# --- The dashboard --------------------------------------------------------------------------


@pytest.fixture
def izumo_busier(cities, submit, lamp_out):
    """Izumo: its own report and two more; Matsue: its one. Each city has a 本町 at its
    report."""
    izumo, matsue = cities
    for n in range(2):
        asset = factories.asset(
            owner=izumo["road"], lon=132.755, lat=35.367, ledger_id=f"izumo-BH-9{n}"
        )
        submit(lamp_out, asset=asset)
    for city, (lon, lat) in ((izumo, (132.755, 35.367)), (matsue, (133.05, 35.47))):
        Town.objects.create(
            city=city["row"], name="本町", centre=factories.point(lon, lat), radius_m=500
        )
        Town.objects.create(
            city=city["row"],
            name=f"{city['row'].name}駅前",
            centre=factories.point(lon + 0.001, lat),
        )
    return izumo, matsue


def test_a_superuser_sees_the_hosts_city_figures_only(client, izumo_busier):
    izumo, matsue = izumo_busier
    client.force_login(superuser())

    for city, expected, other in ((matsue, 1, izumo), (izumo, 3, matsue)):
        page = client.get("/manage/", HTTP_HOST=city["host"])
        board = page.context["board"]

        assert page.status_code == 200
        assert board.this_week.still_open == expected
        assert sum(week.new for week in board.weeks) == expected
        assert sum(cell.count for cell in board.cells) == expected
        named = {cell.town for cell in board.cells if cell.town}
        assert named and named <= {"本町", f"{city['row'].name}駅前"}
        assert f"{other['row'].name}駅前" not in page.content.decode()
        owners = {o.pk for o, _n in board.overdue.by_owner}
        assert owners <= {city["road"].pk, city["city"].pk}
        inspected = sum(row["count"].total for row in page.context["inspections"])
        assert inspected == _with_a_cycle(city) > 0


def _with_a_cycle(city) -> int:
    return Asset.objects.filter(
        owner__city=city["row"], asset_type__inspection_cycle_months__isnull=False
    ).count()


def test_a_managers_dashboard_names_their_citys_towns(client, izumo_busier):
    izumo, matsue = izumo_busier
    for city, other in ((izumo, matsue), (matsue, izumo)):
        client.force_login(city["manager"])
        board = client.get("/manage/", HTTP_HOST=city["host"]).context["board"]
        named = {cell.town for cell in board.cells if cell.town}
        assert named and f"{other['row'].name}駅前" not in named


# --- The staff API and a session of the other city ------------------------------------------


@pytest.mark.parametrize(("mine", "theirs"), PAIRS)
@pytest.mark.parametrize("path", ["/api/v1/labels/", "/api/v1/labels/scans/", SHEET])
def test_the_other_citys_session_is_signed_out_on_the_staff_api(both, mine, theirs, path):
    me, them = both[mine], both[theirs]
    client = APIClient()
    client.force_login(me["manager"])

    there = client.get(path, HTTP_HOST=them["host"])
    home = client.get(path, {"ledger_ids": me["asset"].ledger_id}, HTTP_HOST=me["host"])

    assert there.status_code == 401
    assert there.json()["code"] == "not_authenticated"
    assert mine not in there.content.decode().lower()
    assert home.status_code == 200


def test_the_permission_fails_closed_without_the_staff_middleware(cities):
    """A session that reached the view as a user of another city (the middleware absent or
    skipped) is still answered as signed out; at home, or as a superuser, it is let in."""
    izumo, matsue = cities
    there = SimpleNamespace(user=izumo["manager"], city=city_values(matsue["row"]))
    home = SimpleNamespace(user=izumo["manager"], city=city_values(izumo["row"]))
    root = SimpleNamespace(user=superuser(), city=city_values(matsue["row"]))

    with pytest.raises(NotAuthenticated):
        IsCityStaff().has_permission(there, None)
    assert IsCityStaff().has_permission(home, None)
    assert IsCityStaff().has_permission(root, None)
    assert IsCityStaff().has_permission(SimpleNamespace(user=izumo["manager"]), None)


# --- The labels API: its symbol, its scans, its parks ---------------------------------------


@pytest.mark.parametrize(("mine", "theirs"), PAIRS)
def test_a_labels_qr_image_holds_the_hosts_address(both, mine, theirs):
    import zxingcpp
    from PIL import Image

    me = both[mine]
    image = _api(me["manager"], me["host"]).get(f"/api/v1/labels/{me['label'].code}/qr.png")

    [found] = zxingcpp.read_barcodes(Image.open(io.BytesIO(image.content)))
    assert found.text == f"{me['url']}/Q/{me['label'].code}".upper()


@pytest.mark.parametrize(("mine", "theirs"), PAIRS)
def test_a_superuser_counts_the_hosts_scans_only(client, both, mine, theirs):
    me, them = both[mine], both[theirs]
    for city in (me, me, them):
        assert client.get(f"/q/{city['label'].code}", HTTP_HOST=city["host"]).status_code == 200

    counted = _api(superuser(), me["host"]).get("/api/v1/labels/scans/").json()

    assert {row["asset"] if "asset" in row else row["asset_id"] for row in counted["days"]} == {
        me["asset"].pk
    }


@pytest.mark.parametrize(("mine", "theirs"), PAIRS)
def test_a_park_named_by_a_ledger_id_both_cities_use_is_the_hosts(both, mine, theirs, printed):
    me, them = both[mine], both[theirs]
    parks = {}
    for city in (me, them):
        x, y = city["asset"].geom.coords
        parks[city["host"]] = factories.asset("park", owner=city["road"], ledger_id="PK-1",
                                              lon=x, lat=y)  # fmt: skip
    x, y = me["asset"].geom.coords
    swing = factories.asset("swing", owner=me["road"], ledger_id=f"{mine}-SW-1",
                            parent=parks[me["host"]], lon=x, lat=y)  # fmt: skip

    answer = _api(me["manager"], me["host"]).post(
        SHEET, {"park": "PK-1", "issue": True}, format="json"
    )

    assert answer.status_code == 200
    b"".join(answer.streaming_content)
    # The host city's park and its swing; not "more than one park", nor the other's PK-1.
    assert [c.ledger_id for c in printed.contents] == ["PK-1", swing.ledger_id]
    assert {c.city for c in printed.contents} == {me["row"].name}
