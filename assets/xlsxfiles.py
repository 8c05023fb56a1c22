"""Excel tables written row by row (openpyxl's write-only mode), for the staff's exports: a
title, what was asked for (the filter, the time of export, the count) in the first rows, then
the table with its header frozen, a filter button on every column, widths, and dates as real
Excel dates. Rows stream from an iterator, so a filter of 100,000 reports never sits in
memory as cells; the file is written to a temporary file the response then streams."""

import datetime
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
TEXT, NUMBER, DATE, DATETIME = "text", "number", "date", "datetime"
_HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")


@dataclass(frozen=True)
class Column:
    header: str
    width: int = 12
    kind: str = TEXT


def local_naive(moment: datetime.datetime) -> datetime.datetime:
    """Excel has no time zones: a moment is written as the city's wall-clock time."""
    return timezone.localtime(moment).replace(tzinfo=None)


def _cell(sheet, value, kind: str = TEXT, *, bold: bool = False):
    if value is None or value == "":
        return None
    cell = WriteOnlyCell(sheet)
    if kind == DATETIME and isinstance(value, datetime.datetime):
        cell.value = local_naive(value) if timezone.is_aware(value) else value
        cell.number_format = DATETIME_FORMAT
    elif kind == DATE and isinstance(value, datetime.date):
        cell.value = value
        cell.number_format = DATE_FORMAT
    elif kind == NUMBER and isinstance(value, int | float):
        cell.value = value
    else:
        # Text stays text: a resident's "=HYPERLINK(…)" is shown, never run as a formula, and
        # control characters the file format forbids are dropped rather than refused.
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", str(value))
        cell.data_type = "s"
    if bold:
        cell.font = Font(bold=True)
    return cell


def _kind_of(value) -> str:
    if isinstance(value, datetime.datetime):
        return DATETIME
    if isinstance(value, datetime.date):
        return DATE
    return NUMBER if isinstance(value, int | float) and not isinstance(value, bool) else TEXT


def table_file(
    *,
    title: str,
    sheet_title: str,
    about: list[tuple[str, object]],
    columns: list[Column],
    rows: Iterable[list],
) -> IO[bytes]:
    """The workbook as a temporary file, at its start: the title, one row per `about` pair
    (a label and its value: text, a number, a date or a moment), a blank row, then the table."""
    book = Workbook(write_only=True)
    book.properties.title = title
    book.properties.creator = "Machimori"
    # Excel's limits for a sheet's name: 31 characters, none of / \ ? * : [ ]
    sheet = book.create_sheet(re.sub(r"[/\\?*:\[\]]", "・", sheet_title)[:31] or "Sheet")
    header_row = len(about) + 3
    # The write-only sheet takes its layout before its first row.
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = f"B{header_row + 1}"
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True

    title_cell = _cell(sheet, title)
    title_cell.font = Font(bold=True, size=14)
    sheet.append([title_cell])
    for label, value in about:
        kind = _kind_of(value)
        sheet.append([_cell(sheet, label, bold=True), _cell(sheet, value, kind)])
    sheet.append([])
    header = []
    for column in columns:
        cell = _cell(sheet, column.header, bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in rows:
        sheet.append(
            [_cell(sheet, value, column.kind) for value, column in zip(row, columns, strict=True)]
        )
        count += 1
    last = get_column_letter(len(columns))
    sheet.auto_filter.ref = f"A{header_row}:{last}{header_row + max(count, 1)}"
    # Returned open: the response streams it and closes it (so no `with` here).
    target = tempfile.TemporaryFile()  # noqa: SIM115
    try:
        book.save(target)
    except BaseException:
        target.close()
        raise
    target.seek(0)
    return target
