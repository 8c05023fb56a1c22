"""manage.py import_works: a ledger of repairs, renewals and treatments into the history."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assets.ledger.problems import UsageError
from assets.ledger.report import write_problems_csv
from planning.works_import import works_import


class Command(BaseCommand):
    help = (
        "Record the works of one owner's assets from a CSV (UTF-8 or Shift_JIS) or .xlsx: "
        "columns 台帳番号, 実施日, 作業種別 (補修/更新/予防保全), and optionally 費用, 業者, "
        "作業後健全度, 備考 (or their English names). The whole file is checked first; one "
        "problem and nothing is written. A work is keyed on (asset, date, kind): importing "
        "the same file again changes nothing. Exit codes: 0 recorded (or checked, with "
        "--dry-run); 1 refused: problems listed by line, nothing written; 2 bad usage."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a .csv or .xlsx file")
        parser.add_argument("--owner", required=True, dest="owner_code", help="organisation code")
        parser.add_argument("--encoding", help="text encoding (default: BOM, UTF-8, else CP932)")
        parser.add_argument("--dry-run", action="store_true", help="check and report only")

    def handle(self, *args, file, owner_code, encoding, dry_run, **options):
        try:
            report = works_import(
                Path(file), owner_code=owner_code, dry_run=dry_run, encoding=encoding
            )
        except UsageError as exc:
            raise CommandError(str(exc), returncode=2) from None
        if report.problems:
            self.stdout.write(f"refused: {len(report.problems)} problems, nothing written")
            write_problems_csv(report.problems, self.stdout, unit="line")
            raise CommandError("the file has problems; nothing was written", returncode=1)
        verb = "would be recorded" if dry_run else "recorded"
        self.stdout.write(
            f"{report.rows} rows: {report.created} works {verb}, {report.unchanged} already there"
        )
