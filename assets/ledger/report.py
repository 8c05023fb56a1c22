"""The import's report: what was read and decided, and every problem by its line."""

import itertools
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO

from accounts.models import Organization
from assets.csvfiles import csv_chunks
from assets.ledger.problems import Problem
from assets.models import AssetType


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
    rows = (["" if p.line is None else p.line, p.column, p.value, p.reason] for p in problems)
    stream.writelines(
        csv_chunks(itertools.chain([[unit, "column", "value", "reason"]], rows), bom=False)
    )
