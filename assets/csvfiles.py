"""CSV text written in chunks, for responses that stream and files that are written: one
writer for every CSV the project makes (open data, the staff's exports, the condition
history, ledger exports)."""

import csv
import io
from collections.abc import Iterable, Iterator

BOM = "\ufeff"  # Excel in Japan opens UTF-8 only with it


def csv_chunks(rows: Iterable[list], *, bom: bool, rows_per_chunk: int = 500) -> Iterator[str]:
    """CSV text of `rows`, a few hundred rows at a time, CRLF line ends (RFC 4180)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if bom:
        buffer.write(BOM)
    for count, row in enumerate(rows, start=1):
        writer.writerow(row)
        if count % rows_per_chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
