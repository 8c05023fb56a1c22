"""Sheets made with zxing-cpp's encoder: every symbol of a full page decodes to its label URL,
whether the address needs a small symbol or a large one (the bulk path of qr_labels/qr.py)."""

import shutil
import subprocess

import pytest
import zxingcpp
from PIL import Image

from qr_labels import codes, qr
from qr_labels.sheets import PRESETS, LabelContent, write_sheets
from tests.conftest import require


@pytest.fixture
def poppler():
    require(shutil.which("pdftoppm") is not None, "pdftoppm (poppler-utils)")


@pytest.mark.parametrize(
    ("base", "preset"),
    [
        ("https://q.jp", "a4-24"),  # version 2, the smallest sticker
        ("https://www.city.izumo.shimane.jp/machimori", "a4-24"),  # version 4
        ("https://infrastructure-reports.city.izumo.shimane.jp/machimori/streets", "pole-a4-15"),
    ],
)
def test_every_symbol_of_a_full_page_decodes(tmp_path, poppler, settings, base, preset):
    settings.PUBLIC_BASE_URL = base
    layout = PRESETS[preset]
    labels = [codes.generate() for _ in range(layout.per_page)]
    pdf = tmp_path / "sheet.pdf"
    with pdf.open("wb") as stream:
        contents = (
            LabelContent(c, "防犯灯", f"BH-{i}", "出雲市", "0853-21-2211")
            for i, c in enumerate(labels)
        )
        write_sheets(stream, contents, layout=layout)
    subprocess.run(
        ["pdftoppm", "-r", "200", "-gray", "-png", "-singlefile", str(pdf), str(tmp_path / "p")],
        check=True,
    )

    found = zxingcpp.read_barcodes(Image.open(tmp_path / "p.png").convert("L"))

    assert sorted(r.text for r in found) == sorted(qr.label_url(c) for c in labels)
    assert {r.ec_level for r in found} == {"Q"}
