"""QR symbols of label URLs, as matrices, PNG and SVG.

Two encoders. Single images (PNG, SVG) come from `qrcode`, the design card's library. Sheets
of thousands come from zxing-cpp's C++ encoder (`symbol`): `qrcode` scores all eight masks in
pure Python (about 3 ms a symbol, 29 s for a city's 10,000 stickers), zxing-cpp in C++
(0.1 ms). Even with one mask fixed beforehand `qrcode` takes 0.3-0.5 ms, four times zxing-cpp
before any PDF is written. Both get the same text, in the same mode, at the same level, so
the symbol has the same version and module size; only the mask may differ, and every reader
undoes any mask (the mask only evens out dark and light). The tests decode both.

The URL is written in upper case (HTTPS://HOST/Q/CODE): every character is then in QR's
alphanumeric set, which packs 5.5 bits a character instead of 8, so the symbol has fewer
and larger modules and survives a faded sticker. Error correction level Q restores up to a
quarter of the symbol. The quiet zone of four modules is always kept.
"""

import io
from functools import lru_cache
from xml.sax.saxutils import escape

import numpy as np
import qrcode
import zxingcpp
from django.conf import settings
from PIL import Image, ImageDraw, ImageFont
from qrcode.constants import ERROR_CORRECT_Q

from config import city
from qr_labels import codes

QUIET_ZONE = 4  # modules, as the QR standard asks


def label_url(code: str, base: str | None = None) -> str:
    """What the sticker's symbol holds: the sticker's city's public address (`base`; the
    deployment's one city when not given), /Q/ and the code."""
    return f"{base or city.current().public_base_url}/Q/{code}".upper()


def matrix(code: str, base: str | None = None) -> list[list[bool]]:
    """The modules of the code's symbol, without the quiet zone (True is dark)."""
    symbol = qrcode.QRCode(error_correction=ERROR_CORRECT_Q, border=0)
    symbol.add_data(label_url(code, base), optimize=0)
    symbol.make(fit=True)
    return symbol.modules


def symbol(code: str, base: str | None = None) -> np.ndarray:
    """The modules of the code's symbol from zxing-cpp, without the quiet zone, as a square
    boolean array (True is dark): for sheets, where thousands are made at once."""
    barcode = zxingcpp.create_barcode(
        label_url(code, base), zxingcpp.BarcodeFormat.QRCode, ec_level="Q"
    )
    return np.asarray(barcode.to_image(add_quiet_zones=False)) == 0


def symbol_runs(dark: np.ndarray) -> np.ndarray:
    """`runs` of a boolean array, computed by numpy: rows of (row, first column, length)."""
    size = dark.shape[1]
    padded = np.zeros((dark.shape[0], size + 2), dtype=np.int8)
    padded[:, 1:-1] = dark
    edges = np.diff(padded, axis=1)  # 1 where a run starts, -1 just after it ends
    rows, starts = np.nonzero(edges == 1)
    _, ends = np.nonzero(edges == -1)  # row-major order: the n-th end closes the n-th start
    return np.column_stack((rows, starts, ends - starts))


def runs(modules: list[list[bool]]) -> list[tuple[int, int, int]]:
    """Horizontal runs of dark modules as (row, first column, length): fewer shapes to
    draw than one square per module, and no hairline gaps between neighbours."""
    result = []
    for y, row in enumerate(modules):
        x, size = 0, len(row)
        while x < size:
            if row[x]:
                start = x
                while x < size and row[x]:
                    x += 1
                result.append((y, start, x - start))
            else:
                x += 1
    return result


@lru_cache(maxsize=8)
def _font(size: int):
    try:
        return ImageFont.truetype(settings.LABEL_FONT_PATH, size)
    except OSError:  # the font package is missing; the code is still readable
        return ImageFont.load_default(size)


def png(code: str, *, scale: int = 10, base: str | None = None) -> bytes:
    """The symbol with its quiet zone and the code printed under it."""
    modules = matrix(code, base)
    size = len(modules) + 2 * QUIET_ZONE
    text_height = scale * 5
    image = Image.new("L", (size * scale, size * scale + text_height), 255)
    draw = ImageDraw.Draw(image)
    for y, x, length in runs(modules):
        left, top = (x + QUIET_ZONE) * scale, (y + QUIET_ZONE) * scale
        draw.rectangle([left, top, left + length * scale - 1, top + scale - 1], fill=0)
    draw.text(
        (size * scale / 2, size * scale + text_height / 2 - scale),
        codes.display(code),
        fill=0,
        font=_font(scale * 3),
        anchor="mm",
    )
    buffer = io.BytesIO()
    image.convert("1").save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def svg(code: str, *, base: str | None = None) -> str:
    """A scalable symbol (one path) with the code under it; one module is 1 mm by default."""
    modules = matrix(code, base)
    size = len(modules) + 2 * QUIET_ZONE
    path = "".join(
        f"M{x + QUIET_ZONE},{y + QUIET_ZONE}h{length}v1h-{length}z"
        for y, x, length in runs(modules)
    )
    height = size + 5
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {height}" '
        f'width="{size}mm" height="{height}mm" role="img" '
        f'aria-label="QR {escape(codes.display(code))}">'
        f'<rect width="{size}" height="{height}" fill="#fff"/>'
        f'<path d="{path}" fill="#000" shape-rendering="crispEdges"/>'
        f'<text x="{size / 2}" y="{size + 2.5}" font-size="3" text-anchor="middle" '
        f'font-family="IPAexGothic, sans-serif">{escape(codes.display(code))}</text>'
        "</svg>"
    )
