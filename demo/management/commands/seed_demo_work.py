"""manage.py seed_demo_work: five years of inspections and a morning's queue for the demo."""

from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from config.progress import terminal
from demo import work as demo


class Command(BaseCommand):
    help = (
        "Give the demo city a working life: schools and stations near which faults count more, "
        "five years of inspections and works (condition history) with the deterioration models "
        "fitted from them, and open faults reported by "
        "residents. Needs seed_demo --accounts and load_checklists first. A progress bar goes "
        "to stderr when it is a terminal. Exit codes: 0 done; 1 failed; 2 bad usage."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing if reports or inspections exist"
        )

    def handle(self, *args, seed, if_empty, **options):
        if if_empty and demo.demo_work_exists():
            self.stdout.write("Demo work already there.")
            return
        # The demo's residents and sections are fictional: their emails go nowhere.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            counts = demo.demo_work_install(seed=seed, progress=terminal)
        self.stdout.write(
            f"Demo work: {counts['places']} places, {counts['inspections']} inspections, "
            f"{counts['works']} works, {counts['reports']} open reports (priority set on "
            f"{counts['priorities']}), {counts['models']} deterioration models."
        )
