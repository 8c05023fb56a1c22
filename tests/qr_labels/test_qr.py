"""QR images: the right URL, in alphanumeric mode, at level Q, readable by a real decoder."""

import io

import pytest
import qrcode.util
import zxingcpp
from PIL import Image

from qr_labels import qr
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
