"""manage.py load_checklists: the standard inspection checklists, one per asset type."""

from django.core.management.base import BaseCommand

from inspections.checklists import checklists_install


class Command(BaseCommand):
    help = "Publish the standard checklists (a new version only where the items changed)."

    def handle(self, *args, **options):
        published = checklists_install()
        self.stdout.write(f"{published} checklist versions published.")
