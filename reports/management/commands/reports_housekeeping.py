"""manage.py reports_housekeeping: run daily (cron or a scheduler)."""

from django.core.management.base import BaseCommand

from reports import services


class Command(BaseCommand):
    help = (
        "Delete contact details of reports that ended longer ago than "
        "REPORT_CONTACT_RETENTION_DAYS, and photos uploaded with forms that were never sent, "
        "and bring the stored priority of open reports up to date (changed assets, weights "
        "or places)."
    )

    def handle(self, *args, **options):
        contacts = services.reports_purge_contacts()
        staged = services.photos_sweep()
        files = services.photo_files_sweep()
        priorities = services.priorities_refresh()
        self.stdout.write(
            f"contact details deleted from {contacts} reports; {staged} unused photos and "
            f"{files} orphan files removed; priority changed on {priorities} open reports"
        )
