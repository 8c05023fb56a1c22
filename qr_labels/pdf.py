"""A small streaming PDF writer with an embedded TrueType font.

Why not reportlab: it keeps every page in memory until the end, so printing a whole city's
stickers grows without bound; and it cannot embed the CFF-based Noto CJK. Here each page is
written and forgotten as soon as it is full. Text uses a TrueType font (IPAexGothic)
embedded as a CID font with the original glyph ids, subset at the end to the glyphs used,
with a ToUnicode map so text can be searched and copied.
"""

import io
import zlib
from collections.abc import Iterable
from typing import BinaryIO

import numpy as np
from fontTools import subset as ft_subset
from fontTools.ttLib import TTFont

MM = 72 / 25.4  # PDF units (points) per millimetre


def _pdf_string(text: str) -> str:
    """A literal string for the Info dictionary, as UTF-16 when it is not ASCII."""
    if text.isascii():
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        return f"({escaped})"
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"


class EmbeddedFont:
    """A TrueType font used through glyph ids (Identity-H); subset when the PDF is done."""

    def __init__(self, path: str, resource_name: str = "F1"):
        self.path = path
        self.name = resource_name
        # Read from memory: a TTFont over a path keeps the file open until it is collected.
        with open(path, "rb") as handle:
            self._data = handle.read()
        self._font = TTFont(io.BytesIO(self._data), lazy=True)
        self._cmap = self._font.getBestCmap()
        self._hmtx = self._font["hmtx"]
        self._scale = 1000 / self._font["head"].unitsPerEm
        self._glyph_ids: dict[str, int] = {}
        self._widths: dict[str, float] = {}
        self._hex: dict[str, str] = {}  # character -> its glyph id for Tj, once used
        self.used: dict[int, str] = {}  # glyph id -> character, for widths and ToUnicode
        self.postscript_name = self._font["name"].getDebugName(6) or "Embedded"

    def _glyph(self, char: str) -> int:
        gid = self._glyph_ids.get(char)
        if gid is None:
            glyph_name = self._cmap.get(ord(char))
            gid = self._font.getGlyphID(glyph_name) if glyph_name else 0
            self._glyph_ids[char] = gid
            self._widths[char] = self._hmtx[glyph_name][0] * self._scale if glyph_name else 0
        return gid

    def width(self, text: str, size: float) -> float:
        """Advance width of `text` at `size` points, in points."""
        widths = self._widths
        try:
            total = sum([widths[char] for char in text])
        except KeyError:  # a character not met before
            for char in text:
                self._glyph(char)
            total = sum([widths[char] for char in text])
        return total * size / 1000

    def encode(self, text: str) -> str:
        """The hex string of glyph ids for a Tj operator; remembers the glyphs used."""
        hexes = self._hex
        try:
            return "<" + "".join([hexes[char] for char in text]) + ">"
        except KeyError:  # a character not met before
            for char in text:
                if char not in hexes:
                    gid = self._glyph(char)
                    self.used.setdefault(gid, char)
                    hexes[char] = f"{gid:04X}"
            return "<" + "".join([hexes[char] for char in text]) + ">"

    def ink_height(self, text: str) -> float:
        """The height of the lowest glyph's ink among `text`, in ems: for capitals and digits,
        the height a reader sees printed (the em box, a font size tall, is taller)."""
        glyphs = self._font["glyf"]
        heights = [
            glyphs[name].yMax - glyphs[name].yMin
            for name in (self._cmap.get(ord(char)) for char in text)
            if name and glyphs[name].numberOfContours
        ]
        return min(heights) / self._font["head"].unitsPerEm if heights else 0.0

    def subset_bytes(self) -> bytes:
        options = ft_subset.Options()
        options.retain_gids = True  # the page streams already refer to the original ids
        options.notdef_outline = True
        options.name_IDs = ["*"]
        options.layout_features = []
        options.hinting = False
        font = TTFont(io.BytesIO(self._data))
        subsetter = ft_subset.Subsetter(options)
        subsetter.populate(gids=sorted(set(self.used) | {0}))
        subsetter.subset(font)
        buffer = io.BytesIO()
        font.save(buffer)
        return buffer.getvalue()

    def metrics(self) -> dict:
        head, hhea, os2 = self._font["head"], self._font["hhea"], self._font["OS/2"]
        s = self._scale
        return {
            "bbox": [round(v * s) for v in (head.xMin, head.yMin, head.xMax, head.yMax)],
            "ascent": round(hhea.ascent * s),
            "descent": round(hhea.descent * s),
            "cap_height": round(getattr(os2, "sCapHeight", hhea.ascent) * s),
        }

    def widths_array(self) -> str:
        parts = []
        for gid in sorted(self.used):
            parts.append(f"{gid} [{round(self.width(self.used[gid], 1000))}]")
        return "[" + " ".join(parts) + "]"

    def to_unicode_cmap(self) -> bytes:
        lines = [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
            "/CMapName /Adobe-Identity-UCS def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            "<0000> <FFFF>",
            "endcodespacerange",
        ]
        items = sorted(self.used.items())
        for start in range(0, len(items), 100):
            chunk = items[start : start + 100]
            lines.append(f"{len(chunk)} beginbfchar")
            for gid, char in chunk:
                lines.append(f"<{gid:04X}> <{char.encode('utf-16-be').hex().upper()}>")
            lines.append("endbfchar")
        lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
        return "\n".join(lines).encode("ascii")


class PDFWriter:
    """Writes objects to a binary stream as they come; only offsets stay in memory."""

    def __init__(self, stream: BinaryIO, *, title: str = "", font: EmbeddedFont):
        self.stream = stream
        self.font = font
        self.title = title
        self._position = 0
        self._offsets: dict[int, int] = {}
        self._next = 1
        self._pages: list[int] = []
        self.pages_ref = self.reserve()
        self.font_ref = self.reserve()
        self._write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

    def _write(self, data: bytes) -> None:
        self.stream.write(data)
        self._position += len(data)

    def reserve(self) -> int:
        number = self._next
        self._next += 1
        return number

    def object(self, number: int, body: str | bytes) -> None:
        self._offsets[number] = self._position
        if isinstance(body, str):
            body = body.encode("latin-1")
        self._write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")

    def stream_object(
        self, number: int, data: bytes, extra: str = "", compress=True, level: int = 6
    ) -> None:
        if compress:
            data = zlib.compress(data, level)
            extra += " /Filter /FlateDecode"
        head = f"<< /Length {len(data)}{extra} >>\nstream\n".encode("latin-1")
        self.object(number, head + data + b"\nendstream")

    def page(self, content: bytes, width: float, height: float) -> None:
        """Add a page (size in points) whose content stream is `content`."""
        content_ref, page_ref = self.reserve(), self.reserve()
        # Level 3: a sheet of QR paths compresses 3.5 times faster than at 6, 40 % larger.
        self.stream_object(content_ref, content, level=3)
        self.object(
            page_ref,
            f"<< /Type /Page /Parent {self.pages_ref} 0 R "
            f"/MediaBox [0 0 {width:.2f} {height:.2f}] "
            f"/Resources << /Font << /{self.font.name} {self.font_ref} 0 R >> >> "
            f"/Contents {content_ref} 0 R >>",
        )
        self._pages.append(page_ref)

    @property
    def page_count(self) -> int:
        return len(self._pages)

    def _write_font(self) -> None:
        font = self.font
        descendant, descriptor, file_ref, cmap_ref = (self.reserve() for _ in range(4))
        # A subset font's name starts with six capital letters and a plus sign.
        base = "MCHMRI+" + "".join(ch for ch in font.postscript_name if ch.isalnum())
        data = font.subset_bytes()
        self.stream_object(file_ref, data, f" /Length1 {len(data)}")
        metrics = font.metrics()
        self.object(
            descriptor,
            f"<< /Type /FontDescriptor /FontName /{base} /Flags 4 "
            f"/FontBBox [{' '.join(map(str, metrics['bbox']))}] /ItalicAngle 0 "
            f"/Ascent {metrics['ascent']} /Descent {metrics['descent']} "
            f"/CapHeight {metrics['cap_height']} /StemV 80 /FontFile2 {file_ref} 0 R >>",
        )
        self.object(
            descendant,
            f"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{base} "
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
            f"/FontDescriptor {descriptor} 0 R /DW 1000 /W {font.widths_array()} "
            "/CIDToGIDMap /Identity >>",
        )
        self.stream_object(cmap_ref, font.to_unicode_cmap())
        self.object(
            self.font_ref,
            f"<< /Type /Font /Subtype /Type0 /BaseFont /{base} /Encoding /Identity-H "
            f"/DescendantFonts [{descendant} 0 R] /ToUnicode {cmap_ref} 0 R >>",
        )

    def close(self) -> None:
        """Write the font, the page tree, the catalogue and the cross-reference table."""
        self._write_font()
        kids = " ".join(f"{ref} 0 R" for ref in self._pages)
        self.object(self.pages_ref, f"<< /Type /Pages /Kids [{kids}] /Count {len(self._pages)} >>")
        catalog, info = self.reserve(), self.reserve()
        self.object(catalog, f"<< /Type /Catalog /Pages {self.pages_ref} 0 R >>")
        self.object(info, f"<< /Title {_pdf_string(self.title)} /Producer (Machimori) >>")
        xref_at = self._position
        lines = [f"xref\n0 {self._next}\n", "0000000000 65535 f \n"]
        for number in range(1, self._next):
            lines.append(f"{self._offsets[number]:010d} 00000 n \n")
        self._write("".join(lines).encode("ascii"))
        self._write(
            f"trailer\n<< /Size {self._next} /Root {catalog} 0 R /Info {info} 0 R >>\n"
            f"startxref\n{xref_at}\n%%EOF\n".encode("ascii")
        )


class Canvas:
    """Drawing operations for one page, in millimetres from the top-left corner."""

    def __init__(self, font: EmbeddedFont, page_height_mm: float):
        self.font = font
        self.height = page_height_mm
        self.parts: list[str] = []

    def modules(
        self, x: float, y: float, module: float, runs: np.ndarray, overlap: float = 0.0
    ) -> None:
        """Dark runs of QR modules filled as one path. `runs` holds rows of (row, first
        column, length) counted in modules; the grid's top-left corner is at (x, y) mm, a
        module is `module` mm square and each run is drawn `overlap` mm taller (a hair that
        keeps renderers from drawing white seams between rows). The path is written in
        module units under a scaling `cm`, so its numbers are small integers: quick to write
        and to compress, which counts when a sheet holds thousands of symbols."""
        height = f"{1 + overlap / module:.3f}"
        ops = (f"%d %d %d {height} re\n" * len(runs)) % tuple(runs[:, [1, 0, 2]].ravel().tolist())
        scale = module * MM
        self.parts.append(
            f"q {scale:.4f} 0 0 {-scale:.4f} {x * MM:.2f} {(self.height - y) * MM:.2f} cm 0 g\n"
            f"{ops}f Q"
        )

    def placed(self, x: float, y: float, parts: Iterable[str]) -> None:
        """Operations drawn as if at the page's top-left corner, moved to (x, y) mm: a label
        is drawn where it would sit first on the page, so its fixed lines are the same
        operations on every label and need working out only once."""
        self.parts.append(f"q 1 0 0 1 {x * MM:.2f} {-y * MM:.2f} cm")
        self.parts.extend(parts)
        self.parts.append("Q")

    def text(
        self, x: float, baseline: float, text: str, size: float, condensed: float = 100
    ) -> None:
        """Text whose baseline starts at (x, baseline) mm from the top-left; `condensed` is the
        width of the glyphs in percent (narrower glyphs, the same height)."""
        self.parts.append(self.text_operations(x, baseline, text, size, condensed))

    def text_operations(
        self, x: float, baseline: float, text: str, size: float, condensed: float = 100
    ) -> str:
        """The operations `text` adds, to keep and reuse."""
        drawn = (
            f"BT /{self.font.name} {size:.2f} Tf {x * MM:.2f} "
            f"{(self.height - baseline) * MM:.2f} Td {self.font.encode(text)} Tj ET"
        )
        if condensed < 100:
            # Tz is graphics state, which BT does not reset: keep it to this text.
            drawn = f"q {condensed:.1f} Tz {drawn} Q"
        return drawn

    def lines(self, segments: Iterable[tuple[float, float, float, float]]) -> None:
        """Thin black lines from (x1, y1) to (x2, y2) in mm, e.g. the marks to cut along."""
        ops = [
            f"{x1 * MM:.2f} {(self.height - y1) * MM:.2f} m {x2 * MM:.2f} "
            f"{(self.height - y2) * MM:.2f} l"
            for x1, y1, x2, y2 in segments
        ]
        if ops:
            self.parts.append("0 G 0.3 w\n" + "\n".join(ops) + "\nS")

    def rectangle(self, x: float, y: float, w: float, h: float, grey: float = 0.75) -> None:
        """A thin outline, e.g. the cut line of a label for plain paper."""
        self.parts.append(
            f"{grey} G 0.2 w {x * MM:.2f} {(self.height - y - h) * MM:.2f} {w * MM:.2f} "
            f"{h * MM:.2f} re S"
        )

    def content(self) -> bytes:
        return "\n".join(self.parts).encode("latin-1")
