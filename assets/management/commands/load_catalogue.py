"""manage.py load_catalogue: the standard asset types and fault categories."""

from django.core.management.base import BaseCommand

from assets.services import catalogue_install


class Command(BaseCommand):
    help = (
        "Create or refresh the standard asset types, grading scales and fault categories "
        "(idempotent; a city's own extra types and categories are kept)."
    )

    def handle(self, *args, **options):
        created = catalogue_install()
        self.stdout.write(
            f"Catalogue ready: {created['types']} new asset types, "
            f"{created['categories']} new fault categories."
        )
