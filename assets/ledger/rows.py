"""Checking each row of a ledger against its asset type, every problem kept with its row."""

import datetime
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import GEOSException, GEOSGeometry, Point

from assets import fieldspecs
from assets.ledger.columns import normalized
from assets.ledger.coordinates import Reprojector
from assets.ledger.problems import Problem
from assets.ledger.table import Row, cell_text
from assets.models import AssetType

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


@dataclass(frozen=True)
class _Era:
    name: str
    first: datetime.date
    last: datetime.date | None = None


# Each era's first and last day: a change of era took effect on the day, not on 1 January.
_ERAS = (
    _Era("大正", datetime.date(1912, 7, 30), datetime.date(1926, 12, 24)),
    _Era("昭和", datetime.date(1926, 12, 25), datetime.date(1989, 1, 7)),
    _Era("平成", datetime.date(1989, 1, 8), datetime.date(2019, 4, 30)),
    _Era("令和", datetime.date(2019, 5, 1)),
)
_ERA_NAMES = {era.name: era for era in _ERAS} | dict(zip("tshr", _ERAS, strict=True))
_DATE_RE = re.compile(
    r"^(?P<era>大正|昭和|平成|令和|[tshr])?\s*(?P<y>\d{1,4}|元)\s*[-/.年]\s*(?P<m>\d{1,2})\s*"
    r"[-/.月]\s*(?P<d>\d{1,2})\s*日?$"
)


@dataclass
class CheckedRow:
    """A row after its checks: what it gives the asset, or its problems."""

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
        self.problems.append(Problem(self.number, column, cell_text(value), reason, code))


def _number(text: str) -> float:
    number = float(unicodedata.normalize("NFKC", text).replace(",", ""))
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(text)
    return number


def parse_date(value: Any) -> datetime.date:
    """A date from ISO, slashes, 年月日 or a Japanese era (令和元年5月1日, R1.5.1, H31.4.30).

    Raises ValueError with the reason, such as a day after its era's end (平成31年5月1日).
    """
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    given = cell_text(value)
    not_a_date = f"not a date: {given!r} (use YYYY-MM-DD or an era: 令和元年5月1日)"
    text = unicodedata.normalize("NFKC", given).lower()
    if len(text) > 10 and text[10] in "t ":
        text = text[:10]
    match = _DATE_RE.match(text)
    if not match:
        raise ValueError(not_a_date)
    year = 1 if match["y"] == "元" else int(match["y"])
    era = _ERA_NAMES.get(match["era"] or "")
    if era is None and (year < 100 or match["y"] == "元"):
        raise ValueError(not_a_date)
    try:
        date = datetime.date(
            year + era.first.year - 1 if era else year, int(match["m"]), int(match["d"])
        )
    except ValueError:
        raise ValueError(not_a_date) from None
    if era and date < era.first:
        raise ValueError(f"not a date: {given!r} is before {era.name} began on {era.first}")
    if era and era.last and date > era.last:
        raise ValueError(f"not a date: {given!r} is after {era.name} ended on {era.last}")
    return date


def _date_or_raw(value: Any) -> Any:
    """A date attribute read as install dates are (eras too); the value as it was otherwise,
    for the attribute's own check to refuse."""
    try:
        return parse_date(value)
    except ValueError:
        return value


class _RowCheck:
    """Checks one row's values against the mapped fields and collects its problems."""

    def __init__(self, row: Row, given: dict[str, tuple[str, Any]]):
        self.row, self.given = row, given
        ledger_column = given.get("ledger_id", ("ledger_id", None))[0]
        # A cell that could not be read (a formula never calculated) counts only in a column
        # the import uses, and once: not again as the empty value it reads as.
        used = {column for column, _ in given.values()}
        problems = [p for p in row.problems if not p.column or p.column in used]
        self.unreadable = {p.column for p in problems if p.column}
        self.result = CheckedRow(row.number, None, ledger_column, problems)

    def bad(self, column: str, value: Any, reason: str, code: str) -> None:
        if column not in self.unreadable:
            self.result.bad(column, value, reason, code)

    def ledger_id(self) -> None:
        column, raw = self.given.get("ledger_id", ("ledger_id", None))
        text = cell_text(raw)
        if not text:
            self.bad(column, "", "no ledger id", "missing_ledger_id")
        elif "?" in text or "？" in text or normalized(text) in _PLACEHOLDER_IDS:
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
                fields[name] = cell_text(raw)
                if len(fields[name]) > limit:
                    self.bad(column, raw, f"{name} is over {limit} characters", "too_long")
        if "install_date" in self.given:
            column, raw = self.given["install_date"]
            try:
                fields["install_date"] = parse_date(raw) if cell_text(raw) else None
            except ValueError as exc:
                self.bad(column, raw, str(exc), "not_a_date")
        if "criticality" in self.given and cell_text(self.given["criticality"][1]):
            column, raw = self.given["criticality"]
            try:
                value = _number(cell_text(raw))
            except ValueError:
                value = None
            if value is None or not value.is_integer():
                self.bad(column, raw, f"not a whole number: {cell_text(raw)!r}", "not_a_number")
            elif not 1 <= value <= 5:
                self.bad(
                    column, raw, f"criticality {cell_text(raw)} is outside 1..5", "out_of_range"
                )
            else:
                fields["criticality"] = int(value)
        if "parent_ledger_id" in self.given:
            column, raw = self.given["parent_ledger_id"]
            self.result.has_parent, self.result.parent_column = True, column
            self.result.parent_ledger_id = cell_text(raw) or None

    def _coordinate(self, target: str, words: str, limit: int, geographic: bool) -> float | None:
        column, raw = self.given[target]
        text = cell_text(raw)
        try:
            value = _number(text)
        except ValueError:
            self.bad(column, text, f"not a number: {text!r}", "not_a_number")
            return None
        if geographic and not -limit <= value <= limit:
            self.bad(column, text, f"{words} {text} is outside -{limit}..{limit}", "out_of_range")
            return None
        return value

    def point(self, reproject: Reprojector) -> GEOSGeometry | None:
        srs = reproject.srs
        lat_column, lon_column = self.given["lat"][0], self.given["lon"][0]
        if not cell_text(self.given["lat"][1]) or not cell_text(self.given["lon"][1]):
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

    def wkt(self, reproject: Reprojector) -> GEOSGeometry | None:
        column, raw = self.given["geom"]
        text = cell_text(raw)
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
        specs = asset_type.attribute_schema
        dates = {spec["key"] for spec in specs if spec["kind"] == "date"}
        values, columns = {}, {}
        for target, (column, raw) in self.given.items():
            if target.startswith("attr."):
                key = target[5:]
                columns[key] = (column, raw)
                if cell_text(raw) == "" and not isinstance(raw, bool):
                    self.result.cleared.add(key)
                elif key in dates:
                    values[key] = _date_or_raw(raw)
                else:
                    values[key] = raw
        try:
            self.result.attributes = fieldspecs.coerce_values(specs, values, require=False)
        except fieldspecs.FieldErrors as exc:
            for key, message in exc.errors.items():
                column, raw = columns[key]
                self.bad(column, raw, f"{key} {message}", "bad_value")


def check_row(
    row: Row,
    *,
    targets: dict[str, str],
    constants: dict[str, str],
    asset_type: AssetType,
    reproject: Reprojector,
    has_geometry: bool,
) -> CheckedRow:
    """The row checked against the mapped columns, the --set values and the asset type."""
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


def check_duplicates(checked: list[CheckedRow], unit: str) -> None:
    """Marks each row whose ledger id an earlier row already has."""
    first_seen: dict[str, int] = {}
    for row in checked:
        if row.ledger_id is None:
            continue
        if row.ledger_id not in first_seen:
            first_seen[row.ledger_id] = row.number
            continue
        reason = f"duplicate ledger id, first seen on {unit} {first_seen[row.ledger_id]}"
        row.bad(row.ledger_column, row.ledger_id, reason, "duplicate_id")
