"""manage.py reports_housekeeping: run daily (cron or a scheduler)."""

from django.core.management.base import BaseCommand

from config.progress import terminal
from reports import (
    idempotency,
    notices,
    owner_links,
    photo_store,
    photo_tasks,
    privacy,
    selectors,
    services,
)

STAGED = selectors.STAGED_PHOTO_LIFETIME


def _count(items) -> int:
    return sum(1 for _ in items)


# Each step as a pair: what it does (returning how many), and the same count read only.
STEPS = [
    (
        lambda: privacy.reports_purge_contacts(),
        lambda: selectors.reports_contacts_due().count(),
    ),
    (
        lambda: photo_store.photos_sweep(older_than=STAGED),
        lambda: selectors.photos_unattached(older_than=STAGED).count(),
    ),
    (
        lambda: photo_store.photo_files_sweep(older_than=STAGED),
        lambda: _count(photo_store.photo_files_orphaned(older_than=STAGED)),
    ),
    (
        lambda: services.priorities_refresh(),
        lambda: _count(selectors.priorities_outdated()),
    ),
    (
        lambda: notices.receipt_links_announce(),
        lambda: selectors.receipts_to_announce().count(),
    ),
    (
        lambda: notices.owner_reminders_send(),
        lambda: owner_links.reminders_due().count(),
    ),
    (
        lambda: idempotency.keys_expire(),
        lambda: idempotency.keys_expired().count(),
    ),
    (
        lambda: photo_tasks.photos_resume(),
        lambda: selectors.photos_processing_lost().count(),
    ),
]


class Command(BaseCommand):
    help = (
        "Delete contact details of reports that ended longer ago than "
        "REPORT_CONTACT_RETENTION_DAYS, and photos uploaded with forms that were never sent, "
        "bring the stored priority of open reports up to date (changed assets, weights or "
        "places), send each person a new receipt link that is still due to them, and remind "
        "the city once of each owner or contractor without an account who let the target "
        "pass without a word, and forget the idempotency keys of receipts older than a day "
        "(the receipts stay), and queue again the processing of photos that a task worker "
        "lost. "
        "--dry-run says what it would do and changes nothing. A progress bar goes to stderr "
        "when it is a terminal. Exit codes: 0 done; 1 failed (the database or the photo "
        "storage did not answer; what was done before stays done); 2 bad usage."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="count what would be deleted, refreshed and sent; change nothing",
        )

    def handle(self, *args, dry_run, **options):
        steps = terminal(STEPS, total=len(STEPS), desc="housekeeping", unit="step")
        contacts, staged, files, priorities, links, reminders, keys, resumed = (
            count() if dry_run else step() for step, count in steps
        )
        if dry_run:
            self.stdout.write(
                f"dry run, nothing changed: contact details would be deleted from {contacts} "
                f"reports; {staged} unused photos and {files} orphan files would be removed; "
                f"priority would change on {priorities} open reports; {links} new receipt "
                f"links would be sent; the city would be reminded of {reminders} silent owners; "
                f"{keys} idempotency keys would be forgotten; {resumed} photos would be "
                "queued again for processing"
            )
            return
        self.stdout.write(
            f"contact details deleted from {contacts} reports; {staged} unused photos and "
            f"{files} orphan files removed; priority changed on {priorities} open reports; "
            f"{links} new receipt links sent; the city reminded of {reminders} silent owners; "
            f"{keys} idempotency keys forgotten; {resumed} photos queued again for processing"
        )
