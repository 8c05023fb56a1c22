"""Context places: schools, hospitals and stations, near which a fault counts for more.

`manage.py import_places FILE --kind school|hospital|station` reads them from a CSV (名称,
緯度, 経度 or name, latitude, longitude, in any column order, UTF-8 or Shift_JIS) or from
GeoJSON (points; an area such as a school ground counts by a point inside it). Importing the
same file again replaces what it brought the last time. A file with any bad row is refused
whole, with every problem listed, and nothing is written.
"""

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.gis.geos import Point
from django.db import transaction

from assets.ledger.columns import find_column
from assets.ledger.problems import Problem
from assets.ledger.sources import read_source
from reports import services
from reports.models import ContextPlace


@dataclass
class PlacesImport:
    source: str
    kind: str
    places: list[ContextPlace] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    replaced: int = 0
    refreshed: int = 0

    def text(self) -> str:
        lines = [f"{self.source}: {len(self.places)} {self.kind} places"]
        for problem in self.problems[:200]:
            where = f"line {problem.line}" if problem.line is not None else "file"
            value = f" {problem.value!r}" if problem.value else ""
            lines.append(f"  {where}, {problem.column or '-'}{value}: {problem.reason}")
        if self.problems:
            lines.append("refused: nothing was imported")
        else:
            lines.append(
                f"imported (replacing {self.replaced} from the same file); "
                f"priority refreshed on {self.refreshed} open reports"
            )
        return "\n".join(lines) + "\n"


def _coordinate(text: str, low: float, high: float) -> float:
    value = float(unicodedata.normalize("NFKC", str(text)).strip())
    if not low <= value <= high:
        raise ValueError(text)
    return value


def _read(path: Path, kind: str, *, encoding: str | None, srid: int | None) -> PlacesImport:
    result = PlacesImport(source=path.name, kind=kind)
    source = read_source(path, encoding=encoding, srid=srid)
    result.problems += source.problems
    if source.problems:
        return result
    name_column = find_column(source.columns, "name")
    lat_column = find_column(source.columns, "lat")
    lon_column = find_column(source.columns, "lon")
    geometries = any(row.geom is not None or row.geom_problem for row in source.rows)
    if name_column is None:
        result.problems.append(Problem(None, "name", "", "missing column: 名称 or name", "name"))
    if not geometries and (lat_column is None or lon_column is None):
        reason = "missing columns: 緯度 and 経度 (or latitude and longitude)"
        result.problems.append(Problem(None, "lat/lon", "", reason, "missing_column"))
    if result.problems:
        return result
    for row in source.rows:
        name = str(row.values.get(name_column) or "").strip()
        if not name:
            result.problems.append(Problem(row.number, name_column, "", "no name", "no_name"))
            continue
        if geometries:
            if row.geom_problem or row.geom is None:
                problem = row.geom_problem
                result.problems.append(
                    problem or Problem(row.number, "geometry", "", "no location", "no_location")
                )
                continue
            if row.geom.geom_type not in ("Point", "MultiPoint", "Polygon", "MultiPolygon"):
                reason = f"a {row.geom.geom_type} is not a place: give a point or an area"
                result.problems.append(Problem(row.number, "geometry", "", reason, "geometry"))
                continue
            point = row.geom.point_on_surface
        else:
            try:
                point = Point(
                    _coordinate(row.values.get(lon_column, ""), -180, 180),
                    _coordinate(row.values.get(lat_column, ""), -90, 90),
                )
            except ValueError:
                value = f"{row.values.get(lat_column)}, {row.values.get(lon_column)}"
                reason = "latitude and longitude must be numbers (lat -90..90, lon -180..180)"
                result.problems.append(Problem(row.number, "lat/lon", value, reason, "lat_lon"))
                continue
        point.srid = 4326
        result.places.append(
            ContextPlace(kind=kind, name=name[:200], location=point, source=path.name[:200])
        )
    if not result.places and not result.problems:
        result.problems.append(Problem(None, "", "", "the file holds no places", "empty"))
    return result


def places_import(
    path: Path, *, kind: str, encoding: str | None = None, srid: int | None = None
) -> PlacesImport:
    """Load the places of one file, replacing those the same file brought before, and bring
    the priority of open reports up to date."""
    if kind not in ContextPlace.Kind.values:
        raise ValueError(f"kind must be one of {', '.join(ContextPlace.Kind.values)}")
    result = _read(Path(path), kind, encoding=encoding, srid=srid)
    if result.problems:
        return result
    with transaction.atomic():
        result.replaced, _ = ContextPlace.objects.filter(kind=kind, source=result.source).delete()
        ContextPlace.objects.bulk_create(result.places, batch_size=1000)
        result.refreshed = services.priorities_refresh()
    return result
