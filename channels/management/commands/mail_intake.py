"""Read the report mailboxes: each active city's own (the settings' one when no City is
configured). Each new mail becomes a report of the city whose mailbox it came to (or goes to
that mailbox's staff folder with its reason), and its sender gets the receipt link by mail.
`--once` for cron; without it, a loop for a service (systemd), every `--every` seconds.

A mailbox that cannot be read (its server away, a wrong password) is said on stderr and
the others are read all the same; with `--once` the command then ends with an error naming
the mailboxes it could not read."""

import imaplib
import logging
import time

from django.core.management.base import BaseCommand, CommandError

from channels import mail

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="read the mailboxes once and stop")
        parser.add_argument("--every", type=int, default=60, help="seconds between readings")

    def handle(self, *args, once=False, every=60, **options):
        if every < 5:
            raise CommandError("--every must be at least 5 seconds.")
        while True:
            failed = self.read_all()
            if once:
                if failed:
                    raise CommandError(f"Mailboxes not read: {', '.join(failed)}.")
                return
            time.sleep(every)

    def read_all(self) -> list[str]:
        """Read every city's mailbox once; returns those that could not be read."""
        cities = mail.mailboxes()
        if not cities:
            raise CommandError("No report mailbox is set up (MAIL_INTAKE_HOST, or a city's).")
        several = len(cities) > 1 or cities[0].id is not None
        failed = []
        for here in cities:
            name = f"{here.slug}: " if several else ""
            try:
                counts = mail.mailbox_read(here)
            except (OSError, imaplib.IMAP4.error) as exc:  # the server away: try again later
                logger.warning("mailbox of %s not read: %s", here.slug or "the city", exc)
                self.stderr.write(f"{name}The mailbox could not be read: {exc}")
                failed.append(here.slug or "the mailbox")
                continue
            said = " ".join(f"{key} {count}" for key, count in counts.items() if count)
            self.stdout.write(name + (said or "nothing new"))
        return failed
