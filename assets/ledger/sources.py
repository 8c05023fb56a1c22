"""Reading a ledger file (CSV in UTF-8 or Shift_JIS, Excel, GeoJSON, Shapefile) into columns
and rows."""

import codecs
import csv
import io
import json
import os
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
from django.contrib.gis.gdal import DataSource, GDALException, OGRGeometry, SpatialReference
from django.contrib.gis.geos import GEOSException

from assets.ledger.columns import header_names
from assets.ledger.coordinates import Reprojector, given_srs
from assets.ledger.excel import read_xlsx
from assets.ledger.problems import Problem, UsageError
from assets.ledger.table import Row, Source, header_index, header_note, table_fill
from config.progress import Progress, silent

_ENCODING_ALIASES = {
    # Files called Shift_JIS are written by Windows, which means CP932: its extra characters
    # (①, ㈱, 髙) are common in ledgers and plain Shift_JIS codecs reject them.
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "s-jis": "cp932",
    "ms932": "cp932",
    "windows-31j": "cp932",
    "utf8": "utf-8",
    "65001": "utf-8",
}


def _codec(name: str, *, what: str) -> str:
    key = name.strip().lower()
    match = re.fullmatch(r"(?:ansi\s*|cp\s*)?(\d+)", key)
    if match:
        key = "utf-8" if match[1] == "65001" else f"cp{match[1]}"
    key = _ENCODING_ALIASES.get(key, key)
    try:
        return codecs.lookup(key).name
    except LookupError:
        raise UsageError(f"unknown encoding {name!r} ({what})", code="unknown_encoding") from None


def _sibling(path: Path, suffix: str) -> Path | None:
    """The file next to `path` with another suffix, in any letter case (X.SHP, X.dbf)."""
    exact = path.with_suffix(suffix)
    if exact.exists():
        return exact
    wanted = (path.stem + suffix).lower()
    for candidate in path.parent.iterdir():
        if candidate.name.lower() == wanted:
            return candidate
    return None


def _decode_csv(data: bytes, encoding: str | None, source: Source) -> str | None:
    """The text of the file: --encoding, else a BOM, else UTF-8, else CP932 (Excel in Japan)."""
    if encoding:
        codec = _codec(encoding, what="--encoding")
        tries = [("utf-8-sig" if codec == "utf-8" else codec, f"{codec} (from --encoding)")]
    elif data.startswith(codecs.BOM_UTF8):
        tries = [("utf-8-sig", "UTF-8 with BOM")]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        tries = [("utf-16", "UTF-16 with BOM")]
    else:
        tries = [("utf-8", "UTF-8"), ("cp932", "Shift_JIS (CP932) — the file is not UTF-8")]
    failures = []
    for codec, note in tries:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            failures.append(f"{codec} fails on line {line}")
            continue
        source.notes.append(f"encoding: {note}")
        return text
    source.refuse(
        "", "", f"cannot read the text ({'; '.join(failures)}): give --encoding", "encoding"
    )
    return None


def _read_csv(path: Path, *, encoding: str | None, srid: int | None, names: set[str]) -> Source:
    source = Source(file_format="CSV", unit="line")
    if srid is not None:
        source.srs = given_srs(srid)
        source.notes.append(f"coordinates: EPSG:{srid} (from --srid)")
    text = _decode_csv(path.read_bytes(), encoding, source)
    if text is None:
        return source
    first_line = text.split("\n", 1)[0]
    tabbed = path.suffix.lower() == ".tsv" or ("\t" in first_line and "," not in first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t" if tabbed else ",")
    records, last_line = [], 0
    try:
        for record in reader:
            # A quoted cell may span lines: a record is numbered by the line it starts on.
            records.append((last_line + 1, record))
            last_line = reader.line_num
    except csv.Error as exc:
        return source.refuse("", "", f"line {reader.line_num}: not readable as CSV ({exc})", "csv")
    at = header_index(records, names)
    if at is None:
        return source.refuse("", "", "the file is empty (no header line)", "empty")
    header_note(source, records[at][0])
    return table_fill(source, records[at][1], records[at + 1 :])


def _geojson_srs(crs: Any) -> SpatialReference:
    if not isinstance(crs, dict):
        raise ValueError("crs must be an object")
    props = crs.get("properties") or {}
    name = props.get("name") or (f"EPSG:{props['code']}" if props.get("code") else None)
    if not name:
        raise ValueError("crs has no name")
    return SpatialReference(str(name))


def _read_geojson(path: Path, *, srid: int | None) -> Source:
    source = Source(file_format="GeoJSON", unit="feature", has_geometry=True)
    try:
        data = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as exc:
        return source.refuse("", "", f"not valid JSON: {exc}", "json")
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = {"type": "FeatureCollection", "features": [data]}
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        kind = data.get("type") if isinstance(data, dict) else type(data).__name__
        return source.refuse("", "", f"expected a GeoJSON FeatureCollection, not {kind!r}", "json")
    features = data.get("features")
    if not isinstance(features, list):
        return source.refuse("features", "", "the FeatureCollection has no features list", "json")
    if srid is not None:
        source.srs = given_srs(srid)
        source.notes.append(f"coordinates: EPSG:{srid} (from --srid)")
    elif data.get("crs") is not None:
        try:
            source.srs = _geojson_srs(data["crs"])
        except (GDALException, ValueError) as exc:
            value = json.dumps(data["crs"], ensure_ascii=False)[:80]
            return source.refuse("crs", value, f"unknown crs: {exc}", "crs")
        source.notes.append(f"coordinates: {source.srs.name} (from the crs member)")
    reproject = Reprojector(source.srs)
    columns: dict[str, None] = {}
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            row = Row(number, {})
            row.problems.append(Problem(number, "", "", "not a GeoJSON Feature", "not_a_feature"))
            source.rows.append(row)
            continue
        props = feature.get("properties") or {}
        if not isinstance(props, dict):
            props = {}
        columns.update(dict.fromkeys(props))
        row = Row(number, props)
        geometry = feature.get("geometry")
        if not geometry:
            row.geom_problem = Problem(number, "geometry", "", "no location", "no_location")
        else:
            try:
                row.geom = reproject.ogr(OGRGeometry(orjson.dumps(geometry).decode()))
            except (GDALException, GEOSException, ValueError, TypeError) as exc:
                value = orjson.dumps(geometry).decode()[:80]
                row.geom_problem = Problem(
                    number, "geometry", value, f"not a readable geometry ({exc})", "bad_geometry"
                )
        source.rows.append(row)
    source.columns = list(columns)
    return source


@contextmanager
def _without_cpg(shp: Path):
    """The shapefile seen without its .cpg, so GDAL hands over the DBF's bytes unconverted.

    GDAL converts a .cpg's "Shift_JIS" with iconv, which garbles Windows characters such as ①;
    decoding the bytes ourselves as CP932 keeps them.
    """
    if _sibling(shp, ".cpg") is None:
        yield shp
        return
    with tempfile.TemporaryDirectory(prefix="machimori-shp-") as folder:
        for suffix in (".shp", ".shx", ".dbf", ".prj"):
            original = shp if suffix == ".shp" else _sibling(shp, suffix)
            if original is not None:
                os.symlink(original.resolve(), Path(folder) / f"data{suffix}")
        yield Path(folder) / "data.shp"


class _Undecodable(Exception):
    pass


def _shape_records(shp: Path, encoding: str) -> tuple[Any, list[str], list[tuple]]:
    """(layer srs, field names, [(values, geometry or error)]) read with one text encoding."""
    ds = DataSource(str(shp), encoding=encoding)
    layer = ds[0]
    if encoding != "utf-8" and layer.test_capability("StringsAsUTF8"):
        # GDAL already converted the text (the DBF names its code page).
        ds = DataSource(str(shp), encoding="utf-8")
        layer = ds[0]
    try:
        names = layer.fields
        records = []
        for feature in layer:
            # By position: Django looks field names up as UTF-8 whatever the encoding.
            values = {name: feature[index].value for index, name in enumerate(names)}
            try:
                geom = feature.geom
            except GDALException as exc:
                geom = exc
            records.append((values, geom))
    except UnicodeDecodeError as exc:  # Django's DjangoUnicodeDecodeError included
        raise _Undecodable(str(exc)) from None
    return layer.srs, names, records


def _read_shapefile(path: Path, *, encoding: str | None, srid: int | None) -> Source:
    source = Source(file_format="Shapefile", unit="feature", has_geometry=True)
    for suffix in (".shx", ".dbf"):
        if _sibling(path, suffix) is None:
            return source.refuse(
                "", "", f"{path.stem}{suffix} is missing next to {path.name}", "shapefile"
            )
    cpg = _sibling(path, ".cpg")
    cpg_text = cpg.read_text(encoding="ascii", errors="replace").strip() if cpg else ""
    if encoding:
        tries = [_codec(encoding, what="--encoding")]
        source.notes.append(f"text encoding: {tries[0]} (from --encoding)")
    elif cpg_text:
        try:
            tries = [_codec(cpg_text, what=cpg.name)]
        except UsageError as exc:
            return source.refuse(cpg.name, cpg_text, f"{exc}: give --encoding", "encoding")
        source.notes.append(f"text encoding: {tries[0]} (from {cpg.name}: {cpg_text})")
    else:
        tries = ["utf-8", "cp932"]
    with _without_cpg(path) as shp:
        for codec in tries:
            try:
                file_srs, names, records = _shape_records(shp, codec)
            except _Undecodable:
                continue
            except GDALException as exc:
                return source.refuse("", "", f"cannot open the shapefile: {exc}", "shapefile")
            break
        else:
            return source.refuse(
                "",
                "",
                f"the .dbf text is not valid {' or '.join(tries)}; give the right --encoding",
                "encoding",
            )
    if not encoding and not cpg_text:
        why = "" if codec == "utf-8" else ", and the text is not UTF-8"
        source.notes.append(f"text encoding: {codec} (no .cpg{why})")
    if srid is not None:
        source.srs = given_srs(srid)
        said = f"; the .prj says {file_srs.name}" if file_srs is not None else ""
        source.notes.append(f"coordinates: EPSG:{srid} (from --srid{said})")
    elif file_srs is None:
        state = "is not understood" if _sibling(path, ".prj") else "is missing"
        return source.refuse(
            ".prj",
            "",
            f"{path.stem}.prj {state} and no --srid was given, so the coordinate system is "
            "unknown (e.g. --srid 6668 for JGD2011 lon/lat, 2450 for plane rectangular VIII)",
            "no_crs",
        )
    else:
        source.srs = file_srs
        code = f"EPSG:{file_srs.srid}" if file_srs.srid else "no EPSG code"
        source.notes.append(f"coordinates: {file_srs.name} ({code}, from the .prj)")
    reproject = Reprojector(source.srs)
    source.columns = list(names)
    for number, (values, geom) in enumerate(records, start=1):
        row = Row(number, values)
        if isinstance(geom, Exception):
            row.geom_problem = Problem(number, "geometry", "", "no location", "no_location")
        else:
            try:
                row.geom = reproject.ogr(geom)
            except (GDALException, GEOSException) as exc:
                row.geom_problem = Problem(
                    number, "geometry", "", f"cannot reproject ({exc})", "bad_geometry"
                )
        source.rows.append(row)
    return source


def read_source(
    path: Path,
    *,
    encoding: str | None = None,
    srid: int | None = None,
    sheet: str | None = None,
    names: set[str] | None = None,
    progress: Progress = silent,
) -> Source:
    """Columns and raw rows of a CSV, Excel, GeoJSON or Shapefile, geometries already in WGS84.

    The header of a CSV or a sheet is the first of its top rows that holds one of `names`
    (normalized column names; by default the fields' usual names), so titles above it are
    passed over.
    """
    if not path.is_file():
        raise UsageError(f"no such file: {path}", code="no_such_file")
    suffix = path.suffix.lower()
    names = header_names() if names is None else names
    if sheet is not None and suffix not in (".xlsx", ".xlsm"):
        raise UsageError("--sheet is only for Excel files (.xlsx)", code="sheet_not_excel")
    if suffix in (".csv", ".tsv", ".txt"):
        return _read_csv(path, encoding=encoding, srid=srid, names=names)
    if suffix in (".xlsx", ".xlsm"):
        if encoding:
            raise UsageError(
                "--encoding is for CSV and Shapefile text, not .xlsx", code="bad_option"
            )
        return read_xlsx(path, sheet=sheet, srid=srid, names=names, progress=progress)
    if suffix in (".geojson", ".json"):
        return _read_geojson(path, srid=srid)
    if suffix == ".shp":
        return _read_shapefile(path, encoding=encoding, srid=srid)
    if suffix == ".xls":
        raise UsageError(
            f"{path.name} is an old Excel 97–2003 file: save it as .xlsx or CSV", code="old_excel"
        )
    raise UsageError(
        f"cannot tell the format of {path.name}: use .csv, .xlsx, .geojson or .shp",
        code="unknown_format",
    )
