"""Print-ready A4 sheets of QR stickers, written page by page (memory stays flat).

The label's shape chooses the sticker: wider than tall is for boards and flat surfaces (the
QR symbol on the left, the lines beside it); taller than wide is for small round poles (the
symbol on top, the lines under it: narrow across the pole's curve, long along it). Both show
the city and asset type, "故障を見つけたらスキャンしてください / Scan to report a fault", a
short address to type for those who cannot scan, the code in large type with "この番号を
お伝えください" (quote this code) under it, the phone hours and the city's phone number in
large type, and the ledger id (so the installer puts the sticker on the right pole). The
code's capitals and digits print at least 4 mm tall and the phone number's at least 3 mm.
Cut marks in the margins, in line with every edge of the labels, show where to cut sheets
that are not die-cut (printable vinyl; see docs/labels.md).
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from django.conf import settings

from accounts.errors import DomainError
from qr_labels import codes, qr
from qr_labels.pdf import MM, Canvas, EmbeddedFont, PDFWriter

PT = 25.4 / 72  # millimetres per point
LINE = 1.2  # line height, as a multiple of the font size
MIN_SIZE = 4.0  # points; smaller is unreadable on a pole
MAX_SIZE = 9.0  # points, for the lines other than the code and the phone number
# Printed height of capitals and digits (not the font size, which is the taller em box).
CODE_MM = 4.0
PHONE_MM = 3.0
SIZE_MARGIN = 1.05  # drawn 5% above those floors: rounding, and a printer's slight shrink
NARROWEST = 70  # percent: a line too wide is condensed down to this, then made smaller
CUT_OFFSET = 1.5  # mm between a label's edge and the start of its cut mark
CUT_LENGTH = 4.0  # mm
# Where the Japanese line may wrap, so it never breaks inside a word.
SCAN_JA = ("故障を見つけたら", "スキャンしてください")
SCAN_EN = ("Scan", "to", "report", "a", "fault")
QUOTE = "この番号をお伝えください"


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
    outline: bool = False  # draw each label's outline, for plain paper

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    @property
    def for_poles(self) -> bool:
        """A label taller than wide is laid out for a round pole."""
        return self.label_height > self.label_width

    def check(self) -> None:
        if self.columns < 1 or self.rows < 1:
            raise LayoutError("A sheet needs at least one column and one row.")
        if (
            min(self.label_width, self.label_height) < 15
            or max(self.label_width, self.label_height) < 25
        ):
            raise LayoutError(
                "Labels smaller than 25 × 15 mm cannot hold a QR code that phones read."
            )
        right, bottom = self.grid_end()
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

    def grid_end(self) -> tuple[float, float]:
        """The right and bottom edges of the last column and row."""
        x, y = self.origin(self.per_page - 1)
        return x + self.label_width, y + self.label_height

    def cut_marks(self) -> list[tuple[float, float, float, float]]:
        """Short lines in the page margins, in line with every edge of the labels: a ruler or
        a trimmer's guide laid from mark to mark cuts a whole row or column at once."""
        right, bottom = self.grid_end()
        xs = sorted(
            {self.origin(c)[0] + dx for c in range(self.columns) for dx in (0, self.label_width)}
        )
        ys = sorted(
            {
                self.origin(r * self.columns)[1] + dy
                for r in range(self.rows)
                for dy in (0, self.label_height)
            }
        )
        marks = []
        for room, edge, away, across in (
            (self.margin_top, self.margin_top, -1, xs),
            (self.page_height - bottom, bottom, 1, xs),
            (self.margin_left, self.margin_left, -1, ys),
            (self.page_width - right, right, 1, ys),
        ):
            length = min(CUT_LENGTH, room - CUT_OFFSET - 1.0)  # 1 mm short of the paper's edge
            if length < 1.0:
                continue
            near, far = edge + away * CUT_OFFSET, edge + away * (CUT_OFFSET + length)
            vertical = across is xs
            marks += [(at, near, at, far) if vertical else (near, at, far, at) for at in across]
        return marks


PRESETS = {
    # Boards and flat surfaces, on die-cut A4 label sheets:
    # 12 per sheet, 86.4 × 42.3 mm (e.g. A-one 72212, Kokuyo KPC-E112)
    "a4-12": SheetLayout(2, 6, 86.4, 42.3, margin_left=18.6, margin_top=21.6),
    # 24 per sheet, 66.0 × 33.9 mm (e.g. A-one 72224, Kokuyo KPC-E1241); the smallest
    "a4-24": SheetLayout(3, 8, 66.0, 33.9, margin_left=6.0, margin_top=12.9),
    # Cut by hand from printable vinyl or PET sheets, along the cut marks:
    # boards, 10 per sheet, 90 × 54 mm
    "board-a4-10": SheetLayout(2, 5, 90.0, 54.0, margin_left=15.0, margin_top=13.5),
    # small round poles (steel pipes from about 48.6 mm across), 15 per sheet, 38 × 80 mm
    "pole-a4-15": SheetLayout(5, 3, 38.0, 80.0, margin_left=10.0, margin_top=28.5),
}


@dataclass(frozen=True)
class LabelContent:
    code: str
    type_name: str
    ledger_id: str
    city: str
    phone: str
    phone_hours: str = ""  # 平日 8:30–17:15
    short_url: str = ""  # the address to type, code included: izumo.example.jp/q/7KQ3M9PX
    url_base: str = ""  # the sticker's city's public address, in the symbol ("": the one city)


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


@dataclass(frozen=True)
class _Line:
    """One line of the text block: `part` of the content (or fixed `text`) at `size` points,
    its baseline `baseline` mm below the label's top."""

    part: str
    size: float
    baseline: float = 0.0
    text: str = ""


class LabelPainter:
    """Lays out and draws one label; the layout depends only on the label size, so it is
    worked out once and each label only fills it in (a line too wide is condensed)."""

    KEPT = 512  # lines' operations kept for reuse

    def __init__(self, font: EmbeddedFont, layout: SheetLayout):
        self.font, self.layout = font, layout
        width, height = layout.label_width, layout.label_height
        pad = max(1.5, min(3.0, min(width, height) * 0.06))
        if layout.for_poles:
            self.qr_side = width - 2 * pad
            self.qr_at = (pad, pad)
            self.text_x, self.text_top = pad, pad + self.qr_side + 1.0
            self.text_width = width - 2 * pad
        else:
            self.qr_side = min(height - 2 * pad, width * 0.41)
            self.qr_at = (pad, (height - self.qr_side) / 2)
            self.text_x, self.text_top = pad + self.qr_side + 1.5, pad
            self.text_width = width - self.text_x - pad
        self.text_height = height - self.text_top - pad
        # Sizes from the printed height of the font's shortest capital or digit.
        ink = font.ink_height("0123456789" + codes.ALPHABET)
        self.code_size = CODE_MM / PT / ink * SIZE_MARGIN
        self.phone_size = PHONE_MM / PT / ink * SIZE_MARGIN
        self.ascent = font.metrics()["ascent"] / 1000
        self.block = self._block()
        self._drawn: dict[tuple[int, str], str] = {}  # (line, text) -> its operations

    def _lines(self, small: float) -> list[_Line]:
        """The lines of the text block with the other lines at `small` points."""
        width = self.text_width
        lines = [_Line("title", small)]
        lines += [_Line("", small, text=t) for t in _wrap(self.font, SCAN_JA, small, width, "")]
        lines += [_Line("", small, text=t) for t in _wrap(self.font, SCAN_EN, small, width, " ")]
        lines += [
            _Line("url", small),
            _Line("code", max(self.code_size, small * 2)),
            _Line("", small, text=QUOTE),
            _Line("hours", small),
            _Line("phone", max(self.phone_size, small * 1.5)),
            _Line("ledger", max(MIN_SIZE, small * 0.85)),
        ]
        return lines

    def _block(self) -> list[_Line]:
        """The lines of the text block and where they go: the small lines as large as the
        fixed wording allows without condensing it, the code and phone number at least at
        their floors."""
        fixed = (QUOTE, *SCAN_JA, max(SCAN_EN, key=len))
        widest = max(self.font.width(text, 1) for text in fixed) * PT
        small = max(MIN_SIZE, min(MAX_SIZE, self.text_width / widest))
        while True:
            lines = self._lines(small)
            used = sum(line.size for line in lines) * LINE * PT
            if used <= self.text_height or small <= MIN_SIZE:
                break
            small = max(MIN_SIZE, small * 0.95)
        # Under the symbol on a pole sticker; centred beside it on a board sticker.
        top = self.text_top
        if not self.layout.for_poles:
            top += max(0.0, self.text_height - used) / 2
        block = []
        for line in lines:
            size = line.size * PT
            baseline = top + (LINE - 1) / 2 * size + self.ascent * size
            block.append(_Line(line.part, line.size, baseline, line.text))
            top += size * LINE
        return block

    def _fit(self, text: str, size: float) -> tuple[float, float, float]:
        """(size, condensed %, drawn width in mm) of a line within the text width."""
        width = self.font.width(text, size) * PT
        if width <= self.text_width:
            return size, 100, width
        condensed = self.text_width / width * 100
        if condensed >= NARROWEST:
            return size, condensed, self.text_width
        return size * condensed / NARROWEST, NARROWEST, self.text_width

    @staticmethod
    def _part(part: str, content: LabelContent) -> str:
        if part == "title":
            return f"{content.city} {content.type_name}"
        if part == "code":
            return codes.display(content.code)
        if part == "phone":
            return content.phone
        if part == "url":
            return content.short_url
        if part == "hours":
            return f"☎ {content.phone_hours}".rstrip()
        return f"No. {content.ledger_id}" if content.ledger_id else ""

    def draw(self, canvas: Canvas, x0: float, y0: float, content: LabelContent) -> None:
        """Draw the label as if it sat at the page's corner, then move it to (x0, y0): its
        fixed lines (the wording, the city, the phone) are then the same operations on every
        label, worked out once and reused."""
        layout = self.layout
        label = Canvas(self.font, canvas.height)
        if layout.outline:
            label.rectangle(0, 0, layout.label_width, layout.label_height)
        # zxing-cpp's encoder: a sheet holds thousands of symbols (see qr_labels/qr.py).
        dark = qr.symbol(content.code, content.url_base or None)
        module = self.qr_side / (len(dark) + 2 * qr.QUIET_ZONE)
        label.modules(
            self.qr_at[0] + qr.QUIET_ZONE * module,
            self.qr_at[1] + qr.QUIET_ZONE * module,
            module,
            qr.symbol_runs(dark),
            overlap=0.02,  # mm: no white seams between rows
        )
        centred = layout.for_poles
        for index, line in enumerate(self.block):
            text = line.text or self._part(line.part, content)
            if not text:
                continue
            drawn = self._drawn.get((index, text))
            if drawn is None:
                size, condensed, width = self._fit(text, line.size)
                x = self.text_x + ((self.text_width - width) / 2 if centred else 0)
                drawn = label.text_operations(x, line.baseline, text, size, condensed)
                if len(self._drawn) >= self.KEPT:  # the codes never repeat: memory stays flat
                    self._drawn.clear()
                self._drawn[(index, text)] = drawn
            label.parts.append(drawn)
        canvas.placed(x0, y0, label.parts)


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
    marks = layout.cut_marks()
    canvas, index = None, 0
    for content in contents:
        if canvas is None:
            canvas = Canvas(font, layout.page_height)
            canvas.lines(marks)
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
