"""manage.py import_places FILE --kind school|hospital|station"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assets.ledger.problems import UsageError
from config.progress import terminal
from reports.models import ContextPlace
from reports.places import places_import


class Command(BaseCommand):
    help = (
        "Load schools, hospitals or stations (CSV with 名称/緯度/経度 or name/latitude/"
        "longitude, or GeoJSON) so that faults near them rank higher. Importing the same file "
        "again replaces its places; a file with a bad row is refused whole. A progress bar "
        "goes to stderr when it is a terminal. Exit codes: 0 imported; 1 refused (the "
        "problems are listed on stderr; nothing was written); 2 bad usage (no such file, a "
        "format it cannot read, an unknown encoding or --srid)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--kind", required=True, choices=ContextPlace.Kind.values)
        parser.add_argument("--encoding", help="of a CSV, when not UTF-8 or Shift_JIS")
        parser.add_argument("--srid", type=int, help="EPSG code of the coordinates (4326)")

    def handle(self, *args, file, kind, encoding, srid, **options):
        # One step: reports.places reads, writes and refreshes priorities in one call.
        for _ in terminal([file], total=1, desc="importing places", unit="file"):
            try:
                result = places_import(file, kind=kind, encoding=encoding, srid=srid)
            except UsageError as exc:
                raise CommandError(str(exc), returncode=2) from exc
        if result.problems:
            self.stderr.write(result.text())
            raise CommandError(f"{file.name}: refused ({len(result.problems)} problems)")
        self.stdout.write(result.text())
