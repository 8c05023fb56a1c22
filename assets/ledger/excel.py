"""Reading one sheet of an Excel ledger (.xlsx): the values Excel saved for its formulas,
merged cells spread over their range, and the header found below any title rows."""

import datetime
from collections import defaultdict
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

from assets.ledger.columns import normalized
from assets.ledger.coordinates import given_srs
from assets.ledger.problems import UsageError
from assets.ledger.table import Source, cell_text, header_index, header_note, table_fill
from config.progress import Progress

_CELL, _FORMULA, _VALUE = (f"{{{SHEET_MAIN_NS}}}{tag}" for tag in ("c", "f", "v"))
_ROW, _MERGE = f"{{{SHEET_MAIN_NS}}}row", f"{{{SHEET_MAIN_NS}}}mergeCell"

# (row, column) → (value shown, reason, code) for a cell that holds no usable value.
CellProblems = dict[tuple[int, int], tuple[str, str, str]]


def _sheet(book, name: str | None, path: Path, source: Source):
    sheets = book.worksheets
    titles = [sheet.title for sheet in sheets]
    if not sheets:
        return None
    if name is None:
        more = f" (the first of {len(titles)}: {', '.join(titles)})" if len(titles) > 1 else ""
        source.notes.append(f"sheet: {titles[0]}{more}")
        return sheets[0]
    for sheet in sheets:
        if sheet.title == name or normalized(sheet.title) == normalized(name):
            source.notes.append(f"sheet: {sheet.title} (from --sheet)")
            return sheet
    raise UsageError(
        f"no sheet named {name!r} in {path.name} (its sheets: {', '.join(titles)})",
        code="unknown_sheet",
    )


def _marks(sheet) -> tuple[CellProblems, list[CellRange]]:
    """Cells without a usable value (a formula never calculated, an error such as #N/A) and
    the merged ranges, read from the sheet's XML: read-only mode shows neither (a formula
    never calculated reads as an empty cell)."""
    problems: CellProblems = {}
    merges = []
    # openpyxl's own way to the sheet's part; iterparse is defusedxml's when installed.
    with sheet._get_source() as stream:
        for _, element in iterparse(stream):
            if element.tag == _CELL:
                problem = _cell_problem(element)
                if problem is not None and element.get("r"):
                    problems[coordinate_to_tuple(element.get("r"))] = problem
                element.clear()
            elif element.tag == _ROW:
                element.clear()
            elif element.tag == _MERGE:
                merges.append(CellRange(element.get("ref")))
    return problems, merges


def _cell_problem(element) -> tuple[str, str, str] | None:
    kind, saved = element.get("t", "n"), element.findtext(_VALUE)
    formula = element.find(_FORMULA)
    shown = ""
    if formula is not None:
        shown = f"={formula.text}" if formula.text else "(shared formula)"
    if kind == "e":
        return shown or saved or "", f"the cell holds the error {saved}", "cell_error"
    # A formula whose text result is "" is saved as t="str" with an empty value.
    if formula is not None and not saved and kind != "str":
        reason = (
            "the formula has no saved value: open the file in Excel and save it again "
            "(or paste the values)"
        )
        return shown, reason, "formula_no_value"
    return None


def _value(value: Any) -> Any:
    # A date cell comes as a datetime at midnight: the date is what the ledger means.
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        return value.date()
    return value


def _spread(records: list[tuple[int, list]], merges: list[CellRange]) -> None:
    """Each merged range takes the value of its top-left cell, in every cell."""
    for merge in merges:
        if merge.min_row > len(records):
            continue
        anchor = records[merge.min_row - 1][1]
        value = anchor[merge.min_col - 1] if merge.min_col <= len(anchor) else None
        for number in range(merge.min_row, min(merge.max_row, len(records)) + 1):
            cells = records[number - 1][1]
            cells.extend([None] * (merge.max_col - len(cells)))
            cells[merge.min_col - 1 : merge.max_col] = [value] * (merge.max_col - merge.min_col + 1)


def _header(records: list[tuple[int, list]], at: int, merges: list[CellRange]) -> tuple[list, int]:
    """The header's cells and its last row: a header cell merged down makes a header of
    several rows (a group name over 緯度 and 経度), each column named by its lowest cell."""
    first = records[at][0]
    last = max([first, *(m.max_row for m in merges if m.min_row == first)])
    block = [cells for _, cells in records[at : at + last - first + 1]]
    width = max(len(cells) for cells in block)
    header = []
    for index in range(width):
        texts = [cell_text(cells[index]) for cells in block if index < len(cells)]
        header.append(next((text for text in reversed(texts) if text), ""))
    while header and not header[-1]:
        header.pop()
    return header, last


def _trimmed(cells: list) -> list:
    end = len(cells)
    while end and cell_text(cells[end - 1]) == "":
        end -= 1
    return cells[:end]


def read_xlsx(
    path: Path, *, sheet: str | None, srid: int | None, names: set[str], progress: Progress
) -> Source:
    """The rows of one sheet (the first, or `sheet`), numbered as Excel numbers them."""
    source = Source(file_format="Excel", unit="row")
    if srid is not None:
        source.srs = given_srs(srid)
        source.notes.append(f"coordinates: EPSG:{srid} (from --srid)")
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # a damaged file fails in many ways inside openpyxl
        reason = f"not a readable .xlsx file ({type(exc).__name__}: {exc})"
        return source.refuse("", "", reason, "excel")
    worksheet = None
    try:
        worksheet = _sheet(book, sheet, path, source)
        if worksheet is None:
            return source.refuse("", "", "the workbook has no worksheet", "empty")
        total = worksheet.max_row
        # Some writers save a wrong size (A1); read every row that is there.
        worksheet.reset_dimensions()
        rows = progress(
            worksheet.iter_rows(values_only=True), total=total, desc="reading", unit="row"
        )
        records = [(number, [_value(v) for v in cells]) for number, cells in enumerate(rows, 1)]
        problems, merges = _marks(worksheet)
    except UsageError:
        raise
    except Exception as exc:
        title = f" {worksheet.title!r}" if worksheet is not None else ""
        reason = f"cannot read the sheet{title} ({type(exc).__name__}: {exc})"
        return source.refuse("", "", reason, "excel")
    finally:
        book.close()

    for row, column in problems:
        cells = records[row - 1][1] if row <= len(records) else []
        if column <= len(cells):
            cells[column - 1] = None  # an error value ("#N/A") is no value for the ledger
    # A row is blank unless a cell of its own holds something; a merge does not fill it.
    own = {n for n, cells in records if any(cell_text(c) for c in cells)}
    own.update(row for row, _ in problems)
    _spread(records, merges)
    at = header_index(records, names)
    if at is None:
        return source.refuse("", "", "the sheet is empty (no header row)", "empty")
    header, last = _header(records, at, merges)
    header_note(source, records[at][0])
    by_row = defaultdict(dict)
    for (row, column), problem in problems.items():
        by_row[row][column - 1] = problem
    body = [(n, _trimmed(cells) if n in own else []) for n, cells in records if n > last]
    return table_fill(source, header, body, cell_problems=by_row)
