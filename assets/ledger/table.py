"""A ledger as read: its rows and columns, and the header found below any title rows."""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.gis.gdal import SpatialReference
from django.contrib.gis.geos import GEOSGeometry

from assets.ledger.columns import normalized
from assets.ledger.coordinates import WGS84
from assets.ledger.problems import Problem

# How far down a sheet the header may sit below titles ("出雲市 防犯灯台帳", a date, a blank).
HEADER_SEARCH_ROWS = 20


@dataclass
class Row:
    """A line or feature as read: its raw values by column, and its geometry if it has one."""

    number: int
    values: dict[str, Any]
    geom: GEOSGeometry | None = None
    geom_problem: Problem | None = None
    problems: list[Problem] = field(default_factory=list)


@dataclass
class Source:
    """A file as read: columns, rows, notes on how it was read, and whole-file problems."""

    file_format: str
    unit: str
    has_geometry: bool = False
    columns: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    srs: SpatialReference = WGS84

    def refuse(self, column: str, value: str, reason: str, code: str = "file") -> "Source":
        self.problems.append(Problem(None, column, value, reason, code))
        return self


def cell_text(value: Any) -> str:
    """A cell as text: nothing for an empty cell, 12 for a spreadsheet's 12.0, trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def header_index(records: Sequence[tuple[int, list]], names: set[str]) -> int | None:
    """Where the header is among (number, cells) records: the first of the top rows that names
    a known column, else the first row that is not blank; None when every row is blank."""
    first = None
    for index, (_, cells) in enumerate(records):
        texts = [cell_text(cell) for cell in cells]
        if not any(texts):
            continue
        if index >= HEADER_SEARCH_ROWS:
            return index if first is None else first
        if first is None:
            first = index
        if any(normalized(text) in names for text in texts):
            return index
    return first


def table_fill(
    source: Source,
    header: list,
    records: Iterable[tuple[int, list]],
    *,
    cell_problems: dict[int, dict[int, tuple[str, str, str]]] | None = None,
) -> Source:
    """Columns from the header's cells (a blank one named by its place, a repeated one
    numbered) and a row for each record that is not blank; a record with more cells than the
    header has a problem, and so has a cell that could not be read (cell_problems: row number
    → column index → value, reason, code)."""
    seen: Counter = Counter()
    for index, cell in enumerate(header, start=1):
        name = cell_text(cell) or f"column {index}"
        seen[name] += 1
        source.columns.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    for number, cells in records:
        marked = (cell_problems or {}).get(number, {})
        if not marked and not any(cell_text(cell) for cell in cells):
            continue
        row = Row(number, dict(zip(source.columns, cells, strict=False)))
        for index, (value, reason, code) in sorted(marked.items()):
            column = source.columns[index] if index < len(source.columns) else f"column {index + 1}"
            row.problems.append(Problem(number, column, value, reason, code))
        if len(cells) > len(header):
            extra = ",".join(cell_text(cell) for cell in cells[len(header) :])[:80]
            reason = f"{len(cells)} cells but the header has {len(header)} columns"
            row.problems.append(Problem(number, "", extra, reason, "extra_cells"))
        source.rows.append(row)
    return source


def header_note(source: Source, number: int) -> None:
    """Say so when title rows above the header were passed over."""
    if number > 1:
        unit = source.unit
        above = f"{unit} 1" if number == 2 else f"{unit}s 1–{number - 1}"
        source.notes.append(f"header on {unit} {number}; {above} above it skipped as titles")
