"""An inspection's photos: added once per content, sent as a file or straight to the
bucket through a presigned PUT that carries the photo's checksum."""

import base64
import datetime
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.files.storage import storages
from django.core.files.storage.filesystem import FileSystemStorage
from django.db import IntegrityError, transaction
from django.utils import timezone

from inspections.errors import InspectionError
from inspections.models import Defect, Inspection, InspectionPhoto
from inspections.selectors import inspection_photo
from reports import photo_store
from reports.photos import process_photo

UPLOAD_PREFIX = "uploads/inspections"
UPLOAD_SECONDS = 900  # how long a presigned PUT stays good


def photo_size_check(size: int) -> None:
    if size > settings.PHOTO_MAX_BYTES:
        raise InspectionError("The photo is too large.", code="too_large")


def photo_defect(*, inspection: Inspection, position: int | None) -> Defect | None:
    """The defect a photo shows, by its position in the inspection; None for the whole."""
    if position is None:
        return None
    defect = inspection.defects.filter(position=position).first()
    if defect is None:
        raise InspectionError("No such defect in this inspection.", code="invalid")
    return defect


@dataclass(frozen=True)
class PhotoDeclared:
    """What a tablet read from a photo's EXIF before shrinking it."""

    taken_at: datetime.datetime | None = None
    lat: float | None = None
    lon: float | None = None


# As the server reads a photo's own EXIF (reports/exif.py) and a resident's declared time
# (reports/forms.py): a time before 2000 or in the future is a camera clock never set, and
# 0,0 a receiver without a fix; both count as unknown.
_EARLIEST = datetime.datetime(2000, 1, 2, tzinfo=datetime.UTC)


def _photo_point(exif_gps, declared: PhotoDeclared | None) -> Point | None:
    if exif_gps:
        return Point(exif_gps[1], exif_gps[0], srid=4326)
    if declared is None or declared.lat is None or declared.lon is None:
        return None
    if not (declared.lat or declared.lon):
        return None
    return Point(declared.lon, declared.lat, srid=4326)


def _photo_time(exif_time, declared: PhotoDeclared | None) -> datetime.datetime | None:
    if exif_time or declared is None or declared.taken_at is None:
        return exif_time
    when = declared.taken_at
    if when.tzinfo is None:
        when = timezone.make_aware(when, timezone.get_default_timezone())
    if when < _EARLIEST or when > timezone.now() + datetime.timedelta(days=1):
        return None
    return when


def inspection_photo_add(
    *,
    inspection: Inspection,
    data: bytes,
    defect: Defect | None = None,
    sha256: str = "",
    declared: PhotoDeclared | None = None,
) -> tuple[InspectionPhoto, bool]:
    """Add a photo to an inspection, once per content: (photo, created). `sha256`, when the
    tablet declared one, must match the bytes received. `declared` is the time and place
    the tablet read from the original's EXIF before it shrank the photo (the shrunk copy has
    no EXIF): used where the bytes received carry none."""
    digest = hashlib.sha256(data).hexdigest()
    if sha256 and sha256.lower() != digest:
        raise InspectionError(
            "The photo's content does not match its checksum.", code="checksum_mismatch"
        )
    existing = inspection_photo(inspection=inspection, sha256=digest)
    if existing is not None:
        return existing, False
    processed = process_photo(data)
    names = photo_store.photo_files_store(processed, prefix="inspections")
    try:
        with transaction.atomic():
            photo = InspectionPhoto.objects.create(
                inspection=inspection,
                defect=defect,
                sha256=digest,
                original=names[0],
                public=names[1],
                thumbnail=names[2],
                content_type=processed.content_type,
                width=processed.public_size[0],
                height=processed.public_size[1],
                gps=_photo_point(processed.gps, declared),
                taken_at=_photo_time(processed.taken_at, declared),
            )
    except IntegrityError:
        # The same photo arrived twice at once: keep the first, drop our copy.
        photo_store.delete_files(names)
        return InspectionPhoto.objects.get(inspection=inspection, sha256=digest), False
    except Exception:
        photo_store.delete_files(names)
        raise
    return photo, True


def _bucket():
    """The S3 storage; None where photos are kept in a local folder."""
    storage = storages["default"]
    return None if isinstance(storage, FileSystemStorage) else storage


def _upload_key(inspection: Inspection, sha256: str) -> str:
    return f"{UPLOAD_PREFIX}/{inspection.uuid}/{sha256}"


def inspection_photo_upload(*, inspection: Inspection, sha256: str, content_type: str) -> dict:
    """A presigned PUT (method, url, headers) for the photo straight into the bucket; its
    checksum is signed, so S3 refuses other bytes. Then inspection_photo_confirm."""
    storage = _bucket()
    if storage is None:
        raise InspectionError("Send the photo as multipart (field `file`).", code="send_multipart")
    checksum = base64.b64encode(bytes.fromhex(sha256)).decode()
    url = storage.bucket.meta.client.generate_presigned_url(
        "put_object",
        Params={
            "Bucket": storage.bucket_name,
            "Key": _upload_key(inspection, sha256),
            "ContentType": content_type,
            "ChecksumSHA256": checksum,
        },
        ExpiresIn=UPLOAD_SECONDS,
    )
    return {
        "method": "PUT",
        "url": url,
        "headers": {"Content-Type": content_type, "x-amz-checksum-sha256": checksum},
    }


def inspection_photo_confirm(
    *,
    inspection: Inspection,
    sha256: str,
    defect_position: int | None,
    declared: PhotoDeclared | None = None,
) -> tuple[InspectionPhoto, bool]:
    """After the presigned upload: fetch the object, add it as the inspection's photo (its
    checksum and image checked, the EXIF-free public copy made) and forget the upload."""
    storage = _bucket()
    if storage is None:
        raise InspectionError("There are no presigned uploads here.", code="send_multipart")
    key = _upload_key(inspection, sha256)
    client = storage.bucket.meta.client
    try:
        head = client.head_object(Bucket=storage.bucket_name, Key=key)
    except client.exceptions.ClientError:
        raise InspectionError("The upload has not arrived.", code="upload_missing") from None
    try:
        photo_size_check(head["ContentLength"])
    except InspectionError:
        client.delete_object(Bucket=storage.bucket_name, Key=key)
        raise
    data = client.get_object(Bucket=storage.bucket_name, Key=key)["Body"].read()
    try:
        return inspection_photo_add(
            inspection=inspection,
            data=data,
            sha256=sha256,
            defect=photo_defect(inspection=inspection, position=defect_position),
            declared=declared,
        )
    finally:
        client.delete_object(Bucket=storage.bucket_name, Key=key)
