"""Print-ready A4 sheets of QR stickers, written page by page (memory stays flat).

Each label shows the QR symbol, the code in large type, the city and asset type, the ledger
id (so the installer puts the sticker on the right pole), "故障を見つけたらスキャンしてください
/ Scan to report a fault" and the city's phone number for people who do not scan.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from django.conf import settings

from accounts.errors import DomainError
from qr_labels import codes, qr
from qr_labels.pdf import MM, Canvas, EmbeddedFont, PDFWriter

PT = 25.4 / 72  # millimetres per point
LINE = 1.25  # line height, as a multiple of the font size
MIN_SIZE = 4.0  # points; smaller is unreadable on a pole
# Where the Japanese line may wrap, so it never breaks inside a word.
SCAN_JA = ("故障を見つけたら", "スキャンしてください")
SCAN_EN = ("Scan", "to", "report", "a", "fault")


class LayoutError(DomainError, ValueError):
    code = "bad_layout"


@dataclass(frozen=True)
class SheetLayout:
    """Label sheet geometry in millimetres (the numbers printed on the label paper's box)."""

    columns: int
    rows: int
    label_width: float
    label_height: float
    margin_left: float
    margin_top: float
    gap_x: float = 0.0
    gap_y: float = 0.0
    page_width: float = 210.0
    page_height: float = 297.0
    outline: bool = False  # draw cut lines, for plain paper

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    def check(self) -> None:
        if self.columns < 1 or self.rows < 1:
            raise LayoutError("A sheet needs at least one column and one row.")
        if self.label_width < 25 or self.label_height < 15:
            raise LayoutError(
                "Labels smaller than 25 × 15 mm cannot hold a QR code that phones read."
            )
        right = self.margin_left + self.columns * self.label_width + (self.columns - 1) * self.gap_x
        bottom = self.margin_top + self.rows * self.label_height + (self.rows - 1) * self.gap_y
        if self.margin_left < 0 or self.margin_top < 0 or right > self.page_width + 0.01:
            raise LayoutError(f"The labels are {right:.1f} mm wide; the page is {self.page_width}.")
        if bottom > self.page_height + 0.01:
            raise LayoutError(
                f"The labels reach {bottom:.1f} mm down; the page is {self.page_height}."
            )

    def origin(self, index: int) -> tuple[float, float]:
        """Top-left corner of the index-th label on a page."""
        row, column = divmod(index, self.columns)
        return (
            self.margin_left + column * (self.label_width + self.gap_x),
            self.margin_top + row * (self.label_height + self.gap_y),
        )


PRESETS = {
    # 12 per A4 sheet, 86.4 × 42.3 mm (e.g. A-one 72212, Kokuyo KPC-E112)
    "a4-12": SheetLayout(2, 6, 86.4, 42.3, margin_left=18.6, margin_top=21.6),
    # 24 per A4 sheet, 66.0 × 33.9 mm (e.g. A-one 72224, Kokuyo KPC-E1241)
    "a4-24": SheetLayout(3, 8, 66.0, 33.9, margin_left=6.0, margin_top=12.9),
}


@dataclass(frozen=True)
class LabelContent:
    code: str
    type_name: str
    ledger_id: str
    city: str
    phone: str


def _wrap(
    font: EmbeddedFont, words: Iterable[str], size: float, width_mm: float, joiner: str
) -> list[str]:
    """Greedy wrapping of pieces that must stay whole (words, or Japanese phrases)."""
    lines, current = [], ""
    for word in words:
        candidate = f"{current}{joiner}{word}" if current else word
        if not current or font.width(candidate, size) * PT <= width_mm:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


class LabelPainter:
    """Lays out and draws one label; the layout depends only on the label size."""

    def __init__(self, font: EmbeddedFont, layout: SheetLayout):
        self.font, self.layout = font, layout
        self.pad = max(1.5, min(3.0, layout.label_height * 0.06))
        self.qr_side = min(layout.label_height - 2 * self.pad, layout.label_width * 0.5)
        self.text_x = self.pad + self.qr_side + 1.5
        self.text_width = layout.label_width - self.text_x - self.pad

    def _lines(self, content: LabelContent, scale: float) -> list[tuple[str, float]]:
        """(text, size in points) of each line at a given scale of the base sizes."""
        # Base sizes grow with the label: 6.5 pt on a 34 mm label, 8 pt on a 42 mm one.
        small = max(MIN_SIZE, min(9.0, self.layout.label_height * 0.19) * scale)
        width = self.text_width
        code = codes.display(content.code)
        largest = min(26.0, self.layout.label_height * 0.6) * scale
        code_size = min(largest, width / PT / max(self.font.width(code, 1), 0.1))
        lines = [(f"{content.city} {content.type_name}", small), (code, max(code_size, 8))]
        lines += [(t, small) for t in _wrap(self.font, SCAN_JA, small, width, "")]
        lines += [(t, small) for t in _wrap(self.font, SCAN_EN, small, width, " ")]
        lines.append((f"☎ {content.phone}", small))
        if content.ledger_id:
            lines.append((f"No. {content.ledger_id}", max(MIN_SIZE, small * 0.85)))
        return lines

    def draw(self, canvas: Canvas, x0: float, y0: float, content: LabelContent) -> None:
        layout = self.layout
        if layout.outline:
            canvas.rectangle(x0, y0, layout.label_width, layout.label_height)
        modules = qr.matrix(content.code)
        module = self.qr_side / (len(modules) + 2 * qr.QUIET_ZONE)
        left = x0 + self.pad + qr.QUIET_ZONE * module
        top = y0 + self.pad + qr.QUIET_ZONE * module
        # A hair of overlap between rows keeps renderers from drawing white seams.
        canvas.modules(
            (left + x * module, top + y * module, length * module, module + 0.02)
            for y, x, length in qr.runs(modules)
        )
        available = layout.label_height - 2 * self.pad
        scale, lines = 1.0, []
        while scale > 0.3:
            lines = self._lines(content, scale)
            if sum(size for _, size in lines) * LINE * PT <= available:
                break
            scale *= 0.9
        used = sum(size for _, size in lines) * LINE * PT
        top = y0 + self.pad + (available - used) / 2
        for text, size in lines:
            # The baseline sits about one font size below the top of the line box.
            canvas.text(x0 + self.text_x, top + size * PT, text, size)
            top += size * LINE * PT


class _Chunks:
    """A write-only stream whose bytes are taken away after each page."""

    def __init__(self):
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.parts.append(data)

    def take(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


def iter_sheets(
    contents: Iterable[LabelContent],
    *,
    layout: SheetLayout,
    title: str = "QR labels",
    font_path: str = "",
) -> Iterator[bytes]:
    """The labels as a PDF, yielded page by page: memory stays flat however many there are.
    The font is LABEL_FONT_PATH unless another is given."""
    layout.check()
    font = EmbeddedFont(font_path or settings.LABEL_FONT_PATH)
    sink = _Chunks()
    writer = PDFWriter(sink, title=title, font=font)
    painter = LabelPainter(font, layout)
    canvas, index = None, 0
    for content in contents:
        if canvas is None:
            canvas = Canvas(font, layout.page_height)
        painter.draw(canvas, *layout.origin(index), content)
        index += 1
        if index == layout.per_page:
            writer.page(canvas.content(), layout.page_width * MM, layout.page_height * MM)
            canvas, index = None, 0
            yield sink.take()
    if canvas is not None:
        writer.page(canvas.content(), layout.page_width * MM, layout.page_height * MM)
    writer.close()
    yield sink.take()


def write_sheets(stream: BinaryIO, contents: Iterable[LabelContent], **options) -> int:
    """Write the labels as a PDF to `stream`; returns the number of bytes written."""
    written = 0
    for chunk in iter_sheets(contents, **options):
        stream.write(chunk)
        written += len(chunk)
    return written
