"""manage.py print_labels: print-ready A4 sheets of QR stickers."""

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import policy
from accounts.errors import DomainError
from assets.geo import CoordinateError, parse_bbox
from assets.models import Asset
from config import city
from config.progress import terminal
from qr_labels import selectors, services
from qr_labels.sheets import PRESETS, LayoutError, SheetLayout, write_sheets

USAGE_ERROR = 2


class Command(BaseCommand):
    help = (
        "Print QR stickers as an A4 PDF. Selected assets without a label get one first "
        "(unless --no-issue). Choose a preset label sheet or give the grid in millimetres; a "
        "label taller than wide is laid out for a round pole, others for a board. "
        "A progress bar goes to stderr when it is a terminal. Exit codes: 0 printed; 1 nothing "
        "to print (no labelled asset matched); 2 bad usage (a sheet that does not fit, a bad "
        "--bbox, an unreadable --ledger-file, an unknown type, owner or park)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", "-o", default="labels.pdf", help="PDF file ('-' for stdout)"
        )
        parser.add_argument(
            "--preset",
            choices=sorted(PRESETS),
            default="a4-24",
            help="label sheet: a4-12, a4-24 (die-cut label sheets, for boards); board-a4-10 "
            "(boards, 90 × 54 mm) and pole-a4-15 (small round poles, 38 × 80 mm), cut from "
            "printable vinyl along the cut marks. See docs/labels.md. Default: a4-24",
        )
        grid = parser.add_argument_group("custom sheet (millimetres; overrides the preset)")
        for name in ("columns", "rows"):
            grid.add_argument(f"--{name}", type=int)
        for name in ("label-width", "label-height", "margin-left", "margin-top", "gap-x", "gap-y"):
            grid.add_argument(f"--{name}", type=float)
        grid.add_argument(
            "--outline",
            action="store_true",
            help="also outline each label in grey (cut marks are always in the margins)",
        )
        pick = parser.add_argument_group("which assets (all criteria must hold)")
        pick.add_argument(
            "--type", action="append", default=[], dest="types", help="asset type code"
        )
        pick.add_argument(
            "--owner",
            action="append",
            default=[],
            dest="owners",
            help="organisation code (and those under it)",
        )
        pick.add_argument("--park", help="a park's id or ledger id: the park and its fixtures")
        pick.add_argument("--bbox", help="min_lon,min_lat,max_lon,max_lat")
        pick.add_argument("--ledger-ids", help="comma-separated ledger ids")
        pick.add_argument("--ledger-file", help="a file with one ledger id per line")
        pick.add_argument(
            "--without-label", action="store_true", help="only assets that have no label yet"
        )
        parser.add_argument(
            "--no-issue",
            action="store_true",
            help="skip assets without a label instead of issuing one",
        )

    def _layout(self, options) -> SheetLayout:
        base = PRESETS[options["preset"]]
        changes = {
            field: options[field]
            for field in (
                "columns",
                "rows",
                "label_width",
                "label_height",
                "margin_left",
                "margin_top",
                "gap_x",
                "gap_y",
            )
            if options.get(field) is not None
        }
        layout = SheetLayout(**{**base.__dict__, **changes, "outline": options["outline"]})
        try:
            layout.check()
        except LayoutError as exc:
            raise CommandError(str(exc), returncode=USAGE_ERROR) from None
        return layout

    def _ledger_ids(self, options) -> list[str]:
        ids = [i.strip() for i in (options["ledger_ids"] or "").split(",") if i.strip()]
        if options["ledger_file"]:
            try:
                text = Path(options["ledger_file"]).read_text(encoding="utf-8-sig")
            except OSError as exc:
                raise CommandError(
                    f"cannot read {options['ledger_file']}: {exc}", returncode=USAGE_ERROR
                ) from None
            ids += [line.strip() for line in text.splitlines() if line.strip()]
        return ids

    def handle(self, *args, **options):
        layout = self._layout(options)
        bbox = None
        if options["bbox"]:
            try:
                bbox = parse_bbox(options["bbox"])
            except CoordinateError as exc:
                raise CommandError(f"--bbox: {exc}", returncode=USAGE_ERROR) from None
        try:
            assets = selectors.assets_for_labels(
                Asset.objects.all(),
                type_codes=options["types"],
                owner_codes=options["owners"],
                park=options["park"],
                bbox=bbox,
                ledger_ids=self._ledger_ids(options),
            )
        except DomainError as exc:
            raise CommandError(str(exc), returncode=USAGE_ERROR) from None
        started = time.monotonic()
        with transaction.atomic():
            assets, issued = services.labels_prepare_print(
                assets=assets,
                without_label=options["without_label"],
                issue=not options["no_issue"],
                acting_user=policy.SYSTEM,
            )
            labelled = selectors.labels_active_among(assets)
            if not labelled.exists():
                raise CommandError("No labelled asset matched the selection: nothing to print.")
            contents = selectors.label_contents(assets)  # each in its own city's words
            count = 0

            def counted():
                nonlocal count
                for content in terminal(
                    contents, total=labelled.count, desc="labels", unit="label"
                ):
                    count += 1
                    yield content

            target = options["output"]
            stream = sys.stdout.buffer if target == "-" else open(target, "wb")  # noqa: SIM115
            try:
                size = write_sheets(
                    stream, counted(), layout=layout, title=f"{city.current().name} QR labels"
                )
            finally:
                if stream is not sys.stdout.buffer:
                    stream.close()
            services.labels_mark_printed_for(assets=assets)
        pages = -(-count // layout.per_page)
        message = (
            f"{count} labels on {pages} pages ({size // 1024} KB) in "
            f"{time.monotonic() - started:.1f} s; {issued} new labels issued."
        )
        (self.stderr if target == "-" else self.stdout).write(message)
