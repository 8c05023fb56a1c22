"""Photo pipeline on a 12-megapixel phone JPEG beside the floor of one decode and one encode.

Floor: open, draft("RGB", (2048, 2048)), load, thumbnail to 2048 px, one JPEG encode. Pillow
keeps both sides >= the size asked, so for 4000×3000 that draft does not scale: it is a full
decode and a resample. The pipeline lets DCT scaling go to 2000×1500 (see _draft_size), so the
tight floor is also shown: the same draft the pipeline asks for, load, one JPEG encode.
Pipeline: reports.photos.process_photo (checks, EXIF, public copy, thumbnail, hash).
Budget: pipeline <= 1.5 x floor. Prints one JSON line. Run by bench/run.py.
"""

import argparse
import io
import json
import sys
from pathlib import Path

from common import interleaved

ROOT = Path(__file__).resolve().parent.parent


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    from django.conf import settings

    settings.configure(USE_TZ=True, TIME_ZONE="Asia/Tokyo")


def phone_jpeg(width: int = 4000, height: int = 3000) -> bytes:
    """A JPEG as a phone writes it: noisy gradients (so it does not compress to nothing),
    quality 90, EXIF with Orientation 6 and a GPS position in Izumo."""
    from PIL import Image, ImageDraw

    gradient = Image.linear_gradient("L").resize((width, height))
    noise = Image.effect_noise((width, height), 48)
    red = Image.blend(gradient, noise, 0.3)
    green = Image.blend(gradient.transpose(Image.Transpose.ROTATE_180), noise, 0.2)
    blue = Image.blend(gradient.transpose(Image.Transpose.FLIP_LEFT_RIGHT), noise, 0.25)
    image = Image.merge("RGB", (red, green, blue))
    draw = ImageDraw.Draw(image)
    for i in range(40):
        x, y = (i * 397) % width, (i * 211) % height
        draw.rectangle((x, y, x + 300, y + 180), fill=(i * 6, 255 - i * 5, (i * 37) % 256))

    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90 CW to display
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (35.0, 22.0, 1.5), 3: "E", 4: (132.0, 45.0, 30.25)})
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90, exif=exif)
    return buffer.getvalue()


def floor(data: bytes, limit: int, quality: int) -> bytes:
    from PIL import Image

    image = Image.open(io.BytesIO(data))
    image.draft("RGB", (limit, limit))
    image.load()
    image.thumbnail((limit, limit))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def tight_floor(data: bytes, limit: int, quality: int) -> bytes:
    from PIL import Image

    from reports.photos import _draft_size, _fit

    image = Image.open(io.BytesIO(data))
    image.draft("RGB", _draft_size(image.size, limit))
    image.load()
    image = _fit(image, limit)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    setup_django()
    from reports.photos import process_photo

    limit, quality = 2048, 82  # PHOTO_PUBLIC_MAX_PX, PHOTO_JPEG_QUALITY
    data = phone_jpeg()
    photo = process_photo(data)
    assert photo.public_size == (1500, 2000) and photo.gps is not None, "not the path to time"
    timings = interleaved(
        {
            "floor": lambda: floor(data, limit, quality),
            "tight_floor": lambda: tight_floor(data, limit, quality),
            "pipeline": lambda: process_photo(data),
        },
        repeat=args.repeat,
        warmup=2,
    )
    floor_ms = timings["floor"]["median_ms"]
    pipeline_ms = timings["pipeline"]["median_ms"]
    tight_ms = timings["tight_floor"]["median_ms"]
    print(
        json.dumps(
            {
                "benchmark": "photo_pipeline_12mp",
                "photo_bytes": len(data),
                "floor_ms": round(floor_ms, 1),
                "pipeline_ms": round(pipeline_ms, 1),
                "ratio": round(pipeline_ms / floor_ms, 2),
                "tight_floor_ms": round(tight_ms, 1),
                "ratio_to_tight_floor": round(pipeline_ms / tight_ms, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
