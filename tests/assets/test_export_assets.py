"""manage.py export_assets: open data in GeoJSON and CSV, never with internal fields."""

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from assets.models import Asset
from tests import factories

SECRET = {"procurement_cost": 123456, "supplier": "秘密商事"}


def export(*args) -> str:
    out = io.StringIO()
    call_command("export_assets", *map(str, args), stdout=out, stderr=io.StringIO())
    return out.getvalue()


def csv_rows(text: str) -> list[dict]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:], newline="")))


@pytest.fixture
def izumo(catalogue, city):
    return city


@pytest.fixture
def light(izumo):
    return factories.asset(
        "security-light",
        owner=izumo["road"],
        ledger_id="SL-1",
        name="駅前1号",
        attributes={"wattage": 40, "lamp_type": "led", **SECRET},
    )


@pytest.fixture
def park(izumo):
    return factories.asset(
        "park", owner=izumo["parks"], ledger_id="P-1", name="中央公園", attributes={"area_m2": 1200}
    )


def test_geojson_is_a_feature_collection_with_the_license(light):
    with override_settings(OPEN_DATA_LICENSE="CC BY 4.0"):
        data = json.loads(export("--format", "geojson"))

    assert data["type"] == "FeatureCollection"
    assert data["license"] == "CC BY 4.0"
    [feature] = data["features"]
    assert feature["id"] == light.pk
    assert feature["geometry"] == {"type": "Point", "coordinates": [132.755, 35.367]}
    assert feature["properties"]["ledger_id"] == "SL-1"
    assert feature["properties"]["attributes"] == {"wattage": 40, "lamp_type": "led"}


def test_csv_starts_with_a_bom_and_has_the_documented_header(light):
    text = export("--format", "csv", "--type", "security-light")

    header = next(csv.reader(io.StringIO(text[1:])))
    assert text.startswith("\ufeffid,ledger_id,type,")
    assert header[:18] == [
        "id", "ledger_id", "type", "type_name_ja", "type_name_en", "name", "owner",
        "owner_name", "address", "status", "criticality", "install_date", "condition_grade",
        "last_inspected", "next_due", "lon", "lat", "wkt",
    ]  # fmt: skip
    assert header[18:] == [
        "attr.lamp_type", "attr.wattage", "attr.pole_material", "attr.pole_height_m",
        "attr.circuit", "attr.association", "license",
    ]  # fmt: skip


def test_csv_rows_carry_names_coordinates_and_public_attributes(light):
    [row] = csv_rows(export("--format", "csv"))

    assert row["id"] == str(light.pk)
    assert (row["type"], row["type_name_ja"], row["type_name_en"]) == (
        "security-light",
        "防犯灯",
        "Security light",
    )
    assert (row["owner"], row["owner_name"]) == ("izumo-doro", "道路河川維持課")
    assert (row["lon"], row["lat"]) == ("132.7550000", "35.3670000")
    assert row["wkt"].replace(" ", "").upper() == "POINT(132.75535.367)"
    assert (row["attr.wattage"], row["attr.lamp_type"], row["attr.circuit"]) == ("40", "led", "")
    assert row["status"] == "in_service"


def test_a_polygon_gets_a_point_on_its_surface(park):
    [row] = csv_rows(export("--format", "csv", "--type", "park"))

    point = (float(row["lon"]), float(row["lat"]))
    assert park.geom.intersects(factories.point(*point))
    assert row["wkt"].upper().startswith("POLYGON")
    assert row["attr.area_m2"] in ("1200", "1200.0")


def test_a_line_gets_a_point_on_it(izumo):
    road = factories.asset("road-segment", owner=izumo["road"])

    [row] = csv_rows(export("--format", "csv", "--type", "road-segment"))

    point = factories.point(float(row["lon"]), float(row["lat"]))
    assert road.geom.distance(point) < 1e-6
    assert row["attr.road_class"] == "city"


@pytest.mark.parametrize("file_format", ["geojson", "csv"])
def test_internal_attributes_never_appear(light, file_format):
    text = export("--format", file_format)

    assert "SL-1" in text
    for secret in (*SECRET, *map(str, SECRET.values())):
        assert secret not in text
    assert "internal" not in text
    light.refresh_from_db()
    assert light.internal_attributes == SECRET


def test_only_assets_in_service_by_default(light, park):
    Asset.objects.filter(pk=park.pk).update(status=Asset.Status.RETIRED)

    default = [row["ledger_id"] for row in csv_rows(export("--format", "csv"))]
    retired = [
        row["ledger_id"] for row in csv_rows(export("--format", "csv", "--status", "retired"))
    ]
    everything = [
        row["ledger_id"] for row in csv_rows(export("--format", "csv", "--status", "all"))
    ]

    assert (default, retired, everything) == (["SL-1"], ["P-1"], ["SL-1", "P-1"])


def test_type_and_owner_filters_narrow_the_export(light, park, izumo):
    by_type = json.loads(export("--format", "geojson", "--type", "park"))
    by_owner = json.loads(export("--format", "geojson", "--owner", "izumo-doro"))
    whole_city = json.loads(export("--format", "geojson", "--owner", "izumo"))

    assert [f["properties"]["ledger_id"] for f in by_type["features"]] == ["P-1"]
    assert [f["properties"]["ledger_id"] for f in by_owner["features"]] == ["SL-1"]
    assert len(whole_city["features"]) == 2


def test_an_unknown_type_is_a_usage_error(catalogue):
    with pytest.raises(CommandError, match="unknown asset type 'xyz'") as caught:
        export("--format", "csv", "--type", "xyz")

    assert caught.value.returncode == 2


def test_output_goes_to_a_file_when_asked(light, tmp_path):
    target = tmp_path / "lights.geojson"

    printed = export("--format", "geojson", "--output", target)

    assert printed == ""
    assert json.loads(target.read_text(encoding="utf-8"))["features"][0]["id"] == light.pk
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_an_empty_export_is_still_valid(catalogue):
    assert json.loads(export("--format", "geojson"))["features"] == []
    assert len(csv_rows(export("--format", "csv"))) == 0


def test_an_exported_csv_imports_back_unchanged(light, park, izumo, tmp_path):
    target = tmp_path / "lights.csv"
    export("--format", "csv", "--type", "security-light", "--output", target)
    out = io.StringIO()

    call_command(
        "import_assets", str(target), "--type", "security-light", "--owner", "izumo-doro",
        stdout=out,
    )  # fmt: skip

    assert "Done: 0 created, 0 updated, 1 unchanged, 0 invalid." in out.getvalue()


def test_the_csv_export_reads_in_a_fixed_number_of_queries(izumo, django_assert_max_num_queries):
    for n in range(6):
        factories.asset("security-light" if n % 2 else "park", owner=izumo["road"])

    with django_assert_max_num_queries(3):
        rows = csv_rows(export("--format", "csv"))

    assert len(rows) == 6
