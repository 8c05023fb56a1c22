"""Photos off the request path: a task worker makes each photo's public copy and thumbnail.

The request only checks what is cheap (reports/photos.py `check_photo`), keeps the original
privately and queues `photo_publish` in the same transaction as the photo's row (the task
backend is the database). The task is idempotent: it does nothing for a photo that is ready
or gone, writes its two files under names derived from the original's (a second run
overwrites the first's files rather than adding more), and flips the row to ready only if it
is still processing. A run that fails on the storage is queued again with a growing delay; a
run that never finishes (a worker killed mid-way leaves its task "running" for ever) is found
by `photos_resume`, which every task worker calls once a minute (the `task_worker` command),
and queued again. A photo that proves undecodable is dropped, with a note on its report.
"""

import datetime
import logging
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from reports import selectors
from reports.models import Photo, ReportEvent
from reports.photos import PhotoError, process_photo
from reports.selectors import PHOTO_PROCESSING_LOST_AFTER

logger = logging.getLogger(__name__)

# A storage that keeps failing: wait this long before the next run, doubling each time.
RETRY_DELAYS = (10, 30, 60, 120, 300, 600)


def derived_names(original: str) -> tuple[str, str]:
    """The public copy's and the thumbnail's names beside the original's:
    reports/2026/12/04/abc-original.heic -> reports/2026/12/04/abc.jpg, abc-thumb.jpg."""
    path = PurePosixPath(original)
    stem = path.stem.removesuffix("-original")
    return str(path.with_name(f"{stem}.jpg")), str(path.with_name(f"{stem}-thumb.jpg"))


def queue(photo: Photo) -> None:
    """Queue the photo's processing (call inside the transaction that saves the photo: with
    the database backend the task row commits or rolls back with it)."""
    photo_publish.enqueue(photo.pk)


@task()
def photo_publish(photo_id: int) -> dict:
    """Make a processing photo's public copy and thumbnail; drop it if it cannot be decoded.
    What happened, as a dict the immediate backend hands straight back to the request."""
    photo = Photo.objects.filter(pk=photo_id, state=Photo.State.PROCESSING).first()
    if photo is None:
        return {"photo": photo_id, "outcome": "nothing to do"}
    storage = storages["default"]
    try:
        with storage.open(photo.original) as handle:
            data = handle.read()
    except FileNotFoundError:
        data = None
    except Exception:
        return _retry_later(photo)
    try:
        if data is None:
            raise PhotoError("The original is missing.", code="unreadable")
        processed = process_photo(data, filename=photo.original)
    except PhotoError as exc:
        _drop(photo, exc.code)
        return {"photo": photo_id, "outcome": "dropped", "code": exc.code}
    public, thumbnail = derived_names(photo.original)
    try:
        for name, content in ((public, processed.public), (thumbnail, processed.thumbnail)):
            _overwrite(storage, name, content)
    except Exception:
        return _retry_later(photo)
    done = Photo.objects.filter(pk=photo_id, state=Photo.State.PROCESSING).update(
        state=Photo.State.READY,
        public=public,
        thumbnail=thumbnail,
        width=processed.public_size[0],
        height=processed.public_size[1],
    )
    if not done and not Photo.objects.filter(pk=photo_id).exists():
        # Discarded while we worked (a form given up): what we wrote is nobody's.
        _delete_quietly(storage, (public, thumbnail))
    return {"photo": photo_id, "outcome": "ready" if done else "nothing to do"}


def _overwrite(storage, name: str, content: bytes) -> None:
    """Write `name` whatever was there: a second run must not leave abc_x7Yz.jpg beside it."""
    if storage.exists(name):
        storage.delete(name)
    saved = storage.save(name, ContentFile(content))
    if saved != name:  # a race with another run of the same photo: keep one
        storage.delete(saved)


def _delete_quietly(storage, names) -> None:
    for name in names:
        try:
            storage.delete(name)
        except Exception:  # the orphan sweep (reports_housekeeping) finds it
            logger.warning("could not delete %s; the sweep will", name)


def _retry_later(photo: Photo) -> dict:
    """The storage did not answer: count the failure and run again after a pause (the
    resume does it when this backend cannot run a task later)."""
    logger.warning("photo %s: storage failed, will retry", photo.pk, exc_info=True)
    attempts = photo.attempts + 1
    Photo.objects.filter(pk=photo.pk).update(attempts=F("attempts") + 1, queued_at=timezone.now())
    if photo_publish.get_backend().supports_defer:
        delay = RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]
        run_after = timezone.now() + datetime.timedelta(seconds=delay)
        photo_publish.using(run_after=run_after).enqueue(photo.pk)
    return {"photo": photo.pk, "outcome": "retry", "attempts": attempts}


def _drop(photo: Photo, code: str) -> None:
    """Take away a photo that cannot be decoded, and say so on its report."""
    with transaction.atomic():
        locked = Photo.objects.select_for_update().filter(pk=photo.pk).first()
        if locked is None or locked.state != Photo.State.PROCESSING:
            return
        if locked.report_id:
            ReportEvent.objects.create(
                report_id=locked.report_id, kind=ReportEvent.Kind.PHOTO_DROPPED, text=code
            )
        locked.delete()
        names = [locked.original]
        transaction.on_commit(lambda: _delete_quietly(storages["default"], names))
    logger.info("photo %s dropped after the request: %s", photo.pk, code)


def photos_resume(*, lost_after: datetime.timedelta = PHOTO_PROCESSING_LOST_AFTER) -> int:
    """Queue again each photo still processing whose last queueing is older than
    `lost_after` (its run was lost with a killed worker, or its retry could not be deferred).
    Each is claimed by a conditional update first, so that two workers resuming at once
    queue it once."""
    lost = selectors.photos_processing_lost(lost_after=lost_after)
    ids = list(lost.values_list("pk", flat=True)[: settings.PHOTO_RESUME_BATCH])
    return _queue_again(lost, ids)


def photos_requeue(ids) -> int:
    """Queue again these photos, if still processing, at once: their runs are known lost
    (the worker that ran them was stopped and has just started again)."""
    return _queue_again(Photo.objects.filter(state=Photo.State.PROCESSING), ids)


def _queue_again(candidates, ids) -> int:
    queued = 0
    for pk in ids:
        with transaction.atomic():
            if candidates.filter(pk=pk).update(queued_at=timezone.now()):
                photo_publish.enqueue(pk)
                queued += 1
    if queued:
        logger.info("photos queued again: %s", queued)
    return queued
