"""manage.py refresh_priorities: after changing PRIORITY_WEIGHTS or the context distance."""

from django.core.management.base import BaseCommand

from reports import services


class Command(BaseCommand):
    help = (
        "Recompute the stored parts of every open report's priority (run after changing "
        "PRIORITY_WEIGHTS or PRIORITY_CONTEXT_DISTANCE_M; reports_housekeeping does it daily)."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"priority changed on {services.priorities_refresh()} open reports")
