"""Read the city's report mailbox: each new mail becomes a report (or goes to the staff
folder with its reason), and its sender gets the receipt link by mail. `--once` for cron;
without it, a loop for a service (systemd), every `--every` seconds."""

import imaplib
import time

from django.core.management.base import BaseCommand, CommandError

from channels import mail


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="read the mailbox once and stop")
        parser.add_argument("--every", type=int, default=60, help="seconds between readings")

    def handle(self, *args, once=False, every=60, **options):
        if every < 5:
            raise CommandError("--every must be at least 5 seconds.")
        while True:
            try:
                counts = mail.mailbox_read()
            except RuntimeError as exc:
                raise CommandError(str(exc)) from exc
            except (OSError, imaplib.IMAP4.error) as exc:  # the server away: try again later
                if once:
                    raise CommandError(f"The mailbox could not be read: {exc}") from exc
                self.stderr.write(f"The mailbox could not be read: {exc}")
                counts = None
            if counts is not None:
                self.stdout.write(
                    " ".join(f"{name} {count}" for name, count in counts.items() if count)
                    or "nothing new"
                )
            if once:
                return
            time.sleep(every)
