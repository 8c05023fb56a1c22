"""Resident photos: check an upload, keep the original, publish an EXIF-free JPEG and a thumbnail.

Two steps, so that the request does only the first: `check_photo` decides from what is cheap
and decisive (the type from the header bytes, the size, the pixel count from the header, the
EXIF place and time) and `process_photo` decodes and re-encodes, which task workers do
(reports/photo_tasks.py). Pure image handling: no models, no storage. Everything that goes
wrong becomes a PhotoError with a stable code; nothing from Pillow, pillow-heif or exifread
(reports/exif.py) escapes.

Why it is long: one job, every way a phone's photo can be odd (HEIC turns, 16-bit PNGs, CMYK,
colour profiles, bombs), each handled here so that no caller meets them.
"""

import contextlib
import datetime
import hashlib
import io
import logging
import re
import time
import warnings
from dataclasses import dataclass

import pillow_heif
from django.conf import settings
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError
from prometheus_client import Histogram

from accounts.errors import DomainError
from reports import exif

logger = logging.getLogger(__name__)

pillow_heif.register_heif_opener()

PROCESSING_SECONDS = Histogram(
    "machimori_photo_processing_seconds",
    "Time to check one uploaded photo and make its public copy and thumbnail, by outcome.",
    ["outcome"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16),
)

# Pillow format -> (original_format, content type of the original).
ACCEPTED = {
    "JPEG": ("jpeg", "image/jpeg"),
    # An MPO is a JPEG with more frames after the first; every viewer shows it as a JPEG.
    "MPO": ("mpo", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "HEIF": ("heif", "image/heif"),
    "WEBP": ("webp", "image/webp"),
}
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"}
_REFUSED_MAGIC = (
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"BM", "BMP"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
)
_SIXTEEN_BIT = {"I", "I;16", "I;16B", "I;16L", "I;16N"}


class PhotoError(DomainError):
    """An upload we cannot take as a photo; `code` says why."""

    code = "unreadable"


@dataclass(frozen=True)
class CheckedPhoto:
    """An upload that passed the cheap checks: the original as sent, its size as its header
    declares it (before any EXIF turn), and its EXIF location and time."""

    original: bytes
    original_format: str
    content_type: str
    size: tuple[int, int]
    gps: tuple[float, float] | None
    taken_at: datetime.datetime | None
    sha256: str


@dataclass(frozen=True)
class ProcessedPhoto:
    """An accepted upload: the original as sent, its public JPEG and thumbnail, and its EXIF
    location and time (both None when absent or not believable)."""

    original: bytes
    original_format: str
    content_type: str
    public: bytes
    public_size: tuple[int, int]
    thumbnail: bytes
    gps: tuple[float, float] | None
    taken_at: datetime.datetime | None
    sha256: str


def _setting(name: str, default: int) -> int:
    return getattr(settings, name, default)


def process_photo(data, *, filename: str = "") -> ProcessedPhoto:
    """Check one upload (bytes or a file) and make its public copy and thumbnail.

    Raises PhotoError; `filename` is only used in log lines, never to decide the type."""
    started = time.perf_counter()
    outcome = "refused"
    try:
        processed = _process(data, filename)
        outcome = "accepted"
        return processed
    finally:
        PROCESSING_SECONDS.labels(outcome).observe(time.perf_counter() - started)


def check_photo(data, *, filename: str = "") -> CheckedPhoto:
    """What a request decides before it keeps an upload, without decoding its pixels: the
    size, the type from the header bytes, the pixel count the header declares, and the EXIF
    place and time. Raises PhotoError. A file that passes may still prove undecodable; the
    worker's process_photo finds that. A refusal is timed here as "refused"; an accepted
    photo is timed once its copies are made (or it is refused then)."""
    started = time.perf_counter()
    try:
        return _check(data, filename)
    except PhotoError:
        PROCESSING_SECONDS.labels("refused").observe(time.perf_counter() - started)
        raise


def _check(data, filename: str) -> CheckedPhoto:
    data = _read(data, _setting("PHOTO_MAX_BYTES", 15 * 1024 * 1024))
    kind = _sniff(data)
    try:
        with _quiet_pillow(), _open(data, kind) as image:
            original_format, content_type = ACCEPTED[image.format]
            if image.format == "HEIF":
                content_type = image.get_format_mimetype() or content_type
            size = image.size
    except PhotoError:
        raise
    except Exception as exc:
        raise _refusal(exc, filename) from exc
    tags = exif.read(data, heif=_is_heif(data))
    return CheckedPhoto(
        original=data,
        original_format=original_format,
        content_type=content_type,
        size=size,
        gps=exif.gps(tags),
        taken_at=exif.taken_at(tags),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def refusal_for(code: str) -> PhotoError:
    """The PhotoError a worker's refusal `code` stands for (told to a request that waited
    for the worker: the immediate task backend)."""
    if code in _DECODING_REFUSALS:
        return PhotoError(_DECODING_REFUSALS[code], code=code)
    if code == "too_many_pixels":
        return _too_many_pixels(None)
    return PhotoError(_DECODING_REFUSALS["unreadable"], code="unreadable")


def _process(data, filename: str) -> ProcessedPhoto:
    checked = _check(data, filename)
    try:
        with _quiet_pillow(), _open(checked.original, _sniff(checked.original)) as image:
            public_image = _public_image(image, _setting("PHOTO_PUBLIC_MAX_PX", 2048))
            thumbnail_image = _fit(public_image, _setting("PHOTO_THUMB_MAX_PX", 400))
            quality = _setting("PHOTO_JPEG_QUALITY", 82)
            public, thumbnail = _jpeg(public_image, quality), _jpeg(thumbnail_image, quality)
    except PhotoError:
        raise
    except Exception as exc:
        raise _refusal(exc, filename) from exc
    return ProcessedPhoto(
        original=checked.original,
        original_format=checked.original_format,
        content_type=checked.content_type,
        public=public,
        public_size=public_image.size,
        thumbnail=thumbnail,
        gps=checked.gps,
        taken_at=checked.taken_at,
        sha256=checked.sha256,
    )


def read_gps(data: bytes) -> tuple[float, float] | None:
    """(lat, lon) from the EXIF GPS block of a JPEG, HEIC, PNG or WebP; None when unknown."""
    return exif.gps(exif.read(data, heif=_is_heif(data)))


# --- Reading and checking ------------------------------------------------------------------


def _read(data, limit: int) -> bytes:
    if isinstance(data, (bytes, bytearray, memoryview)):
        data = bytes(data)
    else:
        size = getattr(data, "size", None)
        if isinstance(size, int) and size > limit:
            raise _too_large(limit)
        with contextlib.suppress(AttributeError, OSError, ValueError):
            data.seek(0)
        data = data.read(limit + 1)
    if len(data) > limit:
        raise _too_large(limit)
    if not data:
        raise PhotoError("The file is empty.", code="unreadable")
    return data


def _too_large(limit: int) -> PhotoError:
    megabytes = limit / (1024 * 1024)
    return PhotoError(f"The photo is larger than {megabytes:.3g} MB.", code="too_large")


def _sniff(data: bytes) -> str:
    """The Pillow format to open the data with, decided from its first bytes."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if _is_heif(data):
        return "HEIF"
    for magic, name in _REFUSED_MAGIC:
        if data.startswith(magic):
            raise _unsupported(name)
    if (name := _other_image_format(data)) is not None:
        raise _unsupported(name)
    raise PhotoError("The file is not an image we can read.", code="unreadable")


def _is_heif(data: bytes) -> bool:
    if data[4:8] != b"ftyp":
        return False
    box_size = int.from_bytes(data[:4], "big")
    major, compatible = data[8:12], data[16 : min(box_size, 256)]
    brands = {major} | {compatible[i : i + 4] for i in range(0, len(compatible) - 3, 4)}
    # AVIF shares the container (and often mif1) but is not a type we accept.
    return bool(brands & _HEIF_BRANDS) and major not in {b"avif", b"avis"}


def _other_image_format(data: bytes) -> str | None:
    """The name of another image format Pillow recognises from the header, if any."""
    try:
        with _quiet_pillow(), Image.open(io.BytesIO(data)) as image:
            return image.format
    except Image.DecompressionBombError:
        return ""
    except Exception:
        return None


def _unsupported(name: str) -> PhotoError:
    what = f"{name} files are" if name else "This type of image is"
    return PhotoError(
        f"{what} not accepted. Please send a JPEG, PNG, HEIC or WebP photo.",
        code="unsupported_type",
    )


@contextlib.contextmanager
def _quiet_pillow():
    """Pillow's warnings (corrupt EXIF, large images) do not change what we decide.

    The size check below refuses what Pillow would only warn about; with warnings turned
    into errors they would otherwise abort a good photo. catch_warnings swaps process-wide
    state: the worst a thread race can do is leave these warnings ignored.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", module=r"(PIL|pillow_heif)(\.|$)")
        yield


def _open(data: bytes, kind: str) -> Image.Image:
    """The image with only its header read; refused when it has too many pixels."""
    image = Image.open(io.BytesIO(data), formats=[kind])
    if image.format not in ACCEPTED:
        raise _unsupported(image.format or "")
    width, height = image.size
    if width < 1 or height < 1:
        raise PhotoError("The image has no pixels.", code="unreadable")
    if width * height > _setting("PHOTO_MAX_PIXELS", 50_000_000):
        raise _too_many_pixels(width * height)
    return image


def _too_many_pixels(pixels: int | None) -> PhotoError:
    limit = f"at most {_setting('PHOTO_MAX_PIXELS', 50_000_000) / 1_000_000:g} megapixels"
    if pixels is None:
        return PhotoError(
            f"The image has too many pixels; {limit} are accepted.", code="too_many_pixels"
        )
    return PhotoError(
        f"The image has {pixels / 1_000_000:,.0f} megapixels; {limit} are accepted.",
        code="too_many_pixels",
    )


# What decoding can find wrong that the header did not show, by code.
_DECODING_REFUSALS = {
    "truncated": "The photo file is incomplete; the upload may have been cut off.",
    "decompression_bomb": "The file holds data that expands to an unreasonable size; it was "
    "refused.",
    "unreadable": "The file could not be read as a photo.",
}


def _refusal(exc: Exception, filename: str) -> PhotoError:
    """The PhotoError for an exception raised while decoding."""
    message = str(exc)
    if isinstance(exc, (Image.DecompressionBombError, Image.DecompressionBombWarning)):
        declared = re.search(r"\((\d+) pixels\)", message)
        return _too_many_pixels(int(declared.group(1)) if declared else None)
    if isinstance(exc, ValueError) and "Decompressed data too large" in message:
        return refusal_for("decompression_bomb")
    if isinstance(exc, MemoryError):
        return PhotoError("The image needs too much memory to open.", code="decompression_bomb")
    if isinstance(exc, EOFError) or (isinstance(exc, OSError) and "truncated" in message.lower()):
        return refusal_for("truncated")
    if not isinstance(exc, (OSError, SyntaxError, ValueError, UnidentifiedImageError)):
        logger.warning("photo %r refused as unreadable", filename, exc_info=exc)
    return refusal_for("unreadable")


# --- The public copy -----------------------------------------------------------------------


def _public_image(image: Image.Image, limit: int) -> Image.Image:
    """Decoded once, at most `limit` pixels on its longest side, upright, plain RGB."""
    if image.format in {"JPEG", "MPO"}:
        image.draft("RGB", _draft_size(image.size, limit))
    image.load()
    icc_profile = image.info.get("icc_profile")
    public = _fit(_eight_bit(image), limit)
    if image.format != "HEIF":
        # Not for HEIC: pillow-heif has already applied the container's rotation (irot/imir)
        # while decoding, and the EXIF Orientation in the file (6 on an upright iPhone photo)
        # describes that same turn; applying it again would lay the photo on its side.
        public = _upright(public)
    return _srgb(public, icc_profile)


def _draft_size(size: tuple[int, int], limit: int) -> tuple[int, int]:
    """The size to ask JPEG DCT scaling for: the smallest 1/2, 1/4 or 1/8 scale that keeps 90%
    of the limit. A 4000×3000 photo decodes straight to 2000×1500 in about a third of the time
    of a full decode and resample to 2048×1536; 2% fewer pixels a side is invisible."""
    # Pillow picks the largest scale that keeps both sides >= the size asked for.
    width, height = size
    for scale in (8, 4, 2):
        if max(width, height) // scale >= 0.9 * limit and min(width, height) >= scale:
            return width // scale, height // scale
    return width, height


def _fitted_size(size: tuple[int, int], limit: int) -> tuple[int, int]:
    width, height = size
    if max(width, height) <= limit:
        return width, height
    if width >= height:
        return limit, max(1, round(height * limit / width))
    return max(1, round(width * limit / height)), limit


def _fit(image: Image.Image, limit: int) -> Image.Image:
    size = _fitted_size(image.size, limit)
    if size == image.size:
        return image
    return image.resize(size, Image.Resampling.BICUBIC, reducing_gap=2.0)


def _eight_bit(image: Image.Image) -> Image.Image:
    """The image in a mode that resizes well: RGB, RGBA, L, LA or CMYK."""
    mode = image.mode
    if mode in _SIXTEEN_BIT:
        alpha = image.convert("RGBA").getchannel("A") if "transparency" in image.info else None
        # Pillow clips 16-bit values to 255 when converting to L; scale them instead.
        gray = image.convert("I").point(lambda value: value / 257).convert("L")
        return Image.merge("LA", (gray, alpha)) if alpha else gray
    if mode in {"RGB", "L", "CMYK"} and "transparency" not in image.info:
        return image
    if mode in {"RGBA", "LA"}:
        return image
    if mode == "1":
        return image.convert("L")
    has_alpha = "transparency" in image.info or "A" in mode or "a" in mode
    return image.convert("RGBA" if has_alpha else "RGB")


def _upright(image: Image.Image) -> Image.Image:
    try:
        return ImageOps.exif_transpose(image)
    except Exception:  # an unreadable EXIF block means no known orientation
        return image


def _srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """RGB in (about) sRGB, transparency flattened on white."""
    if image.mode in {"RGBA", "LA"}:
        background = Image.new("RGB", image.size, "white")
        background.paste(image.convert("RGB"), mask=image.getchannel("A"))
        image = background
    if icc_profile and image.mode in {"RGB", "CMYK"}:
        converted = _from_profile(image, icc_profile)
        if converted is not None:
            return converted
    return image.convert("RGB") if image.mode != "RGB" else image


def _from_profile(image: Image.Image, icc_profile: bytes) -> Image.Image | None:
    """The image converted from its embedded colour profile to sRGB; None if not needed."""
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        if image.mode == "RGB" and "srgb" in ImageCms.getProfileDescription(profile).lower():
            return None
        return ImageCms.profileToProfile(
            image, profile, ImageCms.createProfile("sRGB"), outputMode="RGB"
        )
    except Exception:  # a broken profile: fall back to the plain conversion
        return None


def _jpeg(image: Image.Image, quality: int) -> bytes:
    """JPEG bytes with no metadata at all (no EXIF, XMP, ICC profile or comment)."""
    image.info = {}  # JPEG saves copy a comment from here
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()
