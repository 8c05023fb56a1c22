"""manage.py import_assets: whole-file checks, idempotent re-imports, encodings and projections."""

import codecs
import csv
import datetime
import io
import json
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
import shapefile
from django.core.management import call_command
from django.core.management.base import CommandError

from assets.models import Asset, AssetType
from tests import factories
from tests.conftest import TESTDATA as CORPUS
from tests.conftest import require

TESTDATA = CORPUS / "assets"

# Yaizu's own .prj for its parks: JGD2000 / Japan Plane Rectangular CS VIII (EPSG:2450).
PLANE_VIII_PRJ = (
    'PROJCS["JGD_2000_Japan_Zone_8",GEOGCS["GCS_JGD_2000",DATUM["D_JGD_2000",'
    'SPHEROID["GRS_1980",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],'
    'UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],'
    'PARAMETER["False_Easting",0.0],PARAMETER["False_Northing",0.0],'
    'PARAMETER["Central_Meridian",138.5],PARAMETER["Scale_Factor",0.9999],'
    'PARAMETER["Latitude_Of_Origin",36.0],UNIT["Meter",1.0]]'
)
JGD2011_PRJ = (
    'GEOGCS["GCS_JGD_2011",DATUM["D_JGD_2011",SPHEROID["GRS_1980",6378137.0,298.257222101]],'
    'PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]'
)


# --- fixture files --------------------------------------------------------------------------


def csv_file(path: Path, rows: list[list], *, encoding="utf-8", bom=False) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    data = buffer.getvalue().encode(encoding)
    path.write_bytes(codecs.BOM_UTF8 + data if bom else data)
    return path


def point(lon, lat, **properties) -> dict:
    geometry = {"type": "Point", "coordinates": [lon, lat]}
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def geojson_file(path: Path, features: list[dict], **members) -> Path:
    collection = {"type": "FeatureCollection", **members, "features": features}
    path.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
    return path


def shapefile_file(
    path: Path, kind: int, fields, rows, *, encoding="utf-8", prj=None, cpg=None
) -> Path:
    """rows: (shape points, record values); points for POINT, one part for lines and polygons."""
    with shapefile.Writer(str(path.with_suffix("")), shapeType=kind, encoding=encoding) as w:
        for spec in fields:
            w.field(*spec)
        for shape, record in rows:
            if kind == shapefile.POINT:
                w.point(*shape)
            elif kind == shapefile.POLYLINE:
                w.line([shape])
            else:
                w.poly([shape])
            w.record(*record)
    if prj:
        path.with_suffix(".prj").write_text(prj)
    if cpg:
        path.with_suffix(".cpg").write_text(cpg)
    return path


def run(*args) -> tuple[int, str]:
    """(exit code, what the command printed) as the shell would see them."""
    out = io.StringIO()
    try:
        call_command("import_assets", *map(str, args), stdout=out, stderr=io.StringIO())
    except CommandError as exc:
        return exc.returncode, f"{out.getvalue()}{exc}"
    return 0, out.getvalue()


def problem_line(number, column, reason) -> re.Pattern:
    return re.compile(rf"^\s+{number}\s+{re.escape(column)}\s.*{re.escape(reason)}", re.MULTILINE)


LIGHTS = [
    ["ledger_id", "name", "lat", "lon", "wattage"],
    ["SL-1", "駅前1号", "35.3670", "132.7550", "40"],
    ["SL-2", "駅前2号", "35.3675", "132.7560", "60"],
]


@pytest.fixture
def yaizu(catalogue):
    return factories.org("yaizu", kind="city", name="焼津市")


@pytest.fixture
def lights_csv(tmp_path):
    return csv_file(tmp_path / "lights.csv", LIGHTS)


def import_lights(path, *extra):
    return run(path, "--type", "security-light", "--owner", "yaizu", *extra)


# --- a good file ----------------------------------------------------------------------------


def test_it_imports_a_csv_and_says_what_it_did(yaizu, lights_csv):
    code, output = import_lights(lights_csv)

    assert code == 0, output
    assert "Done: 2 created, 0 updated, 0 unchanged, 0 invalid." in output
    asset = Asset.objects.get(owner=yaizu, ledger_id="SL-1")
    assert asset.asset_type.code == "security-light"
    assert asset.name == "駅前1号"
    assert (asset.geom.x, asset.geom.y) == (132.7550, 35.3670)
    assert asset.attributes == {"wattage": 40}
    assert asset.criticality == asset.asset_type.default_criticality


def test_importing_the_same_file_again_changes_nothing(yaizu, lights_csv):
    import_lights(lights_csv)
    before = dict(Asset.objects.values_list("ledger_id", "updated_at"))

    code, output = import_lights(lights_csv)

    assert code == 0, output
    assert "Done: 0 created, 0 updated, 2 unchanged, 0 invalid." in output
    assert Asset.objects.count() == 2
    assert dict(Asset.objects.values_list("ledger_id", "updated_at")) == before


def test_a_changed_row_updates_that_asset_only(yaizu, lights_csv, tmp_path):
    import_lights(lights_csv)
    before = dict(Asset.objects.values_list("ledger_id", "updated_at"))
    changed = [LIGHTS[0], LIGHTS[1], ["SL-2", "駅前2号（LED）", "35.3675", "132.7561", "20"]]

    code, output = import_lights(csv_file(tmp_path / "changed.csv", changed))

    assert code == 0, output
    assert "Done: 0 created, 1 updated, 1 unchanged, 0 invalid." in output
    asset = Asset.objects.get(ledger_id="SL-2")
    assert asset.name == "駅前2号（LED）"
    assert asset.geom.x == 132.7561
    assert asset.attributes == {"wattage": 20}
    assert asset.updated_at > before["SL-2"]
    assert Asset.objects.get(ledger_id="SL-1").updated_at == before["SL-1"]


def test_an_update_keeps_values_the_file_does_not_mention(yaizu, lights_csv, tmp_path):
    import_lights(lights_csv)
    Asset.objects.filter(ledger_id="SL-1").update(address="焼津市本町", criticality=5)
    rows = [["ledger_id", "lat", "lon"], ["SL-1", "35.3670", "132.7552"]]

    code, output = import_lights(csv_file(tmp_path / "moved.csv", rows))

    assert code == 0, output
    asset = Asset.objects.get(ledger_id="SL-1")
    assert (asset.address, asset.criticality, asset.name) == ("焼津市本町", 5, "駅前1号")
    assert asset.attributes == {"wattage": 40}


def test_dry_run_reports_but_writes_nothing(yaizu, lights_csv):
    code, output = import_lights(lights_csv, "--dry-run")

    assert code == 0, output
    assert "Dry run, nothing was written. It would give: 2 created" in output
    assert not Asset.objects.exists()


def test_internal_attributes_land_in_internal_attributes(yaizu, tmp_path):
    rows = [
        ["ledger_id", "lat", "lon", "wattage", "procurement_cost", "supplier"],
        ["SL-9", "35.3670", "132.7550", "40", "123,456", "秘密商事"],
    ]

    code, output = import_lights(csv_file(tmp_path / "costs.csv", rows))

    assert code == 0, output
    asset = Asset.objects.get(ledger_id="SL-9")
    assert asset.attributes == {"wattage": 40}
    assert asset.internal_attributes == {"procurement_cost": 123456, "supplier": "秘密商事"}


def test_columns_named_by_an_attribute_label_map_by_themselves(yaizu, tmp_path):
    rows = [
        ["ledger_id", "名称", "lat", "lon", "消費電力", "Lamp type", "備考"],
        ["SL-1", "本町", "35.3670", "132.7550", "40", "LED", "古い"],
    ]

    code, output = import_lights(csv_file(tmp_path / "labels.csv", rows))

    assert code == 0, output
    assert "消費電力 → attr.wattage" in output
    assert "ignored columns: 備考\n" in output
    asset = Asset.objects.get(ledger_id="SL-1")
    assert asset.name == "本町"
    assert asset.attributes == {"wattage": 40, "lamp_type": "led"}


def test_ledger_column_names_the_ledger_id(yaizu, tmp_path):
    rows = [["管理No", "lat", "lon"], ["K-1", "35.3670", "132.7550"]]

    code, output = import_lights(csv_file(tmp_path / "k.csv", rows), "--ledger-column", "管理No")

    assert code == 0, output
    assert Asset.objects.filter(ledger_id="K-1").exists()


def test_a_wkt_column_mapped_to_geom_gives_the_geometry(yaizu, tmp_path):
    rows = [
        ["ledger_id", "形状", "road_class"],
        ["R-1", "LINESTRING (138.31 34.89, 138.32 34.90)", "市道"],
    ]
    path = csv_file(tmp_path / "roads.csv", rows)

    code, output = run(path, "--type", "road-segment", "--owner", "yaizu", "--map", "形状=geom")

    assert code == 0, output
    asset = Asset.objects.get(ledger_id="R-1")
    assert asset.geom.geom_type == "LineString"
    assert asset.attributes == {"road_class": "city"}


def test_set_gives_every_row_the_same_value(yaizu, tmp_path):
    path = shapefile_file(
        tmp_path / "farm.shp",
        shapefile.POLYLINE,
        [("ID", "N", 10)],
        [([(138.31, 34.89), (138.32, 34.90)], [1]), ([(138.32, 34.90), (138.33, 34.91)], [2])],
        prj=JGD2011_PRJ,
    )

    code, output = run(
        path, "--type", "road-segment", "--owner", "yaizu", "--map", "ID=ledger_id",
        "--set", "attr.road_class=farm",
    )  # fmt: skip

    assert code == 0, output
    assert "every row: attr.road_class = farm" in output
    assert [a.attributes for a in Asset.objects.all()] == [{"road_class": "farm"}] * 2


def test_parent_ledger_id_links_to_an_asset_of_the_same_owner(yaizu, tmp_path):
    park = factories.asset("park", owner=yaizu, ledger_id="P-1")
    rows = [["ledger_id", "lat", "lon", "公園"], ["WC-1", "35.3671", "132.7551", "P-1"]]
    path = csv_file(tmp_path / "wc.csv", rows)

    code, output = run(
        path, "--type", "toilet", "--owner", "yaizu", "--map", "公園=parent_ledger_id"
    )

    assert code == 0, output
    assert Asset.objects.get(ledger_id="WC-1").parent == park


# --- encodings and coordinate order ---------------------------------------------------------


def test_it_reads_a_cp932_csv_and_says_so(yaizu, tmp_path):
    rows = [["ledger_id", "名称", "緯度", "経度"], ["SL-1", "髙橋①前", "35.3670", "132.7550"]]

    code, output = import_lights(csv_file(tmp_path / "sjis.csv", rows, encoding="cp932"))

    assert code == 0, output
    assert "encoding: Shift_JIS (CP932)" in output
    assert Asset.objects.get(ledger_id="SL-1").name == "髙橋①前"


def test_it_reads_a_csv_with_a_utf8_bom(yaizu, tmp_path):
    rows = [["ledger_id", "name", "lat", "lon"], ["SL-1", "本町", "35.3670", "132.7550"]]

    code, output = import_lights(csv_file(tmp_path / "bom.csv", rows, bom=True))

    assert code == 0, output
    assert "encoding: UTF-8 with BOM" in output
    assert "ignored columns" not in output
    assert Asset.objects.get(ledger_id="SL-1").name == "本町"


def test_it_takes_longitude_before_latitude_by_their_headers(yaizu, tmp_path):
    rows = [["ID", "経度", "緯度", "名称"], ["1", "138.3052955", "34.80107603", "アンダーパス"]]

    code, output = import_lights(csv_file(tmp_path / "lonlat.csv", rows), "--map", "ID=ledger_id")

    assert code == 0, output
    asset = Asset.objects.get(ledger_id="1")
    assert (asset.geom.x, asset.geom.y) == (138.3052955, 34.80107603)


def test_coordinate_columns_can_be_named_with_map(yaizu, tmp_path):
    rows = [["ledger_id", "北緯", "東経"], ["SL-1", "35.3670", "132.7550"]]
    path = csv_file(tmp_path / "named.csv", rows)

    code, output = import_lights(path, "--map", "北緯=lat", "--map", "東経=lon")

    assert code == 0, output
    asset = Asset.objects.get(ledger_id="SL-1")
    assert (asset.geom.x, asset.geom.y) == (132.7550, 35.3670)


def test_it_reprojects_plane_rectangular_coordinates_to_wgs84(yaizu, tmp_path):
    square = [(-18100, -127840), (-18100, -127820), (-18080, -127820), (-18080, -127840)]
    path = shapefile_file(
        tmp_path / "parks.shp",
        shapefile.POLYGON,
        [("FID", "N", 10)],
        [([*square, square[0]], [0])],
        prj=PLANE_VIII_PRJ,
    )

    code, output = run(path, "--type", "park", "--owner", "yaizu", "--map", "FID=ledger_id")

    assert code == 0, output
    assert "EPSG:2450" in output
    geom = Asset.objects.get(ledger_id="0").geom
    assert geom.srid == 4326
    assert geom.centroid.x == pytest.approx(138.3022, abs=0.0005)
    assert geom.centroid.y == pytest.approx(34.8476, abs=0.0005)


def test_it_honours_the_crs_member_of_a_geojson(yaizu, tmp_path):
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2450"}}
    path = geojson_file(tmp_path / "plane.geojson", [point(-18090, -127830, id="A")], crs=crs)

    code, output = import_lights(path, "--map", "id=ledger_id")

    assert code == 0, output
    asset = Asset.objects.get(ledger_id="A")
    assert asset.geom.x == pytest.approx(138.3022, abs=0.0005)
    assert asset.geom.y == pytest.approx(34.8476, abs=0.0005)


def test_shift_jis_dbf_text_comes_out_as_japanese(yaizu, tmp_path):
    path = shapefile_file(
        tmp_path / "農道.shp",
        shapefile.POLYLINE,
        [("路線ID", "N", 10), ("路線名", "C", 50)],
        [([(138.31, 34.89), (138.32, 34.90)], [27, "第8号水路兼農道①"])],
        encoding="cp932",
        prj=JGD2011_PRJ,
        cpg="Shift_JIS",
    )

    code, output = run(
        path, "--type", "road-segment", "--owner", "yaizu", "--map", "路線ID=ledger_id",
        "--set", "attr.road_class=farm",
    )  # fmt: skip

    assert code == 0, output
    assert "路線名 → attr.route_name" in output
    asset = Asset.objects.get(ledger_id="27")
    assert asset.attributes == {"road_class": "farm", "route_name": "第8号水路兼農道①"}


def test_a_dbf_without_cpg_is_read_with_the_given_encoding(yaizu, tmp_path):
    path = shapefile_file(
        tmp_path / "lights.shp",
        shapefile.POINT,
        [("番号", "C", 10), ("名称", "C", 50)],
        [((132.755, 35.367), ["SL-1", "本町交差点"])],
        encoding="cp932",
        prj=JGD2011_PRJ,
    )

    code, output = import_lights(path, "--map", "番号=ledger_id", "--encoding", "shift_jis")

    assert code == 0, output
    assert "text encoding: cp932 (from --encoding)" in output
    assert Asset.objects.get(ledger_id="SL-1").name == "本町交差点"


def test_a_dbf_without_cpg_that_is_not_utf8_is_read_as_cp932(yaizu, tmp_path):
    path = shapefile_file(
        tmp_path / "lights.shp",
        shapefile.POINT,
        [("ID", "C", 10), ("名称", "C", 50)],
        [((132.755, 35.367), ["SL-1", "髙橋①前"])],
        encoding="cp932",
        prj=JGD2011_PRJ,
    )

    code, output = import_lights(path, "--map", "ID=ledger_id")

    assert code == 0, output
    assert "text encoding: cp932 (no .cpg, and the text is not UTF-8)" in output
    assert Asset.objects.get(ledger_id="SL-1").name == "髙橋①前"


def test_a_shapefile_without_prj_imports_when_srid_is_given(yaizu, tmp_path):
    path = shapefile_file(
        tmp_path / "noprj.shp", shapefile.POINT, [("ID", "C", 10)], [((132.755, 35.367), ["A"])]
    )

    code, output = import_lights(path, "--map", "ID=ledger_id", "--srid", "4326")

    assert code == 0, output
    assert Asset.objects.filter(ledger_id="A").exists()


# --- a bad file writes nothing and says why -------------------------------------------------


def test_it_refuses_a_shapefile_without_prj_and_no_srid(yaizu, tmp_path):
    path = shapefile_file(
        tmp_path / "noprj.shp", shapefile.POINT, [("ID", "C", 10)], [((132.755, 35.367), ["A"])]
    )

    code, output = import_lights(path, "--map", "ID=ledger_id")

    assert code == 1
    assert "noprj.prj is missing and no --srid was given" in output
    assert "Refused: the file cannot be imported as it is. Nothing was written." in output
    assert not Asset.objects.exists()


def test_it_refuses_a_latitude_out_of_range_and_writes_nothing(yaizu, tmp_path):
    rows = [*LIGHTS, ["SL-3", "", "95", "132.7550", ""]]

    code, output = import_lights(csv_file(tmp_path / "lat95.csv", rows))

    assert code == 1
    assert problem_line(4, "lat", "latitude 95 is outside -90..90").search(output), output
    assert "Refused: 2 created, 0 updated, 0 unchanged, 1 invalid. Nothing was written." in output
    assert not Asset.objects.exists()


def test_it_reports_a_mapped_column_that_is_missing(yaizu, lights_csv):
    code, output = import_lights(lights_csv, "--map", "緯度=lat")

    assert code == 1
    assert "missing column: 緯度" in output
    assert not Asset.objects.exists()


def test_it_reports_a_file_without_location_columns(yaizu, tmp_path):
    rows = [["ledger_id", "name"], ["SL-1", "本町"]]

    code, output = import_lights(csv_file(tmp_path / "nowhere.csv", rows))

    assert code == 1
    assert "missing column: latitude" in output
    assert "missing column: longitude" in output


def test_it_refuses_an_unknown_type_before_reading_the_file(yaizu, tmp_path):
    code, output = run(tmp_path / "not-even-there.csv", "--type", "xyz", "--owner", "yaizu")

    assert code == 2
    assert "unknown asset type 'xyz'" in output


def test_it_refuses_an_unknown_owner(catalogue, lights_csv):
    code, output = import_lights(lights_csv)

    assert code == 2
    assert "unknown owner 'yaizu'" in output


def test_it_refuses_an_unknown_field_in_map(yaizu, lights_csv):
    code, output = import_lights(lights_csv, "--map", "name=colour")

    assert code == 2
    assert "unknown field 'colour'" in output
    assert "attr.KEY (keys of security-light: lamp_type, wattage" in output


def test_values_that_do_not_parse_are_reported_with_line_column_and_value(yaizu, tmp_path):
    rows = [
        ["ledger_id", "緯度", "経度", "wattage", "criticality", "install_date"],
        ["SL-1", "緯度経度を確認", "132.7550", "40", "3", "2020-04-01"],
        ["SL-2", "35.3670", "132.7550", "強い", "7", "昨年"],
        ["SL-3", "", "", "", "", "令和2年4月1日"],
    ]

    code, output = import_lights(csv_file(tmp_path / "bad.csv", rows))

    assert code == 1
    assert problem_line(2, "緯度", "not a number: '緯度経度を確認'").search(output), output
    assert problem_line(3, "wattage", "wattage must be a number").search(output)
    assert problem_line(3, "criticality", "criticality 7 is outside 1..5").search(output)
    assert problem_line(3, "install_date", "not a date: '昨年'").search(output)
    assert problem_line(4, "緯度/経度", "no location").search(output)
    assert "令和2年4月1日" not in output
    assert not Asset.objects.exists()


def test_blank_and_placeholder_ledger_ids_are_invalid(yaizu, tmp_path):
    ids = ["", "不明", "-", "N/A", "929-P?"]
    rows = [["ledger_id", "lat", "lon"], *([i, "35.367", "132.755"] for i in ids)]

    code, output = import_lights(csv_file(tmp_path / "ids.csv", rows))

    assert code == 1
    assert problem_line(2, "ledger_id", "no ledger id").search(output), output
    for line, ledger_id in enumerate(ids[1:], start=3):
        reason = f"placeholder ledger id '{ledger_id}'"
        assert problem_line(line, "ledger_id", reason).search(output), output


def test_a_ledger_id_seen_again_is_invalid_after_the_first(yaizu, tmp_path):
    rows = [*LIGHTS, ["SL-1", "again", "35.3671", "132.7551", ""]]

    code, output = import_lights(csv_file(tmp_path / "twice.csv", rows))

    assert code == 1
    reason = "duplicate ledger id, first seen on line 2"
    assert problem_line(4, "ledger_id", reason).search(output), output
    assert not problem_line(2, "ledger_id", "duplicate").search(output)


def test_line_numbers_count_physical_lines_of_quoted_cells(yaizu, tmp_path):
    rows = [
        *LIGHTS[:2],
        ["SL-2", "二行の\n名前", "35.3671", "132.7551", ""],
        ["SL-3", "", "95", "1", ""],
    ]

    code, output = import_lights(csv_file(tmp_path / "multiline.csv", rows))

    assert code == 1
    assert problem_line(5, "lat", "latitude 95").search(output), output


def test_skip_invalid_imports_the_valid_rows_and_lists_the_rest(yaizu, tmp_path):
    rows = [*LIGHTS, ["SL-1", "again", "35.3671", "132.7551", ""], ["X?", "", "35.3", "132.7", ""]]

    code, output = import_lights(csv_file(tmp_path / "mixed.csv", rows), "--skip-invalid")

    assert code == 0, output
    assert "Done: 2 created, 0 updated, 0 unchanged, 2 invalid (skipped)." in output
    assert "by reason: duplicate id 1, placeholder id 1" in output
    assert set(Asset.objects.values_list("ledger_id", flat=True)) == {"SL-1", "SL-2"}


def test_a_feature_without_geometry_has_no_location(yaizu, tmp_path):
    features = [point(132.755, 35.367, id="A"), {**point(0, 0, id="B"), "geometry": None}]

    code, output = import_lights(
        geojson_file(tmp_path / "f.geojson", features), "--map", "id=ledger_id"
    )

    assert code == 1
    assert problem_line(2, "geometry", "no location").search(output), output
    assert not Asset.objects.exists()


def test_a_file_that_is_not_json_is_refused_as_a_whole(yaizu, tmp_path):
    path = tmp_path / "broken.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")

    code, output = import_lights(path)

    assert code == 1
    assert "not valid JSON" in output


def test_a_point_file_for_a_polygon_type_is_refused(yaizu, tmp_path):
    path = geojson_file(tmp_path / "parks.geojson", [point(138.31, 34.86, code="P-1")])

    code, output = run(path, "--type", "park", "--owner", "yaizu", "--map", "code=ledger_id")

    assert code == 1
    assert "a Point does not fit park, drawn as a polygon" in output
    assert not Asset.objects.exists()


def test_latitude_and_longitude_for_a_polygon_type_refuse_the_whole_file(yaizu, tmp_path):
    rows = [["ledger_id", "lat", "lon"], ["P-1", "34.86", "138.31"]]

    code, output = run(csv_file(tmp_path / "p.csv", rows), "--type", "park", "--owner", "yaizu")

    assert code == 1
    assert "park is drawn as a polygon, but latitude and longitude give a point" in output


def test_a_required_attribute_left_out_is_reported(yaizu, tmp_path):
    rows = [["ledger_id", "geom"], ["R-1", "LINESTRING (138.31 34.89, 138.32 34.90)"]]
    path = csv_file(tmp_path / "roads.csv", rows)

    code, output = run(path, "--type", "road-segment", "--owner", "yaizu")

    assert code == 1
    assert problem_line(2, "attr.road_class", "road_class is required").search(output), output


def test_a_ledger_id_of_another_type_is_left_alone(yaizu, lights_csv):
    other = factories.asset("streetlight", owner=yaizu, ledger_id="SL-1")

    code, output = import_lights(lights_csv)

    assert code == 1
    assert f"ledger id 'SL-1' of yaizu is taken by streetlight #{other.pk}" in output
    other.refresh_from_db()
    assert other.asset_type.code == "streetlight"


def test_an_unknown_parent_is_reported(yaizu, tmp_path):
    rows = [["ledger_id", "lat", "lon", "parent_ledger_id"], ["WC-1", "35.3671", "132.7551", "P-9"]]

    code, output = run(csv_file(tmp_path / "wc.csv", rows), "--type", "toilet", "--owner", "yaizu")

    assert code == 1
    assert "no other asset of yaizu has ledger id 'P-9'" in output


def test_the_printed_table_is_capped_and_report_lists_every_problem(yaizu, tmp_path):
    rows = [["ledger_id", "lat", "lon"], *([f"SL-{n}", "95", "132.7"] for n in range(250))]
    report = tmp_path / "problems.csv"

    code, output = import_lights(csv_file(tmp_path / "many.csv", rows), "--report", report)

    assert code == 1
    assert "… and 50 more (--report FILE.csv lists all)" in output
    with open(report, encoding="utf-8-sig", newline="") as stream:
        written = list(csv.reader(stream))
    assert written[0] == ["line", "column", "value", "reason"]
    assert len(written) == 251
    assert written[1] == ["2", "lat", "95", "latitude 95 is outside -90..90"]


# --- the city's real files (shared corpus) --------------------------------------------------


def corpus(relative: str) -> Path:
    path = TESTDATA / relative
    require(path.exists(), f"shared test data {path}")
    return path


def test_cambridge_park_lights_import_the_valid_rows_and_list_the_rest(yaizu, tmp_path):
    path = corpus("cambridge_ma/INFRA_ParkLights.geojson")
    report = tmp_path / "problems.csv"

    code, output = run(
        path, "--type", "park-light", "--owner", "yaizu", "--map", "PoleID=ledger_id",
        "--skip-invalid", "--report", report,
    )  # fmt: skip

    assert code == 0, output
    assert "Done: 759 created, 0 updated, 0 unchanged, 99 invalid (skipped)." in output
    assert "by reason: placeholder id 77, duplicate id 22" in output
    assert problem_line(1, "PoleID", "placeholder ledger id '929-P?'").search(output)
    reasons = report.read_text(encoding="utf-8-sig")
    assert "duplicate ledger id, first seen on feature 629" in reasons
    assert Asset.objects.count() == 759


def test_cambridge_street_lights_import_in_one_go(yaizu):
    path = corpus("cambridge_ma/INFRA_StreetLights.geojson")

    code, output = run(
        path, "--type", "streetlight", "--owner", "yaizu", "--map", "PoleID=ledger_id",
        "--map", "StreetName=attr.route_name",
    )  # fmt: skip

    assert code == 0, output
    assert "Done: 6117 created, 0 updated, 0 unchanged, 0 invalid." in output
    asset = Asset.objects.get(ledger_id="791-2")
    assert asset.attributes == {"route_name": "SEAGRAVE"}
    assert asset.geom.y == pytest.approx(42.3996, abs=0.0001)


def test_yaizu_toilets_import_from_the_digital_agency_layout(yaizu):
    path = corpus("yaizu_jp/222127_public_toilet.csv")

    code, output = run(
        path, "--type", "toilet", "--owner", "yaizu", "--map", "ID=ledger_id",
        "--map", "車椅子使用者用トイレ有無=attr.wheelchair",
        "--map", "乳幼児用設備設置トイレ有無=attr.baby_changing",
    )  # fmt: skip

    assert code == 0, output
    assert "Done: 112 created" in output
    asset = Asset.objects.get(ledger_id="2")
    assert asset.name == "原浜海岸トイレ"
    assert asset.address == "静岡県焼津市田尻1535-1"
    # The counts come over by their column names, no --map needed.
    assert asset.attributes == {
        "wheelchair": True,
        "baby_changing": True,
        "male_wc": 4,
        "female_wc": 2,
        "unisex_wc": 0,
        "barrier_free_wc": 1,
    }


def test_yaizu_park_points_are_refused_as_park_areas(yaizu):
    path = corpus("yaizu_jp/222127_park_info.csv")

    code, output = run(path, "--type", "park", "--owner", "yaizu", "--map", "ID=ledger_id")

    assert code == 1
    assert "park is drawn as a polygon, but latitude and longitude give a point" in output
    assert not Asset.objects.exists()


def test_yaizu_farm_roads_shapefile_gives_japanese_names(yaizu):
    path = corpus("yaizu_jp/farm_roads_shp/農道.shp")

    code, output = run(
        path, "--type", "road-segment", "--owner", "yaizu", "--map", "item1=ledger_id",
        "--map", "item2=attr.route_name", "--map", "item3=-", "--set", "attr.road_class=farm",
    )  # fmt: skip

    assert code == 0, output
    assert "text encoding: cp932 (from 農道.cpg: Shift_JIS)" in output
    assert "Done: 26 created" in output
    asset = Asset.objects.get(ledger_id="27")
    assert asset.attributes == {"road_class": "farm", "route_name": "第8号水路兼農道"}
    assert asset.geom.geom_type in ("LineString", "MultiLineString")


def test_yaizu_parks_shapefile_is_reprojected_into_yaizu(yaizu):
    path = corpus("yaizu_jp/parks_greenspace_shp/公園・緑地.shp")

    code, output = run(path, "--type", "park", "--owner", "yaizu", "--map", "FID=ledger_id")

    assert code == 0, output
    assert "Done: 148 created" in output
    for geom in Asset.objects.values_list("geom", flat=True):
        assert 138.2 < geom.centroid.x < 138.4
        assert 34.75 < geom.centroid.y < 34.95


def test_yaizu_underpasses_have_longitude_before_latitude(yaizu):
    path = corpus("yaizu_jp/underpass_アンダーパス.csv")
    AssetType.objects.create(
        code="underpass", name_ja="アンダーパス", name_en="Underpass", geometry_kind="point",
        scale="mlit",
    )  # fmt: skip

    code, output = run(path, "--type", "underpass", "--owner", "yaizu", "--map", "ID=ledger_id")

    assert code == 0, output
    assert "Done: 48 created" in output
    asset = Asset.objects.get(ledger_id="1")
    assert (asset.geom.x, asset.geom.y) == (138.3052955, 34.80107603)


# --- Excel ledgers ----------------------------------------------------------------------------

TITLE = "焼津市 防犯灯台帳（令和6年度）"
LEDGER_HEADER = ["台帳番号", "名称", "緯度", "経度", "設置年月日", "消費電力"]
# Row 7 is bad three ways: a latitude in words, a day after Heisei ended, a wattage in words.
BAD_ROW = ["SL-4", "裏通り", "緯度不明", "132.758", "平成31年5月1日", "強い"]
HEISEI_ENDED = "is after 平成 ended on 2019-04-30"


def saved_by_excel(path: Path, values: dict[str, object]) -> Path:
    """The workbook as Excel saves it: each formula cell with the value it last computed
    (openpyxl writes formulas without one)."""
    with zipfile.ZipFile(path) as book:
        parts = {name: book.read(name) for name in book.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    for coordinate, value in values.items():
        kind = "" if isinstance(value, int | float) else ' t="str"'
        cell = re.compile(rf'(<c r="{coordinate}"[^>]*)>(<f>.*?</f>)<v\s*/>')
        sheet, found = cell.subn(rf"\1{kind}>\2<v>{value}</v>", sheet)
        assert found == 1, coordinate
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        for name, data in parts.items():
            book.writestr(name, data)
    return path


def ledger_xlsx(path: Path) -> Path:
    """The Yaizu lights ledger as a city keeps it in Excel: a merged title above the header,
    a name merged over two rows, a real date cell, ledger id and wattage from formulas."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "防犯灯"
    sheet.append([TITLE])
    sheet.merge_cells("A1:F1")
    sheet.append([])
    sheet.append(LEDGER_HEADER)
    sheet.append(["SL-1", "駅前1号", 35.3670, 132.7550, "令和元年5月1日", 40])
    sheet.append(["SL-2", None, 35.3675, 132.7560, datetime.datetime(2019, 4, 30), 60])
    sheet.merge_cells("B4:B5")
    sheet.append(['="SL-"&3', "本町", 35.3680, 132.7570, "H31.4.30", "=20*2"])
    sheet.append([*BAD_ROW[:3], 132.758, *BAD_ROW[4:]])
    book.save(path)
    return saved_by_excel(path, {"A6": "SL-3", "F6": 40})


def ledger_csv(path: Path) -> Path:
    """The same ledger saved as CSV: what Excel writes for each cell."""
    rows = [
        [TITLE],
        [],
        LEDGER_HEADER,
        ["SL-1", "駅前1号", "35.3670", "132.7550", "令和元年5月1日", "40"],
        ["SL-2", "駅前1号", "35.3675", "132.7560", "2019/4/30", "60"],
        ["SL-3", "本町", "35.3680", "132.7570", "H31.4.30", "40"],
        BAD_ROW,
    ]
    return csv_file(path, rows)


ASSET_FIELDS = (
    "ledger_id", "asset_type__code", "owner__code", "name", "address", "install_date",
    "criticality", "status", "geom", "attributes", "internal_attributes", "parent_id",
)  # fmt: skip


def imported_assets() -> dict[str, dict]:
    """Every asset, field by field, by its ledger id."""
    return {row["ledger_id"]: row for row in Asset.objects.values(*ASSET_FIELDS)}


def problems_listed(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as stream:
        return list(csv.reader(stream))[1:]


def test_an_excel_ledger_imports_as_its_csv_does(yaizu, tmp_path):
    results = {}
    for name, path in (
        ("csv", ledger_csv(tmp_path / "lights.csv")),
        ("xlsx", ledger_xlsx(tmp_path / "lights.xlsx")),
    ):
        Asset.objects.all().delete()
        report = tmp_path / f"{name}-problems.csv"
        code, output = import_lights(path, "--skip-invalid", "--report", report)
        assert code == 0, output
        results[name] = (imported_assets(), problems_listed(report), output)

    (csv_assets, csv_problems, _), (xlsx_assets, xlsx_problems, output) = results.values()
    assert xlsx_assets == csv_assets
    assert xlsx_problems == csv_problems
    assert "format: Excel, 4 rows" in output
    assert "sheet: 防犯灯" in output
    assert "header on row 3; rows 1–2 above it skipped as titles" in output
    assert "Done: 3 created, 0 updated, 0 unchanged, 1 invalid (skipped)." in output
    assert [xlsx_assets[i]["install_date"] for i in ("SL-1", "SL-2", "SL-3")] == [
        datetime.date(2019, 5, 1), datetime.date(2019, 4, 30), datetime.date(2019, 4, 30),
    ]  # fmt: skip
    assert xlsx_assets["SL-2"]["name"] == "駅前1号"
    assert xlsx_assets["SL-3"]["attributes"] == {"wattage": 40}
    assert xlsx_problems == [
        ["7", "設置年月日", "平成31年5月1日", f"not a date: '平成31年5月1日' {HEISEI_ENDED}"],
        ["7", "緯度", "緯度不明", "not a number: '緯度不明'"],
        ["7", "消費電力", "強い", "wattage must be a number"],
    ]  # fmt: skip


def test_era_dates_are_read_within_their_eras(yaizu, tmp_path):
    dates = [
        "R1.5.1",
        "令和元年5月1日",
        "昭和64年1月7日",
        "T15.12.24",
        "S64.1.8",
        "大正元年7月29日",
    ]
    rows = [["ledger_id", "lat", "lon", "install_date"]]
    rows += [[f"SL-{n}", "35.367", "132.755", date] for n, date in enumerate(dates, start=1)]

    code, output = import_lights(csv_file(tmp_path / "eras.csv", rows), "--skip-invalid")

    assert code == 0, output
    assert dict(Asset.objects.values_list("ledger_id", "install_date")) == {
        "SL-1": datetime.date(2019, 5, 1),
        "SL-2": datetime.date(2019, 5, 1),
        "SL-3": datetime.date(1989, 1, 7),
        "SL-4": datetime.date(1926, 12, 24),
    }
    assert problem_line(6, "install_date", "is after 昭和 ended on 1989-01-07").search(output)
    assert problem_line(7, "install_date", "is before 大正 began on 1912-07-30").search(output)


def test_a_formula_without_a_saved_value_is_a_problem_of_its_row(yaizu, tmp_path):
    book = openpyxl.Workbook()
    book.active.append(LIGHTS[0])
    book.active.append(['="SL-"&1', "駅前1号", 35.367, 132.755, "=10*4"])
    book.save(tmp_path / "unsaved.xlsx")

    code, output = import_lights(tmp_path / "unsaved.xlsx")

    assert code == 1
    assert problem_line(2, "ledger_id", "the formula has no saved value").search(output), output
    assert problem_line(2, "wattage", "the formula has no saved value").search(output)
    assert "no ledger id" not in output
    assert not Asset.objects.exists()


def test_a_header_of_two_rows_names_each_column_by_its_lowest_cell(yaizu, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["台帳番号", "位置", None])
    sheet.append([None, "緯度", "経度"])
    sheet.merge_cells("A1:A2")
    sheet.merge_cells("B1:C1")
    sheet.append(["SL-1", 35.367, 132.755])
    book.save(tmp_path / "two-rows.xlsx")

    code, output = import_lights(tmp_path / "two-rows.xlsx")

    assert code == 0, output
    assert "columns: 台帳番号 → ledger_id, 緯度 → lat, 経度 → lon" in output
    assert (Asset.objects.get().geom.x, Asset.objects.get().geom.y) == (132.755, 35.367)


def test_sheet_picks_a_sheet_by_its_name(yaizu, tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "集計"
    book.active.append(["種別", "件数"])
    ledger = book.create_sheet("台帳")
    for row in LIGHTS:
        ledger.append(row)
    book.save(tmp_path / "book.xlsx")

    code, output = import_lights(tmp_path / "book.xlsx", "--sheet", "台帳")

    assert code == 0, output
    assert "sheet: 台帳 (from --sheet)" in output
    assert sorted(Asset.objects.values_list("ledger_id", flat=True)) == ["SL-1", "SL-2"]


def test_a_missing_sheet_is_a_usage_error(yaizu, tmp_path):
    openpyxl.Workbook().save(tmp_path / "book.xlsx")

    code, output = import_lights(tmp_path / "book.xlsx", "--sheet", "台帳")

    assert code == 2
    assert "no sheet named '台帳' in book.xlsx (its sheets: Sheet)" in output
    assert not Asset.objects.exists()


def test_a_file_that_is_not_an_xlsx_is_refused_without_a_traceback(yaizu, tmp_path):
    (tmp_path / "lights.xlsx").write_text("ledger_id,lat,lon\nSL-1,35.367,132.755\n")

    code, output = import_lights(tmp_path / "lights.xlsx")

    assert code == 1
    assert "not a readable .xlsx file (BadZipFile: File is not a zip file)" in output
    assert "Traceback" not in output
    assert not Asset.objects.exists()
