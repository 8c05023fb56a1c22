"""`manage.py task_worker`: django-tasks-db's `db_worker`, plus a look once a minute for
photos whose processing was lost (reports/photo_tasks.py photos_resume).

db_worker leaves a task "running" for ever when its worker is killed mid-way; the photo it was
making would stay "processing". Every task worker runs the resume, so that as long as one
worker lives, nothing is lost; the resume claims each photo with a conditional update, so two
workers never queue the same photo twice. Takes every option db_worker takes.
"""

import logging
import threading

from django.db import close_old_connections
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from reports import photo_tasks

logger = logging.getLogger(__name__)


class Command(DbWorkerCommand):
    help = "Run a task worker (db_worker) that also resumes photos whose processing was lost."

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--resume-every",
            type=float,
            default=60.0,
            help="Seconds between looks for lost photo processing (0: never).",
        )

    def handle(self, *args, **options):
        every = options.pop("resume_every")
        try:  # what a worker killed before this start left behind
            photo_tasks.photos_resume()
        except Exception:
            logger.warning("photos resume failed", exc_info=True)
        if every > 0 and not options.get("batch"):
            stop = threading.Event()
            thread = threading.Thread(
                target=_resume_loop, args=(every, stop), name="photos-resume", daemon=True
            )
            thread.start()
        return super().handle(*args, **options)


def _resume_loop(every: float, stop: threading.Event) -> None:
    while not stop.wait(every):
        try:
            photo_tasks.photos_resume()
        except Exception:  # a database away for a moment: try again next time
            logger.warning("photos resume failed", exc_info=True)
        finally:
            close_old_connections()
