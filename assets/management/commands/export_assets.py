"""manage.py export_assets: assets as open data (GeoJSON or CSV), without internal fields."""

import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.errors import DomainError
from assets import exporter
from assets.csvfiles import csv_chunks


class Command(BaseCommand):
    help = (
        "Export assets as open data: GeoJSON, or CSV (UTF-8 with BOM for Excel). Internal "
        "attributes are never included."
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
            for chunk in exporter.export_geojson_chunks(qs):
                self.stdout.write(chunk.decode(), ending="")
            self.stdout.write("")
        else:
            for chunk in csv_chunks(exporter.export_csv_rows(qs), bom=True):
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
                    stream.writelines(exporter.export_geojson_chunks(qs))
            else:
                with open(temporary, "w", encoding="utf-8", newline="") as stream:
                    stream.writelines(csv_chunks(exporter.export_csv_rows(qs), bom=True))
            os.chmod(temporary, 0o644)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self.stderr.write(f"Wrote {path}")
