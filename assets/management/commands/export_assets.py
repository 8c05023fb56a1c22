"""manage.py export_assets: assets as open data (GeoJSON or CSV), without internal fields."""

import collections
import itertools
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.errors import DomainError
from assets import exporter
from assets.csvfiles import csv_chunks
from config.progress import terminal


class Command(BaseCommand):
    help = (
        "Export assets as open data: GeoJSON, or CSV (UTF-8 with BOM for Excel). Internal "
        "attributes are never included. A progress bar goes to stderr when it is a terminal. "
        "Exit codes: 0 exported; 1 failed (the file could not be written); 2 bad usage "
        "(unknown type, owner or status, no such folder)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--format", choices=("geojson", "csv"), required=True, dest="file_format"
        )
        parser.add_argument(
            "--type",
            action="extend",
            nargs="+",
            default=[],
            dest="type_codes",
            metavar="CODE",
            help="asset type codes (default: all)",
        )
        parser.add_argument(
            "--owner",
            action="extend",
            nargs="+",
            default=[],
            dest="owner_codes",
            metavar="CODE",
            help="organisation codes, each with the organisations under it (default: all)",
        )
        parser.add_argument(
            "--status",
            choices=exporter.EXPORT_STATUSES,
            default="in_service",
            help="default: %(default)s",
        )
        parser.add_argument("--output", help="file to write (default: standard output)")

    def handle(self, *args, file_format, type_codes, owner_codes, status, output, **options):
        try:
            qs = exporter.export_queryset(
                type_codes=type_codes, owner_codes=owner_codes, status=status
            )
        except DomainError as exc:
            raise CommandError(str(exc), returncode=2) from None
        if output:
            self._to_file(Path(output), file_format, qs)
        elif file_format == "geojson":
            for chunk in _counted(exporter.export_geojson_chunks(qs), qs, ends=(1, 1)):
                self.stdout.write(chunk.decode(), ending="")
            self.stdout.write("")
        else:
            for chunk in csv_chunks(
                _counted(exporter.export_csv_rows(qs), qs, ends=(1, 0)), bom=True
            ):
                self.stdout.write(chunk, ending="")

    def _to_file(self, path: Path, file_format: str, qs) -> None:
        # Written beside the target and renamed, so a published file is never half-written.
        folder = path.resolve().parent
        if not folder.is_dir():
            raise CommandError(f"no such folder: {folder}", returncode=2)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.")
        os.close(handle)
        try:
            if file_format == "geojson":
                with open(temporary, "wb") as stream:
                    stream.writelines(_counted(exporter.export_geojson_chunks(qs), qs, ends=(1, 1)))
            else:
                rows = _counted(exporter.export_csv_rows(qs), qs, ends=(1, 0))
                with open(temporary, "w", encoding="utf-8", newline="") as stream:
                    stream.writelines(csv_chunks(rows, bom=True))
            os.chmod(temporary, 0o644)
            os.replace(temporary, path)
        except OSError as exc:
            Path(temporary).unlink(missing_ok=True)
            raise CommandError(f"cannot write {path}: {exc}", returncode=1) from None
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self.stderr.write(f"Wrote {path}")


def _counted(parts: Iterable, qs, *, ends: tuple[int, int]) -> Iterator:
    """The parts of an export as they are, with a bar over its assets: every part but the
    `ends` (how many open and close it: a CSV's header; a collection's head and end)."""
    opening, closing = ends
    parts = iter(parts)
    yield from itertools.islice(parts, opening)
    held = collections.deque(itertools.islice(parts, closing))
    for part in terminal(parts, total=qs.count, desc="exporting", unit="asset"):
        held.append(part)
        yield held.popleft()
    yield from held
