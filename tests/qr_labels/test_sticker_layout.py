"""The sticker for the street: every preset's sheet scans, names the short address, the phone
hours and "quote this code", prints the code and phone number tall enough, and has cut marks."""

import math
import re
import shutil
import subprocess
from io import StringIO
from pathlib import Path

import pytest
import zxingcpp
from django.conf import settings
from django.core.management import call_command
from fontTools.ttLib import TTFont
from PIL import Image

from accounts import policy
from qr_labels import codes, qr, services
from qr_labels.sheets import CUT_LENGTH, CUT_OFFSET, PRESETS, QUOTE
from tests import factories
from tests.conftest import require

DPI = 150
PT_PER_MM = 72 / 25.4
HOURS = "平日 8:30–17:15"
# Where pdftotext -bbox puts a word: its box runs from the font's ascent to its descent at
# the font size. IPAexGothic's are 0.88 and -0.12 em, so the box is the font size tall. The
# ink of a capital or a digit is shorter: flat ones (1, 7, E, H, K …) sit at 20 and reach
# 1483 of 2048 units, 0.714 em; round ones overshoot a little. The box thus over-reports the
# printed height by 1.4×, and the tests take 0.70 of it: below the smallest ink height of
# any digit or code letter in the font (test_the_ink_ratio_holds_for_the_embedded_font).
INK_OF_BOX = 0.70
PHONE_FLOOR_PT = 3.0 * PT_PER_MM  # 8.5 pt
CODE_FLOOR_PT = 4.0 * PT_PER_MM  # 11.3 pt
WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)


@pytest.fixture
def poppler():
    for tool in ("pdftoppm", "pdftotext"):
        require(shutil.which(tool) is not None, f"{tool} (poppler-utils)")


@pytest.fixture
def labels(label, catalogue, city):
    """Three labels: the shared one on a security light, another light, and a swing."""
    others = [
        factories.asset("security-light", owner=city["road"], ledger_id="BH-0002"),
        factories.asset("swing", owner=city["parks"], ledger_id="PF-0001"),
    ]
    return [label] + [services.label_issue(asset=a, acting_user=policy.SYSTEM) for a in others]


def _print(tmp_path: Path, preset: str, labels) -> Path:
    pdf = tmp_path / f"{preset}.pdf"
    ledger_ids = ",".join(label.asset.ledger_id for label in labels)
    options = ["-o", str(pdf), "--preset", preset, "--ledger-ids", ledger_ids]
    call_command("print_labels", *options, stdout=StringIO())
    return pdf


def _render(pdf: Path, tmp_path: Path) -> Image.Image:
    """The first page, in grey, at DPI."""
    subprocess.run(
        ["pdftoppm", "-r", str(DPI), "-gray", "-png", "-singlefile", str(pdf), str(tmp_path / "p")],
        check=True,
    )
    return Image.open(tmp_path / "p.png").convert("L")


def _text(pdf: Path, *options: str) -> str:
    return subprocess.run(
        ["pdftotext", *options, str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def _words(pdf: Path) -> list[tuple[float, float, float, float, str]]:
    """Every word with its box (x0, y0, x1, y1) in points from the page's top-left."""
    return [
        (float(x0), float(y0), float(x1), float(y1), text)
        for x0, y0, x1, y1, text in WORD.findall(_text(pdf, "-bbox"))
    ]


def _px(mm: float) -> int:
    return round(mm / 25.4 * DPI)


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_every_symbol_decodes_to_its_label_url(tmp_path, poppler, labels, preset):
    pdf = _print(tmp_path, preset, labels)

    found = [result.text for result in zxingcpp.read_barcodes(_render(pdf, tmp_path))]

    assert sorted(found) == sorted(qr.label_url(label.code) for label in labels)


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_the_new_lines_are_printed_on_every_sticker(tmp_path, poppler, labels, preset):
    pdf = _print(tmp_path, preset, labels)

    text = _text(pdf)

    assert text.count(QUOTE) == 3
    assert text.count(HOURS) == 3
    for label in labels:
        assert f"127.0.0.1:8000/q/{label.code}" in text
        assert codes.display(label.code) in text


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_the_phone_number_and_code_are_printed_tall_enough(tmp_path, poppler, labels, preset):
    pdf = _print(tmp_path, preset, labels)

    heights: dict[str, list[float]] = {}
    for _, y0, _, y1, text in _words(pdf):
        heights.setdefault(text, []).append(y1 - y0)

    phone = heights[settings.CITY_PHONE]
    code = [h for label in labels for h in heights[codes.display(label.code)]]
    assert len(phone) == 3 and len(code) == 3
    assert min(phone) * INK_OF_BOX >= PHONE_FLOOR_PT
    assert min(code) * INK_OF_BOX >= CODE_FLOOR_PT


def test_the_ink_ratio_holds_for_the_embedded_font():
    font = TTFont(settings.LABEL_FONT_PATH)
    descriptor_em = (font["hhea"].ascent - font["hhea"].descent) / font["head"].unitsPerEm
    glyphs, cmap = font["glyf"], font.getBestCmap()

    ink = (
        min(
            glyphs[cmap[ord(char)]].yMax - glyphs[cmap[ord(char)]].yMin
            for char in "0123456789" + codes.ALPHABET
        )
        / font["head"].unitsPerEm
    )

    assert descriptor_em == pytest.approx(1.0, abs=0.01)  # the box is the font size
    assert ink / descriptor_em >= INK_OF_BOX


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_cut_marks_line_up_with_the_edges_of_the_labels(tmp_path, poppler, labels, preset):
    layout = PRESETS[preset]
    pdf = _print(tmp_path, preset, labels)

    page = _render(pdf, tmp_path)

    def dark(x0, y0, x1, y1) -> bool:
        return page.crop((x0, y0, x1 + 1, y1 + 1)).getextrema()[0] < 128

    right, bottom = layout.grid_end()
    left, top = layout.margin_left, layout.margin_top
    mark = (CUT_OFFSET + 0.5, CUT_OFFSET + CUT_LENGTH - 0.5)  # mm from the edge, inside it
    gap = (0.2, CUT_OFFSET - 0.3)  # between the label and its mark: paper
    for x in (left, right):
        # Above the first row and below the last, in line with the outer columns' edges.
        assert dark(_px(x) - 1, _px(top - mark[1]), _px(x) + 1, _px(top - mark[0]))
        assert dark(_px(x) - 1, _px(bottom + mark[0]), _px(x) + 1, _px(bottom + mark[1]))
        assert not dark(_px(x) - 1, _px(top - gap[1]), _px(x) + 1, _px(top - gap[0]))
    for y in (top, bottom):
        assert dark(_px(left - mark[1]), _px(y) - 1, _px(left - mark[0]), _px(y) + 1)
        assert dark(_px(right + mark[0]), _px(y) - 1, _px(right + mark[1]), _px(y) + 1)
        assert not dark(_px(left - gap[1]), _px(y) - 1, _px(left - gap[0]), _px(y) + 1)
    # Between two columns' edges too (one mark where they touch).
    between = layout.margin_left + layout.label_width
    assert dark(_px(between) - 1, _px(top - mark[1]), _px(between) + 1, _px(top - mark[0]))


def _symbol_and_code(tmp_path: Path, preset: str, label) -> tuple[tuple, tuple]:
    """The boxes (x0, y0, x1, y1, in points) of the label's symbol and of its printed code."""
    pdf = _print(tmp_path, preset, [label])
    (symbol,) = zxingcpp.read_barcodes(_render(pdf, tmp_path))
    corners = [symbol.position.top_left, symbol.position.bottom_right]
    xs, ys = [c.x * 72 / DPI for c in corners], [c.y * 72 / DPI for c in corners]
    code = next(w for w in _words(pdf) if w[4] == codes.display(label.code))
    return (min(xs), min(ys), max(xs), max(ys)), code[:4]


def test_a_pole_sticker_puts_the_code_under_the_symbol(tmp_path, poppler, label):
    symbol, code = _symbol_and_code(tmp_path, "pole-a4-15", label)

    assert code[1] > symbol[3]  # below it
    assert symbol[0] - 15 < code[0] < code[2] < symbol[2] + 15  # within its column


@pytest.mark.parametrize("preset", ["a4-12", "a4-24", "board-a4-10"])
def test_a_board_sticker_puts_the_code_beside_the_symbol(tmp_path, poppler, label, preset):
    symbol, code = _symbol_and_code(tmp_path, preset, label)

    assert code[0] > symbol[2]  # to its right
    assert symbol[1] < code[1] < code[3] < symbol[3]  # within its height


def _wrapped(label: Image.Image, diameter_mm: float, turned_deg: float) -> Image.Image:
    """The label as a camera far in front sees it wrapped round a pipe (its axis upright),
    turned `turned_deg` from facing the camera: the pipe is grey where the label is not."""
    radius = diameter_mm / 2 / 25.4 * DPI
    seen = Image.new("L", (int(2 * radius), label.height), 128)
    for column in range(seen.width):
        across = (column - seen.width / 2) / radius
        if abs(across) >= 1:
            continue
        at = (math.asin(across) + math.radians(turned_deg)) * radius + label.width / 2
        if 0 <= at < label.width:
            seen.paste(label.crop((int(at), 0, int(at) + 1, label.height)), (column, 0))
    return seen


@pytest.mark.parametrize("turned", [0, 10])
def test_a_pole_sticker_round_a_48_mm_pipe_still_scans(tmp_path, poppler, labels, turned):
    layout = PRESETS["pole-a4-15"]
    page = _render(_print(tmp_path, "pole-a4-15", labels), tmp_path)
    x, y = layout.origin(0)
    first = page.crop((_px(x), _px(y), _px(x + layout.label_width), _px(y + layout.label_height)))

    found = zxingcpp.read_barcodes(_wrapped(first, 48.6, turned))  # 単管パイプ, the thinnest

    assert [result.text for result in found] == [qr.label_url(labels[0].code)]


def test_the_short_address_typed_by_hand_leads_to_the_asset(client, tmp_path, poppler, labels):
    pdf = _print(tmp_path, "pole-a4-15", labels)
    printed = re.search(rf"127\.0\.0\.1:8000(/q/{labels[0].code})", _text(pdf)).group(1)

    response = client.get(printed.lower())  # typed on a phone, in lower case

    assert response.status_code == 200
    assert "<dd>BH-0001</dd>" in response.content.decode()


def test_the_short_address_and_hours_are_the_citys_settings(tmp_path, poppler, labels, settings):
    settings.LABEL_SHORT_URL = "izm.example/"
    settings.CITY_PHONE_HOURS = "24時間"

    text = _text(_print(tmp_path, "board-a4-10", labels))

    assert f"izm.example/{labels[1].code}" in text
    assert text.count("24時間") == 3 and HOURS not in text
