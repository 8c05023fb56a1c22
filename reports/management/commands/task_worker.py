"""`manage.py task_worker`: django-tasks-db's `db_worker`, plus care for what a killed worker
leaves behind.

db_worker leaves a task "running" for ever when its worker is killed mid-way; the photo it was
making would stay "processing". So:
- at start, the tasks still "running" under this worker's own id (given with --worker-id, as
  the systemd unit does: worker-1 started again after it was killed) are its previous life's:
  they are marked failed (WorkerLost), and their photos are queued again at once;
- once a minute (and at start), photos whose processing was queued longer ago than
  PHOTO_PROCESSING_LOST_AFTER are queued again, whichever worker lost them
  (reports/photo_tasks.py photos_resume), so that as long as one worker lives, nothing is
  lost. Each photo is claimed with a conditional update: two workers never queue it twice.
Takes every option db_worker takes.
"""

import logging
import threading

from django.db import close_old_connections
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.models import DBTaskResult

from reports import photo_tasks

PHOTO_TASK = f"{photo_tasks.photo_publish.func.__module__}.{photo_tasks.photo_publish.name}"


class WorkerLost(Exception):
    """The worker running this task was stopped before the task finished."""


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
            _reclaim(options["worker_id"])
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


def _reclaim(worker_id: str) -> None:
    """Fail the tasks this worker id left running when it was killed; queue their photos."""
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
    photos = []
    for result in running:
        if not result.worker_ids or result.worker_ids[-1] != worker_id:
            continue
        result.set_failed(WorkerLost(f"{worker_id} was stopped while running this task"))
        if result.task_path == PHOTO_TASK:
            photos.extend(result.args_kwargs.get("args", [])[:1])
    if photos:
        logger.warning("%s was stopped mid-way: %s photos queued again", worker_id, len(photos))
        photo_tasks.photos_requeue(photos)
