"""The photo pipeline: which uploads are taken, what the public copy looks like, EXIF read
defensively. Images are made here with Pillow; the shared corpus is the real-world layer."""

import contextlib
import csv
import datetime
import hashlib
import io
import math
import random
import struct
import time
import zlib

import exifread
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageCms, TiffImagePlugin, features

from reports.photos import PhotoError, process_photo, read_gps
from tests.conftest import TESTDATA, require

RED, BLUE = (255, 0, 0), (0, 0, 200)
IZUMO = (35.3670833, 132.7584028)


# --- Making images --------------------------------------------------------------------------


def encoded(image: Image.Image, format: str, **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format, **params)
    return buffer.getvalue()


def marked(size=(60, 40)) -> Image.Image:
    """Blue, with a red square in the stored top-left corner."""
    image = Image.new("RGB", size, BLUE)
    image.paste(RED, (0, 0, 12, 12))
    return image


def dms(value: float) -> tuple[float, float, float]:
    value = abs(value)
    degrees, rest = divmod(value * 3600, 3600)
    minutes, seconds = divmod(rest, 60)
    return degrees, minutes, round(seconds, 4)


def exif(*, orientation=None, lat=None, lon=None, gps=None, **ifd_exif) -> Image.Exif:
    """EXIF with an Orientation, a GPS block (from lat/lon or raw `gps` tags) and EXIF tags."""
    block = Image.Exif()
    if orientation is not None:
        block[0x0112] = orientation
    gps_tags = dict(gps or {})
    if lat is not None:
        gps_tags.update({1: "N" if lat >= 0 else "S", 2: dms(lat)})
    if lon is not None:
        gps_tags.update({3: "E" if lon >= 0 else "W", 4: dms(lon)})
    if gps_tags:
        block.get_ifd(0x8825).update(gps_tags)
    if ifd_exif:
        tags = {"DateTimeOriginal": 0x9003, "OffsetTimeOriginal": 0x9011}
        block.get_ifd(0x8769).update({tags[name]: value for name, value in ifd_exif.items()})
    return block


def photo_jpeg(image=None, **exif_fields) -> bytes:
    return encoded(image or marked(), "JPEG", quality=95, exif=exif(**exif_fields))


def heic(image: Image.Image, block: Image.Exif | None = None) -> bytes:
    # Bytes, not an Exif object: pillow-heif then writes the orientation as the HEIF
    # rotation (irot), as phones do.
    params = {"exif": block.tobytes()} if block is not None else {}
    return encoded(image, "HEIF", quality=50, **params)


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def handmade_png(width: int, height: int, idat: bytes, *, extra: bytes = b"") -> bytes:
    """An 8-bit RGB PNG built chunk by chunk, so its header can say anything."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + extra
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def colour_at(data: bytes, xy) -> tuple[int, int, int]:
    return opened(data).convert("RGB").getpixel(xy)


def is_red(colour) -> bool:
    return colour[0] > 180 and colour[2] < 100


def red_corner(data: bytes) -> str:
    """Which corner of the picture holds the red marker."""
    image = opened(data).convert("RGB")
    right, bottom = image.width - 3, image.height - 3
    corners = {
        "top-left": (2, 2),
        "top-right": (right, 2),
        "bottom-left": (2, bottom),
        "bottom-right": (right, bottom),
    }
    found = [name for name, xy in corners.items() if is_red(image.getpixel(xy))]
    assert len(found) == 1, found
    return found[0]


def metres_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6_371_008.8 * math.asin(math.sqrt(h))


def assert_no_metadata(jpeg: bytes) -> None:
    image = Image.open(io.BytesIO(jpeg))
    assert image.format == "JPEG"
    assert dict(image.getexif()) == {}
    assert not {"exif", "xmp", "XML:com.adobe.xmp", "icc_profile", "comment"} & set(image.info)
    assert exifread.process_file(io.BytesIO(jpeg), details=False) == {}
    assert b"Exif\x00\x00" not in jpeg
    assert b"http://ns.adobe.com/xap/1.0/" not in jpeg


# --- What is taken --------------------------------------------------------------------------


def test_a_jpeg_gives_its_original_a_public_copy_and_a_thumbnail():
    data = photo_jpeg(marked((900, 600)))

    photo = process_photo(data, filename="IMG_0001.JPG")

    assert photo.original == data
    assert (photo.original_format, photo.content_type) == ("jpeg", "image/jpeg")
    assert photo.sha256 == hashlib.sha256(data).hexdigest()
    assert photo.public_size == (900, 600) == opened(photo.public).size
    assert opened(photo.thumbnail).size == (400, 267)
    assert opened(photo.public).format == opened(photo.thumbnail).format == "JPEG"


def test_a_large_photo_is_scaled_to_the_public_and_thumbnail_limits(settings):
    settings.PHOTO_PUBLIC_MAX_PX = 256
    settings.PHOTO_THUMB_MAX_PX = 64
    data = photo_jpeg(marked((1000, 700)))

    photo = process_photo(data)

    public, thumbnail = opened(photo.public), opened(photo.thumbnail)
    assert public.size == photo.public_size
    assert 0.9 * 256 <= max(public.size) <= 256
    assert public.width / public.height == pytest.approx(1000 / 700, rel=0.02)
    assert max(thumbnail.size) == 64


def test_a_twelve_megapixel_photo_is_decoded_at_half_scale():
    data = encoded(Image.new("RGB", (4000, 3000), BLUE), "JPEG", quality=80)

    photo = process_photo(data)

    assert photo.public_size == (2000, 1500)


def test_a_sixteen_megapixel_photo_is_scaled_to_exactly_the_limit():
    data = encoded(Image.new("RGB", (4608, 3456), BLUE), "JPEG", quality=80)

    photo = process_photo(data)

    assert photo.public_size == (2048, 1536)


def test_a_file_object_is_read_from_its_start():
    upload = SimpleUploadedFile("photo.jpg", photo_jpeg(), content_type="image/jpeg")
    upload.read(100)

    photo = process_photo(upload, filename=upload.name)

    assert photo.original == photo_jpeg()


def test_a_png_with_alpha_is_flattened_on_white():
    image = Image.new("RGBA", (40, 20), (0, 0, 0, 0))
    image.paste((255, 0, 0, 255), (20, 0, 40, 20))

    photo = process_photo(encoded(image, "PNG"))

    assert (photo.original_format, photo.content_type) == ("png", "image/png")
    assert colour_at(photo.public, (5, 10)) >= (245, 245, 245)
    assert is_red(colour_at(photo.public, (35, 10)))


def test_a_palette_png_with_a_transparent_colour_is_flattened_on_white():
    image = Image.new("P", (40, 20), 0)
    image.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    image.paste(1, (20, 0, 40, 20))

    photo = process_photo(encoded(image, "PNG", transparency=0))

    assert colour_at(photo.public, (5, 10)) >= (245, 245, 245)
    assert is_red(colour_at(photo.public, (35, 10)))


def test_an_animated_png_gives_its_first_frame():
    frames = [Image.new("RGB", (40, 30), colour) for colour in (RED, (0, 255, 0), BLUE)]
    data = encoded(frames[0], "PNG", save_all=True, append_images=frames[1:])
    assert Image.open(io.BytesIO(data)).n_frames == 3

    photo = process_photo(data)

    assert is_red(colour_at(photo.public, (20, 15)))


def test_an_animated_png_claiming_two_billion_frames_is_read_from_its_first_frame_only():
    frames = [Image.new("RGB", (40, 30), colour) for colour in (RED, BLUE)]
    data = encoded(frames[0], "PNG", save_all=True, append_images=frames[1:])
    at = data.index(b"acTL") - 4
    bomb = data[:at] + png_chunk(b"acTL", struct.pack(">II", 2**31 - 1, 0)) + data[at + 20 :]
    assert Image.open(io.BytesIO(bomb)).n_frames == 2**31 - 1

    started = time.monotonic()
    photo = process_photo(bomb)

    assert time.monotonic() - started < 2
    assert is_red(colour_at(photo.public, (20, 15)))


def test_a_sixteen_bit_grey_png_keeps_its_tones():
    image = Image.new("I;16", (256, 8))
    image.putdata([x * 257 for x in range(256)] * 8)

    photo = process_photo(encoded(image, "PNG"))

    public = opened(photo.public).convert("L")
    assert public.getpixel((0, 4)) <= 5
    assert public.getpixel((128, 4)) == pytest.approx(128, abs=6)
    assert public.getpixel((255, 4)) >= 250


def test_a_cmyk_jpeg_comes_out_in_rgb_with_its_colours_not_inverted():
    cyan = Image.new("CMYK", (40, 30), (255, 0, 0, 0))

    photo = process_photo(encoded(cyan, "JPEG", quality=95))

    assert opened(photo.public).mode == "RGB"
    red, green, blue = colour_at(photo.public, (20, 15))
    assert red < 40 and green > 215 and blue > 215


def test_a_heic_is_taken_and_published_as_jpeg():
    photo = process_photo(heic(marked(), exif(lat=IZUMO[0], lon=IZUMO[1])))

    assert (photo.original_format, photo.content_type) == ("heif", "image/heic")
    assert opened(photo.public).format == "JPEG"
    assert metres_between(photo.gps, IZUMO) < 1


def test_an_mpo_gives_its_first_frame():
    frames = [Image.new("RGB", (40, 30), RED), Image.new("RGB", (40, 30), BLUE)]
    data = encoded(frames[0], "MPO", save_all=True, append_images=frames[1:])

    photo = process_photo(data)

    assert (photo.original_format, photo.content_type) == ("mpo", "image/jpeg")
    assert is_red(colour_at(photo.public, (20, 15)))


def test_an_animated_webp_gives_its_first_frame():
    frames = [Image.new("RGB", (40, 30), RED), Image.new("RGB", (40, 30), BLUE)]
    data = encoded(frames[0], "WEBP", save_all=True, append_images=frames[1:], lossless=True)

    photo = process_photo(data)

    assert (photo.original_format, photo.content_type) == ("webp", "image/webp")
    assert is_red(colour_at(photo.public, (20, 15)))


def test_the_type_comes_from_the_bytes_not_the_filename():
    photo = process_photo(photo_jpeg(), filename="not-really.gif")

    assert photo.original_format == "jpeg"


# --- What is refused ------------------------------------------------------------------------


@pytest.mark.parametrize("format", ["GIF", "BMP", "TIFF", "ICO", "AVIF"])
def test_other_image_types_are_refused(format):
    if format == "AVIF":  # CI must prove AVIF is refused, not skip it
        require(features.check("avif"), "a Pillow that can write AVIF")
    data = encoded(Image.new("RGB", (40, 30), RED), format)

    with pytest.raises(PhotoError) as refused:
        process_photo(data, filename="photo.jpg")

    assert refused.value.code == "unsupported_type"
    assert format in str(refused.value)


def test_a_truncated_jpeg_is_refused_as_truncated():
    noisy = Image.effect_noise((300, 200), 60).convert("RGB")
    data = encoded(noisy, "JPEG", quality=90)

    with pytest.raises(PhotoError) as refused:
        process_photo(data[: len(data) // 2])

    assert refused.value.code == "truncated"


def test_random_bytes_are_refused_as_unreadable():
    with pytest.raises(PhotoError) as refused:
        process_photo(random.Random(7).randbytes(5000))

    assert refused.value.code == "unreadable"


def test_an_empty_file_is_refused():
    with pytest.raises(PhotoError) as refused:
        process_photo(b"")

    assert refused.value.code == "unreadable"


def test_a_file_over_the_byte_limit_is_refused(settings):
    settings.PHOTO_MAX_BYTES = 1000
    data = photo_jpeg(Image.effect_noise((100, 100), 60).convert("RGB"))
    assert len(data) > 1000

    with pytest.raises(PhotoError) as refused:
        process_photo(data)

    assert refused.value.code == "too_large"


def test_an_upload_over_the_byte_limit_is_refused_without_reading_it(settings):
    settings.PHOTO_MAX_BYTES = 1000

    class Unreadable(io.BytesIO):
        size = 10_000

        def read(self, *args):
            raise AssertionError("read")

    with pytest.raises(PhotoError) as refused:
        process_photo(Unreadable())

    assert refused.value.code == "too_large"


# Below our 50 MP, between Pillow's warning (89 MP) and its error (179 MP), and beyond.
@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("size", [(8000, 7000), (10000, 10000), (20000, 20000)])
def test_a_png_declaring_too_many_pixels_is_refused_before_decoding(size):
    data = handmade_png(*size, zlib.compress(b"\0" * 1000))

    with pytest.raises(PhotoError) as refused:
        process_photo(data)

    assert refused.value.code == "too_many_pixels"


def test_the_pixel_limit_is_a_setting(settings):
    settings.PHOTO_MAX_PIXELS = 100 * 100

    with pytest.raises(PhotoError) as refused:
        process_photo(photo_jpeg(marked((101, 100))))

    assert refused.value.code == "too_many_pixels"


def test_a_png_whose_image_data_inflates_hugely_costs_only_its_declared_size():
    data = handmade_png(100, 100, zlib.compress(b"\0" * 200_000_000, 9))
    assert len(data) < 250_000

    started = time.monotonic()
    photo = process_photo(data)

    assert time.monotonic() - started < 2
    assert photo.public_size == (100, 100)


def test_a_png_text_chunk_bomb_is_refused():
    bomb = png_chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(b"a" * 20_000_000, 9))
    data = handmade_png(10, 10, zlib.compress(b"\0" * 310), extra=bomb)

    with pytest.raises(PhotoError) as refused:
        process_photo(data)

    assert refused.value.code == "decompression_bomb"


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("format", ["JPEG", "PNG", "WEBP", "HEIF", "MPO"])
def test_damaged_copies_of_a_photo_are_processed_or_refused_never_crash(format):
    image = Image.effect_noise((64, 48), 50).convert("RGB")
    params = {"save_all": True, "append_images": [image]} if format == "MPO" else {}
    if format != "MPO":
        params["exif"] = exif(orientation=6, lat=IZUMO[0], lon=IZUMO[1]).tobytes()
    data = encoded(image, format, **params)
    rng = random.Random(format)

    for _ in range(60):
        damaged = bytearray(data)
        if rng.random() < 0.5:
            damaged = damaged[: rng.randrange(1, len(data))]
        else:
            for _ in range(rng.randrange(1, 20)):
                damaged[rng.randrange(len(data))] = rng.randrange(256)
        with contextlib.suppress(PhotoError):
            process_photo(bytes(damaged))


def test_a_zero_width_png_is_refused():
    with pytest.raises(PhotoError) as refused:
        process_photo(handmade_png(0, 100, zlib.compress(b"\0" * 100)))

    assert refused.value.code == "unreadable"


# --- The public copy carries nothing private ------------------------------------------------


def test_public_copies_carry_no_metadata_at_all():
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>'
    data = encoded(
        marked((500, 400)),
        "JPEG",
        exif=exif(
            orientation=6, lat=IZUMO[0], lon=IZUMO[1], DateTimeOriginal="2024:05:01 10:00:00"
        ),
        xmp=xmp,
        icc_profile=srgb,
        comment=b"taken at home, 1-2-3 Imaichi",
    )
    source = Image.open(io.BytesIO(data))
    assert {"exif", "xmp", "icc_profile", "comment"} <= set(source.info)

    photo = process_photo(data)

    assert_no_metadata(photo.public)
    assert_no_metadata(photo.thumbnail)
    assert b"Imaichi" not in photo.public + photo.thumbnail


def test_a_heic_public_copy_carries_no_exif():
    photo = process_photo(heic(marked(), exif(orientation=1, lat=IZUMO[0], lon=IZUMO[1])))

    assert_no_metadata(photo.public)
    assert_no_metadata(photo.thumbnail)


@pytest.mark.parametrize(
    ("orientation", "size", "corner"),
    [
        (1, (60, 40), "top-left"),
        (2, (60, 40), "top-right"),
        (3, (60, 40), "bottom-right"),
        (4, (60, 40), "bottom-left"),
        (5, (40, 60), "top-left"),
        (6, (40, 60), "top-right"),
        (7, (40, 60), "bottom-right"),
        (8, (40, 60), "bottom-left"),
    ],
)
def test_a_jpeg_is_turned_upright_once_by_its_orientation(orientation, size, corner):
    photo = process_photo(photo_jpeg(marked((60, 40)), orientation=orientation))

    assert photo.public_size == size
    assert red_corner(photo.public) == corner
    assert red_corner(photo.thumbnail) == corner


def test_a_heic_rotated_by_its_container_is_not_rotated_again():
    data = heic(marked((60, 40)), exif(orientation=6))
    assert Image.open(io.BytesIO(data)).size == (40, 60)  # pillow-heif applied irot

    photo = process_photo(data)

    assert photo.public_size == (40, 60)
    assert red_corner(photo.public) == "top-right"


# --- GPS and time ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "place",
    [IZUMO, (-33.8688197, 151.2092955), (40.7127753, -74.0059728), (-22.9068467, -43.1728965)],
    ids=["north-east", "south-east", "north-west", "south-west"],
)
def test_gps_is_read_in_every_hemisphere(place):
    data = photo_jpeg(lat=place[0], lon=place[1])

    assert metres_between(read_gps(data), place) < 1
    assert metres_between(process_photo(data).gps, place) < 1


def test_gps_is_rounded_to_seven_decimals():
    lat, lon = read_gps(photo_jpeg(lat=IZUMO[0], lon=IZUMO[1]))

    assert (round(lat, 7), round(lon, 7)) == (lat, lon)


@pytest.mark.parametrize(
    "gps",
    [
        {0: b"\x02\x02\x00\x00"},
        {2: (35.0, 22.0, 1.0), 4: (132.0, 45.0, 30.0)},
        {1: "N", 2: (35.0, 22.0, 1.0)},
        {1: "N", 2: (35.0, 22.0, 1.0), 3: "X", 4: (132.0, 45.0, 30.0)},
        {1: "N", 2: (0.0, 0.0, 0.0), 3: "E", 4: (0.0, 0.0, 0.0)},
        {1: "N", 2: (95.0, 0.0, 0.0), 3: "E", 4: (132.0, 45.0, 30.0)},
        {1: "N", 2: (35.0, 22.0, 1.0), 3: "E", 4: (200.0, 0.0, 0.0)},
        {1: "N", 2: (35.0, 75.0, 1.0), 3: "E", 4: (132.0, 45.0, 30.0)},
        {1: "N", 2: 35, 3: "E", 4: (132.0, 45.0, 30.0)},
        {
            1: "N",
            2: tuple(TiffImagePlugin.IFDRational(n, d) for n, d in [(35, 1), (0, 0), (0, 0)]),
            3: "E",
            4: (132.0, 45.0, 30.0),
        },
    ],
    ids=[
        "version-only",
        "no-references",
        "no-longitude",
        "unknown-reference",
        "zero-zero",
        "latitude-beyond-90",
        "longitude-beyond-180",
        "minutes-beyond-60",
        "a-single-long",
        "zero-denominators",
    ],
)
def test_a_gps_block_without_usable_coordinates_is_no_location(gps):
    data = photo_jpeg(gps=gps)

    assert read_gps(data) is None
    assert process_photo(data).gps is None


@pytest.mark.parametrize(
    "data",
    [b"", b"\xff\xd8\xff", random.Random(3).randbytes(2000), handmade_png(1, 1, b"")],
    ids=["empty", "jpeg-magic-only", "random", "broken-png"],
)
def test_read_gps_gives_none_for_anything_unreadable(data):
    assert read_gps(data) is None


def test_taken_at_is_the_original_time_in_the_city_time_zone(settings):
    settings.TIME_ZONE = "Asia/Tokyo"

    photo = process_photo(photo_jpeg(DateTimeOriginal="2024:05:01 10:00:00"))

    assert photo.taken_at == datetime.datetime(2024, 5, 1, 1, 0, tzinfo=datetime.UTC)
    assert f"{photo.taken_at:%H:%M %z}" == "10:00 +0900"


def test_taken_at_follows_the_offset_the_camera_wrote():
    data = photo_jpeg(DateTimeOriginal="2024:05:01 10:00:00", OffsetTimeOriginal="-05:00")

    photo = process_photo(data)

    assert photo.taken_at == datetime.datetime(2024, 5, 1, 15, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    "text",
    [
        "1998:01:01 00:00:00",
        "2000:01:01 00:00:00",
        "2999:01:01 00:00:00",
        "2024:13:45 99:00:00",
        "<?php phpinfo(); ?>",
        "    :  :     :  :  ",
        "",
    ],
)
def test_an_implausible_or_garbled_original_time_is_none(text):
    assert process_photo(photo_jpeg(DateTimeOriginal=text)).taken_at is None


def test_a_future_original_time_is_none():
    tomorrow = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=3)

    photo = process_photo(photo_jpeg(DateTimeOriginal=f"{tomorrow:%Y:%m:%d %H:%M:%S}"))

    assert photo.taken_at is None


# --- The shared corpus ----------------------------------------------------------------------


def manifest(folder: str) -> list:
    path = TESTDATA / folder / "MANIFEST.tsv"
    if not path.exists():
        return [pytest.param(None, id="corpus-missing")]
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [pytest.param(row, id=row["file"]) for row in rows]


# What the hostile files get; the manifest says REJECT or ACCEPT in words, this says how.
HOSTILE_REFUSALS = {
    "pillow__decompression_bomb.gif": "unsupported_type",
    "pillow__decompression_bomb_extents.gif": "unsupported_type",
    "fuzzdb__lottapixel.jpg": "too_many_pixels",
    "pillow__bmp__b__reallybig.bmp": "unsupported_type",
    "fuzzdb__uber.gif": "unsupported_type",
    "pillow__png_decompression_dos.png": "decompression_bomb",
    "pillow__truncated_jpeg.jpg": "truncated",
    "pillow__truncated_image.png": "truncated",
    # Pixel data complete, a chunk after it cut short: Pillow 13 raises in load(); the
    # manifest allows refusing, and the file is truncated.
    "pillow__truncated_end_chunk.png": "truncated",
    # Corrupt chunk after the image data: Pillow 13 raises in load(); refusing is allowed.
    "pillow__broken_data_stream.png": "unreadable",
    "pillow__broken.png": "unreadable",
    "pillow__unknown_compression_method.png": "unreadable",
    "pillow__zero_width.gif": "unsupported_type",
    "pillow__iss634.gif": "unsupported_type",
    "pillow__ultrahdr.jpg": "truncated",
}


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("row", manifest("hostile"))
def test_every_hostile_file_is_refused_with_its_code_or_processed(row):
    require((TESTDATA / "hostile").is_dir(), "the shared testdata")
    verdict = row["expected_correct_handling"]
    expected = HOSTILE_REFUSALS.get(row["file"])
    if verdict.startswith("REJECT"):
        assert expected is not None, "the manifest says REJECT"
    elif "or reject" not in verdict:
        assert expected is None, "the manifest says ACCEPT"
    data = (TESTDATA / "hostile" / row["file"]).read_bytes()
    if expected:
        with pytest.raises(PhotoError) as refused:
            process_photo(data, filename=row["file"])
        assert refused.value.code == expected
        return

    photo = process_photo(data, filename=row["file"])

    assert photo.gps is None
    assert_no_metadata(photo.public)
    assert_no_metadata(photo.thumbnail)
    assert max(opened(photo.public).size) <= 2048


def upright_size(row) -> tuple[int, int]:
    """The picture's size as people see it, from the manifest."""
    width, height = map(int, row["pixels_format"].split()[0].split("x"))
    # The manifest gives HEIF sizes as pillow-heif decodes them, already rotated.
    if "90" in row["orientation"] and not row["pixels_format"].endswith("HEIF"):
        return height, width
    return width, height


@pytest.mark.parametrize("row", manifest("photos"))
def test_every_corpus_photo_gives_its_location_and_comes_out_upright(row):
    require((TESTDATA / "photos").is_dir(), "the shared testdata")
    data = (TESTDATA / "photos" / row["file"]).read_bytes()
    if row["pixels_format"].endswith("TIFF"):
        with pytest.raises(PhotoError) as refused:
            process_photo(data)
        assert refused.value.code == "unsupported_type"
        return

    photo = process_photo(data, filename=row["file"])

    if row["has_gps"] == "yes":
        expected = (float(row["lat"]), float(row["lon"]))
        assert metres_between(photo.gps, expected) < 1
        assert metres_between(read_gps(data), expected) < 1
    else:
        assert photo.gps is None
        assert read_gps(data) is None
    width, height = upright_size(row)
    public = opened(photo.public)
    assert public.size == photo.public_size
    assert max(public.size) <= 2048
    assert public.width / public.height == pytest.approx(width / height, rel=0.01)
    assert_no_metadata(photo.public)


def test_the_iphone_heic_the_decoder_already_rotated_comes_out_portrait():
    require((TESTDATA / "photos").is_dir(), "the shared testdata")
    data = (TESTDATA / "photos" / "heic__mobile__iphone_13_pro_max.HEIC").read_bytes()
    tags = exifread.process_file(io.BytesIO(data), details=False)
    assert str(tags["Image Orientation"]) == "Rotated 90 CW"

    photo = process_photo(data)

    assert photo.public_size == (1536, 2048)  # 3024×4032 as the manifest says, not 4032×3024


@pytest.mark.parametrize("row", manifest("photos"))
def test_every_corpus_photo_time_is_its_original_time_when_plausible(row):
    require((TESTDATA / "photos").is_dir(), "the shared testdata")
    if row["pixels_format"].endswith("TIFF"):
        return
    photo = process_photo((TESTDATA / "photos" / row["file"]).read_bytes())

    # "(DateTime)": the manifest shows DateTime because the file has no DateTimeOriginal.
    written = row["datetime_original"]
    now = f"{timezone.localtime():%Y:%m:%d %H:%M:%S}"
    if written and "(DateTime)" not in written and "2000" < written <= now:
        assert f"{photo.taken_at:%Y:%m:%d %H:%M:%S}" == written  # in the camera's time zone
    else:
        assert photo.taken_at is None
