"""manage.py seed_demo: a synthetic Izumo with organisations, assets and demo accounts."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from assets.models import Asset
from assets.services import catalogue_install
from config.progress import terminal
from demo import city as demo


class Command(BaseCommand):
    help = (
        "Create the demo city: catalogue, organisations, assets and (with --accounts) users. "
        "A progress bar goes to stderr when it is a terminal. Exit codes: 0 done; 1 failed; "
        "2 bad usage (such as a negative --assets)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--assets", type=int, default=3000, help="how many assets (default 3000)"
        )
        parser.add_argument("--seed", type=int, default=1, help="random seed: same seed, same city")
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing to assets if some exist already"
        )
        parser.add_argument(
            "--accounts",
            action="store_true",
            help="create demo users (manager, staff, inspector, viewer, admin) and print them",
        )

    def handle(self, *args, assets, seed, if_empty, accounts, **options):
        if assets < 0:
            raise CommandError("--assets must be 0 or more", returncode=2)
        catalogue_install()
        demo.organizations_install()
        demo.categories_route()
        if if_empty and Asset.objects.exists():
            self.stdout.write(f"Demo data already there ({Asset.objects.count()} assets).")
        elif assets:
            demo.towns_install(assets=assets)
            started = time.monotonic()
            written = demo.demo_assets_install(assets=assets, seed=seed, progress=terminal)
            self.stdout.write(
                f"Wrote {written} demo assets in {time.monotonic() - started:.1f} s (seed {seed})."
            )
        if accounts:
            path = settings.VAR_DIR / "demo-accounts.txt"
            self.stdout.write(self.style.SUCCESS(f"Demo accounts (also in {path}):"))
            for username, password, description in demo.demo_accounts_install(path):
                self.stdout.write(f"  {username:<10} {password:<16} {description}")
