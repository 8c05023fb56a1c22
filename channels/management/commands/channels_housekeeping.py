"""manage.py channels_housekeeping: run daily, after reports_housekeeping. LINE user ids and
display names are contact details: forgotten once the reports they followed had their
contacts deleted and the user has said nothing for REPORT_CONTACT_RETENTION_DAYS."""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand

from channels import line


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options):
        days = settings.REPORT_CONTACT_RETENTION_DAYS
        forgotten = line.users_forget(older_than=datetime.timedelta(days=days))
        resumed = line.events_resume(older_than=datetime.timedelta(minutes=10))
        events = line.events_forget(older_than=datetime.timedelta(days=7))
        self.stdout.write(
            f"{forgotten} LINE users forgotten; {resumed} unhandled webhook events handed to "
            f"the workers again; {events} old webhook events deleted"
        )
