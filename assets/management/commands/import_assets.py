"""manage.py import_assets: a city's asset ledger (CSV, Excel, GeoJSON, Shapefile) into the
registry."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assets.ledger.columns import parse_assignments
from assets.ledger.plan import assets_import
from assets.ledger.problems import UsageError
from assets.ledger.report import write_problems_csv
from config.progress import terminal

USAGE_ERROR = 2
REFUSED = 1


class Command(BaseCommand):
    help = (
        "Import assets of one type and owner from a CSV, an Excel sheet (.xlsx), GeoJSON or a "
        "Shapefile. The whole file is checked first; nothing is written unless every row is "
        "valid (or --skip-invalid). Rows are matched on (owner, ledger id), so importing again "
        "updates, never duplicates. A progress bar goes to stderr when it is a terminal. "
        "Exit codes: 0 imported (or checked, with --dry-run); 1 refused: the file has "
        "problems, listed by line or row, and nothing was written; 2 bad usage (unknown type, "
        "owner, field, sheet or file format, a missing file)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a .csv, .xlsx, .geojson or .shp file")
        parser.add_argument("--type", required=True, dest="type_code", help="asset type code")
        parser.add_argument("--owner", required=True, dest="owner_code", help="organisation code")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="COLUMN=FIELD",
            help="read COLUMN into FIELD: ledger_id, name, address, install_date, criticality, "
            "lat, lon, geom (WKT), parent_ledger_id, attr.KEY, or - to ignore it (repeatable)",
        )
        parser.add_argument(
            "--set",
            action="append",
            default=[],
            dest="constants",
            metavar="FIELD=VALUE",
            help="give every row this value, e.g. --set attr.road_class=farm (repeatable)",
        )
        parser.add_argument("--ledger-column", help="the column holding the ledger id")
        parser.add_argument(
            "--sheet", help="the sheet of an .xlsx to read (default: the first)", metavar="NAME"
        )
        parser.add_argument(
            "--encoding", help="text encoding (default: BOM or .cpg, else UTF-8, else CP932)"
        )
        parser.add_argument(
            "--srid", type=int, help="EPSG code of the coordinates when the file does not say"
        )
        parser.add_argument("--dry-run", action="store_true", help="check and report only")
        parser.add_argument(
            "--skip-invalid", action="store_true", help="import the valid rows, report the rest"
        )
        parser.add_argument("--report", metavar="FILE.csv", help="write every problem as CSV")

    def handle(self, *args, **options):
        try:
            mapping = parse_assignments(options["map"], option="--map")
            constants = parse_assignments(options["constants"], option="--set")
            report = assets_import(
                path=Path(options["file"]),
                type_code=options["type_code"],
                owner_code=options["owner_code"],
                mapping=mapping,
                constants=constants,
                ledger_column=options["ledger_column"],
                encoding=options["encoding"],
                srid=options["srid"],
                sheet=options["sheet"],
                dry_run=options["dry_run"],
                skip_invalid=options["skip_invalid"],
                progress=terminal,
            )
        except UsageError as exc:
            raise CommandError(str(exc), returncode=USAGE_ERROR) from None
        self.stdout.write(report.text(), ending="")
        if options["report"]:
            try:
                with open(options["report"], "w", encoding="utf-8-sig", newline="") as stream:
                    write_problems_csv(report.problems, stream, unit=report.unit)
            except OSError as exc:
                raise CommandError(
                    f"cannot write the report: {exc}", returncode=USAGE_ERROR
                ) from None
            self.stdout.write(f"Problems written to {options['report']}.")
        if report.refused:
            raise CommandError(
                f"{report.source} was refused; nothing was written", returncode=REFUSED
            )
