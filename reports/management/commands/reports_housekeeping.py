"""manage.py reports_housekeeping: run daily (cron or a scheduler)."""

from django.core.management.base import BaseCommand

from reports import notices, photo_store, services


class Command(BaseCommand):
    help = (
        "Delete contact details of reports that ended longer ago than "
        "REPORT_CONTACT_RETENTION_DAYS, and photos uploaded with forms that were never sent, "
        "bring the stored priority of open reports up to date (changed assets, weights or "
        "places), and send each person a new receipt link that is still due to them."
    )

    def handle(self, *args, **options):
        contacts = services.reports_purge_contacts()
        staged = photo_store.photos_sweep()
        files = photo_store.photo_files_sweep()
        priorities = services.priorities_refresh()
        links = notices.receipt_links_announce()
        self.stdout.write(
            f"contact details deleted from {contacts} reports; {staged} unused photos and "
            f"{files} orphan files removed; priority changed on {priorities} open reports; "
            f"{links} new receipt links sent"
        )
