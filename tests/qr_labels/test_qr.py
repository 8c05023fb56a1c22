"""QR images: the right URL, in alphanumeric mode, at level Q, readable by a real decoder."""

import io

import numpy as np
import pytest
import qrcode.util
import zxingcpp
from PIL import Image

from qr_labels import codes, qr
from tests.conftest import client_for


def test_the_url_is_upper_case_so_the_symbol_uses_alphanumeric_mode(settings):
    settings.PUBLIC_BASE_URL = "https://machimori.city.example"

    url = qr.label_url("7KQ2M9XD")

    assert url == "HTTPS://MACHIMORI.CITY.EXAMPLE/Q/7KQ2M9XD"
    assert qrcode.util.optimal_mode(url.encode()) == qrcode.util.MODE_ALPHA_NUM


def test_the_png_decodes_to_the_label_url_and_shows_the_code(label):
    image = Image.open(io.BytesIO(qr.png(label.code)))

    results = zxingcpp.read_barcodes(image)

    assert [r.text for r in results] == [qr.label_url(label.code)]
    assert results[0].format == zxingcpp.BarcodeFormat.QRCode
    assert results[0].ec_level == "Q"


def test_the_svg_is_one_path_with_a_quiet_zone_and_the_code(label):
    svg = qr.svg(label.code)

    assert svg.count("<path") == 1
    assert f"{label.code[:4]}-{label.code[4:]}</text>" in svg
    modules = len(qr.matrix(label.code))
    assert f'viewBox="0 0 {modules + 8} ' in svg


def test_staff_download_png_and_svg_and_the_public_may_not(label, section_staff, client):
    staff = client_for(section_staff)

    png = staff.get(f"/api/v1/labels/{label.code}/qr.png")
    svg = staff.get(f"/api/v1/labels/{label.code}/qr.svg")
    anonymous = client.get(f"/api/v1/labels/{label.code}/qr.png")

    assert (png.status_code, png["Content-Type"]) == (200, "image/png")
    assert (svg.status_code, svg["Content-Type"]) == (200, "image/svg+xml")
    assert anonymous.status_code == 401


@pytest.mark.parametrize("scale", [3, 6])
def test_small_renderings_still_decode(label, scale):
    image = Image.open(io.BytesIO(qr.png(label.code, scale=scale)))

    assert [r.text for r in zxingcpp.read_barcodes(image)] == [qr.label_url(label.code)]


def _image(dark, scale: int = 4) -> Image.Image:
    """A boolean module array drawn as a picture, with its quiet zone."""
    size = len(dark) + 2 * qr.QUIET_ZONE
    image = Image.new("L", (size, size), 255)
    for y, row in enumerate(dark):
        for x, on in enumerate(row):
            if on:
                image.putpixel((x + qr.QUIET_ZONE, y + qr.QUIET_ZONE), 0)
    return image.resize((size * scale, size * scale), Image.NEAREST)


# Addresses from short to long: the label URLs then need symbols of several versions.
BASES = [
    "https://q.jp",
    "https://machimori.city.example",
    "https://www.city.izumo.shimane.jp/machimori",
    "https://infrastructure-reports.city.izumo.shimane.jp/machimori/streets",
]


def test_the_bulk_encoder_makes_symbols_of_the_same_size_that_decode(settings):
    sizes = set()
    for base in BASES:
        settings.PUBLIC_BASE_URL = base
        for code in (codes.generate() for _ in range(5)):
            dark = qr.symbol(code)

            # The same version as qrcode's (alphanumeric mode, level Q), so the same module
            # size on the sticker; only the mask may differ.
            assert dark.shape == (len(qr.matrix(code)),) * 2
            (result,) = zxingcpp.read_barcodes(_image(dark))
            assert (result.text, result.ec_level) == (qr.label_url(code), "Q")
            sizes.add(dark.shape[0])

    assert len(sizes) >= 3  # the addresses above did reach several versions


def test_the_runs_of_a_symbol_are_the_same_by_numpy_and_by_hand(label):
    modules = qr.matrix(label.code)

    by_numpy = [tuple(run) for run in qr.symbol_runs(np.array(modules, dtype=bool)).tolist()]

    assert by_numpy == qr.runs(modules)
    assert qr.symbol_runs(np.zeros((21, 21), dtype=bool)).shape == (0, 3)
