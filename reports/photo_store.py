"""Photos in storage: stage an upload, discard what was not used, sweep what was left.

The one place photos are written to and deleted from the storage (a local folder or S3).
A photo is staged as soon as it arrives (so a form that comes back never asks for it
again) and attached when its report or "me too" is saved; what is never attached is
discarded by the caller that gave up, or swept a day later.
"""

import datetime
import logging
import uuid
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from django.contrib.gis.geos import Point
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus

from accounts.errors import DomainError
from reports import photo_tasks
from reports.models import Photo
from reports.photos import CheckedPhoto, PhotoError, ProcessedPhoto, check_photo, refusal_for
from reports.selectors import photos_unattached

logger = logging.getLogger(__name__)

_EXTENSIONS = {"jpeg": "jpg", "png": "png", "heif": "heic", "mpo": "mpo", "webp": "webp"}


class StorageUnavailable(DomainError):
    """The photo storage did not answer: nothing was kept; the resident may try again."""

    code = "storage_unavailable"


class SentExif(NamedTuple):
    """Where and when a photo was taken, as the resident's page read it from the original
    before shrinking it (the shrunk copy carries no EXIF); (lat, lon) like ProcessedPhoto."""

    gps: tuple[float, float] | None
    taken_at: datetime.datetime | None


def _storage():
    return storages["default"]


def photo_files_store(processed: ProcessedPhoto, *, prefix: str = "reports") -> list[str]:
    """Store a processed photo's original, public copy and thumbnail; on any failure,
    delete what was written and raise StorageUnavailable."""
    base = f"{prefix}/{timezone.localdate():%Y/%m/%d}/{uuid.uuid4().hex}"
    names = (
        f"{base}-original.{_EXTENSIONS.get(processed.original_format, 'bin')}",
        f"{base}.jpg",
        f"{base}-thumb.jpg",
    )
    storage, written = _storage(), []
    try:
        for name, content in zip(
            names, (processed.original, processed.public, processed.thumbnail), strict=True
        ):
            written.append(storage.save(name, ContentFile(content)))
    except Exception as exc:
        # Nothing half-stored: a sweep would find these, but there is no need to wait.
        logger.warning("photo storage failed: %s", exc)
        delete_files(written)
        raise StorageUnavailable("The photo could not be stored just now.") from exc
    return written


def photo_stage(*, data, filename: str = "", sent: SentExif | None = None) -> Photo:
    """Check one upload (cheaply: reports/photos.py check_photo), store its original, and
    keep it until a report (or a "me too") takes it; its public copy and thumbnail are made
    by a task worker (reports/photo_tasks.py), queued in the same transaction. The file's
    own EXIF place and time come first; `sent` fills what the file lacks. Raises PhotoError
    for a photo we cannot take and StorageUnavailable when the storage does not answer.

    With the immediate task backend (development, tests) the copies are made before this
    returns, and a photo that proves undecodable is refused here like any other."""
    checked: CheckedPhoto = check_photo(data, filename=filename)
    name = _store_original(checked)
    lat_lon = checked.gps or (sent.gps if sent else None)
    try:
        with transaction.atomic():
            photo = Photo.objects.create(
                state=Photo.State.PROCESSING,
                original=name,
                content_type=checked.content_type,
                sha256=checked.sha256,
                width=checked.size[0],
                height=checked.size[1],
                gps=Point(lat_lon[1], lat_lon[0], srid=4326) if lat_lon else None,
                taken_at=checked.taken_at or (sent.taken_at if sent else None),
                queued_at=timezone.now(),
            )
            result = photo_tasks.photo_publish.enqueue(photo.pk)
    except Exception:
        delete_files([name])
        raise
    if result.status == TaskResultStatus.SUCCESSFUL:  # run already: the immediate backend
        outcome = result.return_value
        if outcome.get("outcome") == "dropped":
            raise refusal_for(outcome.get("code", "unreadable"))
        photo.refresh_from_db()
    return photo


def _store_original(checked: CheckedPhoto) -> str:
    """Store the original as sent (private); raise StorageUnavailable when the storage fails."""
    extension = _EXTENSIONS.get(checked.original_format, "bin")
    name = f"reports/{timezone.localdate():%Y/%m/%d}/{uuid.uuid4().hex}-original.{extension}"
    try:
        return _storage().save(name, ContentFile(checked.original))
    except Exception as exc:
        logger.warning("photo storage failed: %s", exc)
        raise StorageUnavailable("The photo could not be stored just now.") from exc


def photos_stage(
    uploads, *, room: int, sent: Sequence[SentExif | None] = ()
) -> tuple[list[Photo], list[tuple[str, PhotoError]]]:
    """Stage each upload (at most `room`), with `sent[i]` for the i-th: (the photos kept,
    (name, error) for each file refused). A storage failure discards this batch and raises
    StorageUnavailable."""
    photos, refused = [], []
    try:
        for index, upload in enumerate(uploads):
            name = getattr(upload, "name", "") or f"#{index + 1}"
            if index >= room:
                refused.append((name, PhotoError("too many photos", code="too_many_photos")))
                continue
            try:
                given = sent[index] if index < len(sent) else None
                photos.append(photo_stage(data=upload, filename=name, sent=given))
            except PhotoError as exc:
                refused.append((name, exc))
    except StorageUnavailable:
        photos_discard(photos)
        raise
    return photos, refused


def photos_discard(photos) -> None:
    """Staged photos that no report took: gone now, not at the next sweep."""
    for photo in photos:
        if photo.pk is None:
            continue
        if Photo.objects.filter(pk=photo.pk, report__isnull=True, me_too__isnull=True).exists():
            names = photo.names
            Photo.objects.filter(pk=photo.pk).delete()
            delete_files(names)


def delete_files(names) -> None:
    storage = _storage()
    for name in names:
        try:
            storage.delete(name)
        except Exception:  # the sweep removes what could not be deleted now
            logger.warning("could not delete %s; the sweep will", name)


def photos_sweep(*, older_than: datetime.timedelta = datetime.timedelta(hours=24)) -> int:
    """Delete staged photos never attached to a report, with their files."""
    count = 0
    for photo in photos_unattached(older_than=older_than).iterator():
        delete_files(photo.names)
        photo.delete()
        count += 1
    return count


def photo_files_orphaned(
    *, older_than: datetime.timedelta = datetime.timedelta(hours=24)
) -> Iterator[str]:
    """Files under reports/ that no photo row names and that are older than `older_than`
    (left by a crash between the storage write and the database commit); reads only."""
    storage, known = _storage(), set()
    for names in Photo.objects.values_list("original", "public", "thumbnail").iterator():
        known.update(names)
    cutoff = timezone.now() - older_than

    def walk(folder):
        try:
            folders, files = storage.listdir(folder)
        except FileNotFoundError:
            return
        for name in files:
            path = f"{folder}/{name}"
            if path in known:
                continue
            try:
                modified = storage.get_modified_time(path)
            except Exception:
                modified = None
            if modified is None or modified < cutoff:
                yield path
        for sub in folders:
            yield from walk(f"{folder}/{sub}")

    yield from walk("reports")


def photo_files_sweep(*, older_than: datetime.timedelta = datetime.timedelta(hours=24)) -> int:
    """Delete files under reports/ that no photo row names (see photo_files_orphaned)."""
    storage, removed = _storage(), 0
    for path in photo_files_orphaned(older_than=older_than):
        storage.delete(path)
        removed += 1
    return removed
