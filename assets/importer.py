"""Asset files in and out: import a city's ledger (CSV, GeoJSON, Shapefile), export open data.

An import checks the whole file before it writes anything. Every problem is kept with its line
(CSV, the header being line 1) or feature number, so a clerk can fix the ledger and run it
again; re-running is safe because rows are matched on (owner, ledger id).
"""

import codecs
import csv
import datetime
import io
import json
import os
import re
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson
from django.contrib.gis.gdal import (
    CoordTransform,
    DataSource,
    GDALException,
    OGRGeometry,
    SpatialReference,
)
from django.contrib.gis.geos import GEOSException, GEOSGeometry, Point
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.errors import DomainError
from accounts.models import Organization
from assets import fieldspecs
from assets.models import Asset, AssetType

FIELDS = (
    "ledger_id",
    "name",
    "address",
    "install_date",
    "criticality",
    "lat",
    "lon",
    "geom",
    "parent_ledger_id",
)
IGNORE = "-"
LOCATION_FIELDS = ("lat", "lon", "geom")
BATCH_SIZE = 500

# Header names recognised without --map (compared after NFKC and case folding).
_SYNONYMS = {
    "lat": ("lat", "latitude", "緯度", "y"),
    "lon": ("lon", "lng", "long", "longitude", "経度", "x"),
    "geom": ("geom", "geometry", "wkt"),
    "ledger_id": ("ledger_id", "台帳番号"),
    "name": ("name", "名称"),
    "address": ("address", "住所", "所在地", "所在地_連結表記"),
    "install_date": ("install_date", "設置年月日"),
}
_PLACEHOLDER_IDS = {
    "-",
    "--",
    "ー",
    "―",
    "不明",
    "未定",
    "未設定",
    "なし",
    "無し",
    "n/a",
    "na",
    "none",
    "null",
    "nil",
    "unknown",
    "tbd",
    "x",
    "xx",
    "xxx",
}
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
_ERAS = {"令和": 2018, "r": 2018, "平成": 1988, "h": 1988, "昭和": 1925, "s": 1925}
_DATE_RE = re.compile(
    r"^(?P<era>令和|平成|昭和|[rhs])?\s*(?P<y>\d{1,4}|元)\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]"
    r"\s*(?P<d>\d{1,2})\s*日?$"
)
_WGS84 = SpatialReference(4326)


class UsageError(DomainError, ValueError):
    """The command asks for something that cannot be done: an unknown type, owner or field."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file; `line` is None when it concerns the whole file."""

    line: int | None
    column: str
    value: str
    reason: str
    code: str


@dataclass
class ImportReport:
    source: str
    asset_type: AssetType
    owner: Organization
    file_format: str = ""
    unit: str = "line"
    notes: list[str] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rows: int = 0
    invalid: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    skip_invalid: bool = False
    written: bool = False

    @property
    def file_problems(self) -> list[Problem]:
        return [p for p in self.problems if p.line is None]

    @property
    def refused(self) -> bool:
        return bool(self.file_problems) or (self.invalid > 0 and not self.skip_invalid)

    def text(self, *, limit: int = 200) -> str:
        return "\n".join(_report_lines(self, limit=limit)) + "\n"


# --- The command line's wishes ---------------------------------------------------------------


def import_target(*, type_code: str, owner_code: str) -> tuple[AssetType, Organization]:
    """The asset type and owner named on the command line."""
    asset_type = AssetType.objects.filter(code=type_code).first()
    if asset_type is None:
        known = ", ".join(AssetType.objects.values_list("code", flat=True))
        raise UsageError(
            f"unknown asset type {type_code!r} (known: {known or 'none'})",
            code="unknown_asset_type",
        )
    owner = Organization.objects.filter(code=owner_code).first()
    if owner is None:
        raise UsageError(f"unknown owner {owner_code!r}", code="unknown_owner")
    return asset_type, owner


def parse_assignments(items: Iterable[str], *, option: str) -> list[tuple[str, str]]:
    """`left=right` pairs from repeated options; --map splits at the last `=`, --set the first."""
    pairs = []
    for item in items:
        left, sep, right = item.rpartition("=") if option == "--map" else item.partition("=")
        if not sep or not left.strip() or (option == "--map" and not right.strip()):
            form = "COLUMN=FIELD" if option == "--map" else "FIELD=VALUE"
            raise UsageError(f"{option} {item!r}: expected {form}", code="bad_assignment")
        pairs.append((left.strip(), right.strip() if option == "--map" else right))
    return pairs


def _target_help(asset_type: AssetType) -> str:
    keys = ", ".join(spec["key"] for spec in asset_type.attribute_schema) or "none"
    return (
        f"use one of {', '.join(FIELDS)}, attr.KEY (keys of {asset_type.code}: {keys}), "
        f"or {IGNORE} to ignore the column"
    )


def _check_target(target: str, asset_type: AssetType, *, option: str) -> str:
    if target in FIELDS or (target == IGNORE and option == "--map"):
        return target
    if target.startswith("attr."):
        keys = {spec["key"] for spec in asset_type.attribute_schema}
        if target[5:] in keys:
            return target
    raise UsageError(
        f"{option}: unknown field {target!r}; {_target_help(asset_type)}", code="unknown_field"
    )


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


def _srs_for(srid: int) -> SpatialReference:
    try:
        return SpatialReference(srid)
    except (GDALException, ValueError):
        raise UsageError(f"unknown --srid {srid}", code="unknown_srid") from None


# --- Reading files ----------------------------------------------------------------------------


@dataclass
class _Row:
    number: int
    values: dict[str, Any]
    geom: GEOSGeometry | None = None
    geom_problem: Problem | None = None
    problems: list[Problem] = field(default_factory=list)


@dataclass
class _Source:
    file_format: str
    unit: str
    columns: list[str] = field(default_factory=list)
    rows: list[_Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    srs: SpatialReference = _WGS84

    def refuse(self, column: str, value: str, reason: str, code: str = "file") -> "_Source":
        self.problems.append(Problem(None, column, value, reason, code))
        return self


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


def _decode_csv(data: bytes, encoding: str | None, source: _Source) -> str | None:
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


def _read_csv(path: Path, *, encoding: str | None, srid: int | None) -> _Source:
    source = _Source(file_format="CSV", unit="line")
    if srid is not None:
        source.srs = _srs_for(srid)
        source.notes.append(f"coordinates: EPSG:{srid} (from --srid)")
    text = _decode_csv(path.read_bytes(), encoding, source)
    if text is None:
        return source
    first_line = text.split("\n", 1)[0]
    tabbed = path.suffix.lower() == ".tsv" or ("\t" in first_line and "," not in first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t" if tabbed else ",")
    try:
        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            return source.refuse("", "", "the file is empty (no header line)", "empty")
        seen = Counter()
        for index, cell in enumerate(header, start=1):
            name = cell.strip() or f"column {index}"
            seen[name] += 1
            source.columns.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
        last_line = reader.line_num
        for record in reader:
            number, last_line = last_line + 1, reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            row = _Row(number, dict(zip(source.columns, record, strict=False)))
            if len(record) > len(header):
                extra = ",".join(record[len(header) :])[:80]
                reason = f"{len(record)} cells but the header has {len(header)} columns"
                row.problems.append(Problem(number, "", extra, reason, "extra_cells"))
            source.rows.append(row)
    except csv.Error as exc:
        source.refuse("", "", f"line {reader.line_num}: not readable as CSV ({exc})", "csv")
    return source


def _flat(geom: OGRGeometry) -> OGRGeometry:
    # The column holds 2D geometries; PostGIS refuses a Z or M coordinate in it.
    if geom.is_3d:
        geom.set_3d(False)
    if geom.is_measured:
        geom.set_measured(False)
    return geom


class _Reprojector:
    """Turns geometries of one source CRS into WGS84 lon/lat (EPSG:4326)."""

    def __init__(self, srs: SpatialReference):
        self.srs = srs
        self.identity = srs.srid == 4326
        self.transform = None if self.identity else CoordTransform(srs, _WGS84)

    def ogr(self, geom: OGRGeometry) -> GEOSGeometry:
        geom = _flat(geom)
        if self.transform is not None:
            geom.transform(self.transform)
        result = geom.geos
        result.srid = 4326
        return result

    def geos(self, geom: GEOSGeometry) -> GEOSGeometry:
        """A GEOS geometry in WGS84; one without an SRID is taken to be in this CRS."""
        if geom.srid in (None, self.srs.srid):
            if self.identity and not geom.hasz:
                geom.srid = 4326
                return geom
            return self.ogr(OGRGeometry(geom.wkb))
        return _Reprojector(SpatialReference(geom.srid)).geos(geom)


def _geojson_srs(crs: Any) -> SpatialReference:
    if not isinstance(crs, dict):
        raise ValueError("crs must be an object")
    props = crs.get("properties") or {}
    name = props.get("name") or (f"EPSG:{props['code']}" if props.get("code") else None)
    if not name:
        raise ValueError("crs has no name")
    return SpatialReference(str(name))


def _read_geojson(path: Path, *, srid: int | None) -> _Source:
    source = _Source(file_format="GeoJSON", unit="feature")
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
        source.srs = _srs_for(srid)
        source.notes.append(f"coordinates: EPSG:{srid} (from --srid)")
    elif data.get("crs") is not None:
        try:
            source.srs = _geojson_srs(data["crs"])
        except (GDALException, ValueError) as exc:
            value = json.dumps(data["crs"], ensure_ascii=False)[:80]
            return source.refuse("crs", value, f"unknown crs: {exc}", "crs")
        source.notes.append(f"coordinates: {source.srs.name} (from the crs member)")
    reproject = _Reprojector(source.srs)
    columns: dict[str, None] = {}
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            row = _Row(number, {})
            row.problems.append(Problem(number, "", "", "not a GeoJSON Feature", "not_a_feature"))
            source.rows.append(row)
            continue
        props = feature.get("properties") or {}
        if not isinstance(props, dict):
            props = {}
        columns.update(dict.fromkeys(props))
        row = _Row(number, props)
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


def _read_shapefile(path: Path, *, encoding: str | None, srid: int | None) -> _Source:
    source = _Source(file_format="Shapefile", unit="feature")
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
        source.srs = _srs_for(srid)
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
    reproject = _Reprojector(source.srs)
    source.columns = list(names)
    for number, (values, geom) in enumerate(records, start=1):
        row = _Row(number, values)
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


def read_source(path: Path, *, encoding: str | None = None, srid: int | None = None) -> _Source:
    """Columns and raw rows of a CSV, GeoJSON or Shapefile, geometries already in WGS84."""
    if not path.is_file():
        raise UsageError(f"no such file: {path}", code="no_such_file")
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):
        return _read_csv(path, encoding=encoding, srid=srid)
    if suffix in (".geojson", ".json"):
        return _read_geojson(path, srid=srid)
    if suffix == ".shp":
        return _read_shapefile(path, encoding=encoding, srid=srid)
    raise UsageError(
        f"cannot tell the format of {path.name}: use .csv, .geojson or .shp", code="unknown_format"
    )


# --- Mapping columns to fields ----------------------------------------------------------------


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", str(text)).strip().casefold()


def find_column(columns: list[str], target: str) -> str | None:
    """The column of a header that holds `target` (lat, lon, name, address…) by its usual
    names in English and Japanese, ignoring case and full-width forms."""
    names = {_norm(name) for name in _SYNONYMS.get(target, (target,))}
    return next((column for column in columns if _norm(column) in names), None)


def _auto_targets(asset_type: AssetType) -> dict[str, str]:
    index = {}
    for spec in asset_type.attribute_schema:
        labels = spec.get("label") or {}
        if isinstance(labels, str):
            labels = {"ja": labels}
        for text in (labels.get("en"), labels.get("ja"), spec["key"], f"attr.{spec['key']}"):
            if text:
                index[_norm(text)] = f"attr.{spec['key']}"
    index.update({target: target for target in FIELDS})
    for target, names in _SYNONYMS.items():
        for name in names:
            index[_norm(name)] = target
    return index


def map_columns(
    columns: list[str],
    *,
    asset_type: AssetType,
    mapping: list[tuple[str, str]],
    constants: dict[str, str],
    has_geometry: bool,
) -> tuple[dict[str, str], list[str], list[Problem]]:
    """(column → target, ignored columns, whole-file problems) for a file's header."""
    chosen: dict[str, str] = {}
    problems = []
    for column, target in mapping:
        if column not in columns:
            reason = f"missing column: {column}"
            problems.append(Problem(None, column, "", reason, "missing_column"))
        elif target != IGNORE:
            chosen[column] = target
    taken = set(chosen.values()) | set(constants)
    index = _auto_targets(asset_type)
    auto: dict[str, str] = {}
    explicit = {column for column, _ in mapping}
    for column in columns:
        target = index.get(_norm(column))
        if column in explicit or target is None or target in taken:
            continue
        if has_geometry and target in LOCATION_FIELDS:
            continue
        auto[column] = target
        taken.add(target)
    if "geom" in taken:
        auto = {c: t for c, t in auto.items() if t not in ("lat", "lon")}
    chosen.update(auto)
    ignored = [c for c in columns if c not in chosen and c not in explicit]
    return chosen, ignored, problems


def _location_problems(
    targets: set[str], asset_type: AssetType, *, has_geometry: bool
) -> list[Problem]:
    """Whole-file problems: no ledger id column, no way to place a row, points for areas."""
    found = []
    by_lat_lon = not has_geometry and "geom" not in targets
    if "ledger_id" not in targets:
        how = "--map COLUMN=ledger_id or --ledger-column COLUMN"
        found.append(("ledger_id", f"missing column: ledger_id (name it with {how})"))
    if by_lat_lon:
        for target, words in (("lat", "latitude"), ("lon", "longitude")):
            if target not in targets:
                names = ", ".join(_SYNONYMS[target])
                how = f"a header named {names}, or --map COLUMN={target}"
                found.append((target, f"missing column: {words} ({how})"))
    problems = [Problem(None, column, "", reason, "missing_column") for column, reason in found]
    if not problems and by_lat_lon and asset_type.geometry_kind != AssetType.Geometry.POINT:
        reason = (
            f"{asset_type.code} is drawn as a {asset_type.geometry_kind}, but latitude and "
            "longitude give a point: map a WKT column to geom, or import as a point type"
        )
        problems.append(Problem(None, "lat/lon", "", reason, "wrong_geometry_kind"))
    return problems


# --- Checking rows ----------------------------------------------------------------------------


@dataclass
class _Checked:
    number: int
    ledger_id: str | None
    ledger_column: str
    problems: list[Problem]
    geom: GEOSGeometry | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    attributes: dict[str, Any] = field(default_factory=dict)
    cleared: set[str] = field(default_factory=set)
    parent_ledger_id: str | None = None
    parent_column: str = "parent_ledger_id"
    has_parent: bool = False

    def bad(self, column: str, value: Any, reason: str, code: str) -> None:
        self.problems.append(Problem(self.number, column, _text(value), reason, code))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _number(text: str) -> float:
    number = float(unicodedata.normalize("NFKC", text).replace(",", ""))
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(text)
    return number


def parse_date(value: Any) -> datetime.date:
    """A date from ISO, slashes, 年月日 or a Japanese era (令和2年4月1日, R2.4.1)."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = unicodedata.normalize("NFKC", str(value)).strip().lower()
    if len(text) > 10 and text[10] in "t ":
        text = text[:10]
    match = _DATE_RE.match(text)
    if not match:
        raise ValueError(text)
    year = 1 if match["y"] == "元" else int(match["y"])
    if match["era"]:
        year += _ERAS[match["era"]]
    elif year < 100 or match["y"] == "元":
        raise ValueError(text)
    return datetime.date(year, int(match["m"]), int(match["d"]))


class _RowCheck:
    """Checks one row's values against the mapped fields and collects its problems."""

    def __init__(self, row: _Row, given: dict[str, tuple[str, Any]]):
        self.row, self.given = row, given
        ledger_column = given.get("ledger_id", ("ledger_id", None))[0]
        self.result = _Checked(row.number, None, ledger_column, list(row.problems))

    def bad(self, column: str, value: Any, reason: str, code: str) -> None:
        self.result.bad(column, value, reason, code)

    def ledger_id(self) -> None:
        column, raw = self.given.get("ledger_id", ("ledger_id", None))
        text = _text(raw)
        if not text:
            self.bad(column, "", "no ledger id", "missing_ledger_id")
        elif "?" in text or "？" in text or _norm(text) in _PLACEHOLDER_IDS:
            self.bad(column, text, f"placeholder ledger id {text!r}", "placeholder_id")
        elif len(text) > 100:
            self.bad(column, text, "ledger id is longer than 100 characters", "too_long")
        else:
            self.result.ledger_id = text

    def plain_fields(self) -> None:
        fields = self.result.fields
        for name, limit in (("name", 200), ("address", 300)):
            if name in self.given:
                column, raw = self.given[name]
                fields[name] = _text(raw)
                if len(fields[name]) > limit:
                    self.bad(column, raw, f"{name} is over {limit} characters", "too_long")
        if "install_date" in self.given:
            column, raw = self.given["install_date"]
            try:
                fields["install_date"] = parse_date(raw) if _text(raw) else None
            except ValueError:
                reason = f"not a date: {_text(raw)!r} (use YYYY-MM-DD)"
                self.bad(column, raw, reason, "not_a_date")
        if "criticality" in self.given and _text(self.given["criticality"][1]):
            column, raw = self.given["criticality"]
            try:
                value = _number(_text(raw))
            except ValueError:
                value = None
            if value is None or not value.is_integer():
                self.bad(column, raw, f"not a whole number: {_text(raw)!r}", "not_a_number")
            elif not 1 <= value <= 5:
                self.bad(column, raw, f"criticality {_text(raw)} is outside 1..5", "out_of_range")
            else:
                fields["criticality"] = int(value)
        if "parent_ledger_id" in self.given:
            column, raw = self.given["parent_ledger_id"]
            self.result.has_parent, self.result.parent_column = True, column
            self.result.parent_ledger_id = _text(raw) or None

    def _coordinate(self, target: str, words: str, limit: int, geographic: bool) -> float | None:
        column, raw = self.given[target]
        text = _text(raw)
        try:
            value = _number(text)
        except ValueError:
            self.bad(column, text, f"not a number: {text!r}", "not_a_number")
            return None
        if geographic and not -limit <= value <= limit:
            self.bad(column, text, f"{words} {text} is outside -{limit}..{limit}", "out_of_range")
            return None
        return value

    def point(self, reproject: "_Reprojector") -> GEOSGeometry | None:
        srs = reproject.srs
        lat_column, lon_column = self.given["lat"][0], self.given["lon"][0]
        if not _text(self.given["lat"][1]) or not _text(self.given["lon"][1]):
            self.bad(f"{lat_column}/{lon_column}", "", "no location", "no_location")
            return None
        lat = self._coordinate("lat", "latitude", 90, srs.geographic)
        lon = self._coordinate("lon", "longitude", 180, srs.geographic)
        if lat is None or lon is None:
            return None
        if lat == 0 and lon == 0:
            reason = "location 0, 0 is a placeholder"
            self.bad(f"{lat_column}/{lon_column}", "0, 0", reason, "no_location")
            return None
        try:
            return reproject.geos(Point(lon, lat, srid=srs.srid))
        except (GEOSException, GDALException) as exc:
            self.bad(
                f"{lat_column}/{lon_column}",
                f"{lon}, {lat}",
                f"cannot reproject ({exc})",
                "bad_geometry",
            )
            return None

    def wkt(self, reproject: "_Reprojector") -> GEOSGeometry | None:
        column, raw = self.given["geom"]
        text = _text(raw)
        if not text:
            self.bad(column, "", "no location", "no_location")
            return None
        try:
            parsed = GEOSGeometry(text)
            if parsed.srid is None:
                parsed.srid = reproject.srs.srid
            return reproject.geos(parsed)
        except (ValueError, GEOSException, GDALException):
            self.bad(column, text, f"not WKT: {text[:60]!r}", "bad_geometry")
            return None

    def geometry(self, column: str, geom: GEOSGeometry, asset_type: AssetType) -> None:
        kind = asset_type.geometry_kind
        min_x, min_y, max_x, max_y = geom.extent if not geom.empty else (0, 0, 0, 0)
        if geom.empty:
            self.bad(column, "", "no location", "no_location")
        elif not asset_type.geometry_matches(geom):
            reason = f"a {geom.geom_type} does not fit {asset_type.code}, drawn as a {kind}"
            self.bad(column, geom.geom_type, reason, "wrong_geometry_kind")
        elif min_x < -180 or max_x > 180 or min_y < -90 or max_y > 90:
            reason = (
                "coordinates fall outside longitude/latitude: is the coordinate system "
                "(.prj, crs or --srid) right?"
            )
            self.bad(column, f"{min_x:.6g}, {min_y:.6g}", reason, "out_of_range")
        elif not geom.valid:
            reason = f"invalid geometry: {geom.valid_reason}"
            self.bad(column, "", reason, "invalid_geometry")
        else:
            self.result.geom = geom

    def attributes(self, asset_type: AssetType) -> None:
        values, columns = {}, {}
        for target, (column, raw) in self.given.items():
            if target.startswith("attr."):
                key = target[5:]
                columns[key] = (column, raw)
                if _text(raw) == "" and not isinstance(raw, bool):
                    self.result.cleared.add(key)
                else:
                    values[key] = raw
        try:
            specs = asset_type.attribute_schema
            self.result.attributes = fieldspecs.coerce_values(specs, values, require=False)
        except fieldspecs.FieldErrors as exc:
            for key, message in exc.errors.items():
                column, raw = columns[key]
                self.bad(column, raw, f"{key} {message}", "bad_value")


def _check_row(
    row: _Row,
    *,
    targets: dict[str, str],
    constants: dict[str, str],
    asset_type: AssetType,
    reproject: _Reprojector,
    has_geometry: bool,
) -> _Checked:
    given = {target: (column, row.values.get(column)) for column, target in targets.items()}
    given.update({target: (f"--set {target}", value) for target, value in constants.items()})
    check = _RowCheck(row, given)
    check.ledger_id()
    check.plain_fields()
    if has_geometry:
        column, geom = "geometry", row.geom
        if row.geom_problem:
            check.result.problems.append(row.geom_problem)
    elif "geom" in given:
        column, geom = given["geom"][0], check.wkt(reproject)
    else:
        column, geom = f"{given['lat'][0]}/{given['lon'][0]}", check.point(reproject)
    if geom is not None:
        check.geometry(column, geom, asset_type)
    check.attributes(asset_type)
    return check.result


def _check_duplicates(checked: list[_Checked], unit: str) -> None:
    first_seen: dict[str, int] = {}
    for row in checked:
        if row.ledger_id is None:
            continue
        if row.ledger_id not in first_seen:
            first_seen[row.ledger_id] = row.number
            continue
        reason = f"duplicate ledger id, first seen on {unit} {first_seen[row.ledger_id]}"
        row.bad(row.ledger_column, row.ledger_id, reason, "duplicate_id")


def _chunks(items: list, size: int = 900) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _by_ledger_id(owner: Organization, ledger_ids: Iterable[str], *, only=None) -> dict[str, Any]:
    found = {}
    for chunk in _chunks(sorted(set(ledger_ids))):
        qs = Asset.objects.filter(owner=owner, ledger_id__in=chunk)
        if only:
            qs = qs.only(*only)
        found.update({asset.ledger_id: asset for asset in qs})
    return found


def _same_geometry(old: GEOSGeometry, new: GEOSGeometry) -> bool:
    # A round trip through the database may move the last bit of a double.
    return old.geom_type == new.geom_type and old.equals_exact(new, tolerance=1e-9)


@dataclass
class _Plan:
    create: list[Asset] = field(default_factory=list)
    update: list[Asset] = field(default_factory=list)
    update_fields: set[str] = field(default_factory=set)
    unchanged: int = 0


def _merged_attributes(
    row: _Checked, asset: Asset | None, internal_keys: set[str]
) -> tuple[dict, dict]:
    public = dict(asset.attributes) if asset else {}
    internal = dict(asset.internal_attributes) if asset else {}
    # Touch only the keys the file gives, so values never move between public and internal.
    for key in row.cleared | set(row.attributes):
        public.pop(key, None)
        internal.pop(key, None)
    for key, value in row.attributes.items():
        (internal if key in internal_keys else public)[key] = value
    return public, internal


def _changes(row: _Checked, asset: Asset, public: dict, internal: dict, parent_id) -> dict:
    changes = {name: value for name, value in row.fields.items() if getattr(asset, name) != value}
    if not _same_geometry(asset.geom, row.geom):
        changes["geom"] = row.geom
    if public != asset.attributes:
        changes["attributes"] = public
    if internal != asset.internal_attributes:
        changes["internal_attributes"] = internal
    if row.has_parent and asset.parent_id != parent_id:
        changes["parent_id"] = parent_id
    return changes


def _plan(checked: list[_Checked], *, asset_type: AssetType, owner: Organization) -> _Plan:
    """Match valid rows to existing assets and decide what each one needs."""
    plan = _Plan()
    specs = asset_type.attribute_schema
    internal_keys = {spec["key"] for spec in specs if spec.get("internal")}
    required = [spec["key"] for spec in specs if spec.get("required")]
    valid = [row for row in checked if not row.problems]
    existing = _by_ledger_id(owner, (row.ledger_id for row in valid))
    parent_ids = {row.parent_ledger_id for row in valid if row.parent_ledger_id}
    parents = _by_ledger_id(owner, parent_ids, only=("id", "ledger_id"))
    type_codes = dict(AssetType.objects.values_list("pk", "code"))

    for row in valid:
        asset = existing.get(row.ledger_id)
        if asset is not None and asset.asset_type_id != asset_type.pk:
            other = type_codes.get(asset.asset_type_id, "?")
            reason = f"ledger id {row.ledger_id!r} of {owner.code} is taken by {other} #{asset.pk}"
            row.bad(row.ledger_column, row.ledger_id, reason, "ledger_id_taken")
            continue
        parent = parents.get(row.parent_ledger_id) if row.parent_ledger_id else None
        if row.parent_ledger_id and (parent is None or parent.ledger_id == row.ledger_id):
            reason = f"no other asset of {owner.code} has ledger id {row.parent_ledger_id!r}"
            row.bad(row.parent_column, row.parent_ledger_id, reason, "unknown_parent")
            continue
        parent_id = parent.pk if parent else None
        public, internal = _merged_attributes(row, asset, internal_keys)
        missing = [key for key in required if key not in public and key not in internal]
        for key in missing:
            reason = f"{key} is required: use --map COLUMN=attr.{key} or --set attr.{key}=VALUE"
            row.bad(f"attr.{key}", "", reason, "missing_required")
        if missing:
            continue
        if asset is None:
            fresh = Asset(
                asset_type=asset_type,
                owner=owner,
                ledger_id=row.ledger_id,
                geom=row.geom,
                attributes=public,
                internal_attributes=internal,
                parent_id=parent_id,
                criticality=asset_type.default_criticality,
            )
            for name, value in row.fields.items():
                setattr(fresh, name, value)
            plan.create.append(fresh)
            continue
        changes = _changes(row, asset, public, internal, parent_id)
        if not changes:
            plan.unchanged += 1
            continue
        for name, value in changes.items():
            setattr(asset, name, value)
        plan.update.append(asset)
        plan.update_fields.update("parent" if name == "parent_id" else name for name in changes)
    return plan


def _write(plan: _Plan) -> None:
    with transaction.atomic():
        Asset.objects.bulk_create(plan.create, batch_size=BATCH_SIZE)
        if plan.update:
            now = timezone.now()
            for asset in plan.update:
                asset.updated_at = now
            Asset.objects.bulk_update(
                plan.update, [*sorted(plan.update_fields), "updated_at"], batch_size=BATCH_SIZE
            )


def _checked_options(
    asset_type: AssetType,
    mapping: Iterable[tuple[str, str]],
    constants: Iterable[tuple[str, str]],
    ledger_column: str | None,
) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """--map pairs (with --ledger-column) and --set values, each target checked."""
    mapping = [(column, _check_target(t, asset_type, option="--map")) for column, t in mapping]
    if ledger_column:
        mapping.append((ledger_column, "ledger_id"))
    targets = [t for _, t in mapping if t != IGNORE]
    doubled = sorted({t for t in targets if targets.count(t) > 1})
    if doubled:
        raise UsageError(f"more than one column maps to {', '.join(doubled)}", code="mapped_twice")
    if "geom" in targets and {"lat", "lon"} & set(targets):
        raise UsageError("map either lat/lon or geom, not both", code="mapped_twice")
    values: dict[str, str] = {}
    for target, value in constants:
        target = _check_target(target, asset_type, option="--set")
        if target in ("ledger_id", *LOCATION_FIELDS):
            raise UsageError(f"--set cannot give every row the same {target}", code="bad_constant")
        if target in targets:
            raise UsageError(f"--set {target} and --map …={target} both given", code="mapped_twice")
        values[target] = value
    return mapping, values


def assets_import(
    *,
    path: Path | str,
    type_code: str,
    owner_code: str,
    mapping: list[tuple[str, str]] = (),
    constants: list[tuple[str, str]] = (),
    ledger_column: str | None = None,
    encoding: str | None = None,
    srid: int | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
) -> ImportReport:
    """Check a whole file, then create and update its assets in one transaction.

    Nothing is written when the file has problems, unless skip_invalid (then the valid rows
    are); dry_run only checks. Raises UsageError for impossible requests.
    """
    path = Path(path)
    asset_type, owner = import_target(type_code=type_code, owner_code=owner_code)
    mapping, constant_values = _checked_options(asset_type, mapping, constants, ledger_column)
    targets = {target for _, target in mapping}
    report = ImportReport(
        source=path.name,
        asset_type=asset_type,
        owner=owner,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        constants=constant_values,
    )
    source = read_source(path, encoding=encoding, srid=srid)
    has_geometry = source.file_format != "CSV"
    if has_geometry and targets & set(LOCATION_FIELDS):
        raise UsageError(
            f"the location of a {source.file_format} feature is its geometry: "
            "do not map lat, lon or geom",
            code="bad_mapping",
        )
    report.file_format, report.unit = source.file_format, source.unit
    report.notes = source.notes
    report.rows = len(source.rows)
    report.problems.extend(source.problems)
    if source.problems:
        return report

    chosen, report.ignored, problems = map_columns(
        source.columns,
        asset_type=asset_type,
        mapping=mapping,
        constants=constant_values,
        has_geometry=has_geometry,
    )
    report.mapping = chosen
    problems += _location_problems(
        set(chosen.values()) | set(constant_values), asset_type, has_geometry=has_geometry
    )
    if problems:
        report.problems.extend(problems)
        return report

    reproject = _Reprojector(source.srs)
    checked = [
        _check_row(
            row,
            targets=chosen,
            constants=constant_values,
            asset_type=asset_type,
            reproject=reproject,
            has_geometry=has_geometry,
        )
        for row in source.rows
    ]
    _check_duplicates(checked, source.unit)
    plan = _plan(checked, asset_type=asset_type, owner=owner)
    invalid = [row for row in checked if row.problems]
    report.problems.extend(problem for row in invalid for problem in row.problems)
    report.invalid = len(invalid)
    report.created, report.updated = len(plan.create), len(plan.update)
    report.unchanged = plan.unchanged
    if report.refused or dry_run:
        return report
    try:
        _write(plan)
    except IntegrityError as exc:
        reason = (
            f"the database refused the write, so nothing was saved ({exc}); "
            "was the same file imported at the same time?"
        )
        report.problems.append(Problem(None, "", "", reason, "conflict"))
        return report
    report.written = True
    return report


# --- Reporting --------------------------------------------------------------------------------


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fit(text: str, width: int) -> str:
    text = text.replace("\n", " ").replace("\r", "")
    if _width(text) > width:
        while _width(text) > width - 1:
            text = text[:-1]
        text += "…"
    return text + " " * (width - _width(text))


def _report_lines(report: ImportReport, *, limit: int) -> Iterator[str]:
    yield (
        f"Importing {report.source} as {report.asset_type.code} ({report.asset_type.name_ja}) "
        f"for {report.owner.code}"
    )
    if report.file_format:
        yield f"  format: {report.file_format}, {report.rows} rows"
    for note in report.notes:
        yield f"  {note}"
    if report.mapping:
        pairs = ", ".join(f"{column} → {target}" for column, target in report.mapping.items())
        yield f"  columns: {pairs}"
    for target, value in report.constants.items():
        yield f"  every row: {target} = {value}"
    if report.ignored:
        yield f"  ignored columns: {', '.join(report.ignored)}"
    if report.problems:
        rows = {p.line for p in report.problems if p.line is not None}
        where = [f"{len(rows)} {report.unit}s"] if rows else []
        if report.file_problems:
            where.append("the whole file")
        yield ""
        yield f"Problems: {len(report.problems)}, in {' and '.join(where)}"
        by_code = Counter(p.code for p in report.problems)
        yield "  by reason: " + ", ".join(
            f"{code.replace('_', ' ')} {count}" for code, count in by_code.most_common()
        )
        yield f"  {_fit(report.unit, 8)} {_fit('column', 16)} {_fit('value', 24)} reason"
        for problem in report.problems[:limit]:
            line = "-" if problem.line is None else str(problem.line)
            yield (
                f"  {_fit(line, 8)} {_fit(problem.column, 16)} {_fit(problem.value, 24)} "
                f"{problem.reason}"
            )
        if len(report.problems) > limit:
            yield f"  … and {len(report.problems) - limit} more (--report FILE.csv lists all)"
    yield ""
    counts = (
        f"{report.created} created, {report.updated} updated, {report.unchanged} unchanged, "
        f"{report.invalid} invalid"
    )
    if report.file_problems:
        yield "Refused: the file cannot be imported as it is. Nothing was written."
    elif report.refused:
        yield f"Refused: {counts}. Nothing was written."
        yield (
            "  Fix the rows above, or use --skip-invalid to import the valid rows "
            "and leave the invalid ones out."
        )
    elif report.dry_run:
        yield f"Dry run, nothing was written. It would give: {counts}" + (
            " (skipped)." if report.invalid else "."
        )
    else:
        yield f"Done: {counts}" + (" (skipped)." if report.invalid else ".")


def write_problems_csv(problems: Iterable[Problem], stream: IO[str], *, unit: str) -> None:
    """Every problem as a CSV row: line (or feature), column, value, reason."""
    writer = csv.writer(stream)
    writer.writerow([unit, "column", "value", "reason"])
    for problem in problems:
        line = "" if problem.line is None else problem.line
        writer.writerow([line, problem.column, problem.value, problem.reason])
