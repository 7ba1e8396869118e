"""Read the characters of one PDF page with pdfium: text, box, size and boldness of each glyph."""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from typing import Any

_BOLD_NAMES = ("bold", "black", "heavy", "semibold", "demi")
_REPLACEMENT = (0xFFFD, 0xFFFE, 0xFFFF)
SCAN_COVER = 0.5  # a page more than this much covered by images is a scan


@dataclass(frozen=True)
class Glyph:
    """One character placed on the page; `top`/`bottom` are measured from the top edge."""

    ch: str
    x0: float
    x1: float
    top: float
    bottom: float
    bold: bool

    @property
    def size(self) -> float:
        return self.bottom - self.top


@dataclass
class PageChars:
    """The glyphs of one page and what else the loader needs to know about it."""

    width: float
    height: float
    glyphs: list[Glyph]
    replacement: int = 0  # characters pdfium could not map to Unicode
    ruled: bool = False  # the page draws enough lines or boxes to hold a ruled table
    image_cover: float = 0.0  # the share of the page covered by images
    hidden: int = 0  # invisible characters left out (render mode 3)


def read_page(page: Any) -> PageChars:
    """All glyphs of a pdfium page, in content order; spaces are kept to mark word breaks.

    Invisible text (render mode 3) is left out: no reader sees it, so it could only plant
    words in answers. On a page that is mostly one image it is kept, because there it is the
    text layer OCR software lays over a scan, and the only text the page has.
    """
    width, height = (float(v) for v in page.get_size())
    ruled, image_area = _graphics(page)
    image_cover = image_area / (width * height)
    textpage = page.get_textpage()
    try:
        glyphs, replacement, hidden = _glyphs(
            textpage.raw, height, keep_invisible=image_cover > SCAN_COVER
        )
    finally:
        textpage.close()
    return PageChars(width, height, glyphs, replacement, ruled, image_cover, hidden)


def _glyphs(raw: Any, height: float, *, keep_invisible: bool) -> tuple[list[Glyph], int, int]:
    """The glyphs of a text page, the count of unmapped characters and of invisible ones."""
    import pypdfium2.raw as pdfium_c

    rect = pdfium_c.FS_RECTF()
    name = ctypes.create_string_buffer(64)
    flags = ctypes.c_int()
    bold_by_name: dict[bytes, bool] = {}
    glyphs: list[Glyph] = []
    replacement = hidden = 0
    for k in range(pdfium_c.FPDFText_CountChars(raw)):
        code = pdfium_c.FPDFText_GetUnicode(raw, k)
        if code in _REPLACEMENT:
            replacement += 1
            continue
        if code == 2:  # pdfium's mark for a hyphen that breaks a word at the line end
            code = 0xAD
        elif code < 32 or (code == 32 and pdfium_c.FPDFText_IsGenerated(raw, k)):
            continue
        if not keep_invisible and _invisible(raw, k):
            hidden += code != 32
            continue
        pdfium_c.FPDFText_GetLooseCharBox(raw, k, rect)
        pdfium_c.FPDFText_GetFontInfo(raw, k, name, 64, flags)
        bold = bold_by_name.get(name.value)
        if bold is None:
            lowered = name.value.decode("latin-1").lower()
            bold = bold_by_name[name.value] = any(b in lowered for b in _BOLD_NAMES)
        if not bold and pdfium_c.FPDFText_GetFontWeight(raw, k) >= 600:
            bold = True
        glyphs.append(
            Glyph(chr(code), rect.left, rect.right, height - rect.top, height - rect.bottom, bold)
        )
    return glyphs, replacement, hidden


def _invisible(raw: Any, k: int) -> bool:
    """Whether character `k` is drawn in render mode 3: neither filled nor stroked."""
    import pypdfium2.raw as pdfium_c

    obj = pdfium_c.FPDFText_GetTextObject(raw, k)
    if not obj:
        return False
    return bool(
        pdfium_c.FPDFTextObj_GetTextRenderMode(obj) == pdfium_c.FPDF_TEXTRENDERMODE_INVISIBLE
    )


def _graphics(page: Any) -> tuple[bool, float]:
    """Whether the page draws table rules (several thin lines or boxes), and its image area."""
    import pypdfium2.raw as pdfium_c

    horizontal = vertical = boxes = 0
    images = 0.0
    for obj in page.get_objects(max_depth=2):
        if obj.type not in (pdfium_c.FPDF_PAGEOBJ_IMAGE, pdfium_c.FPDF_PAGEOBJ_PATH):
            continue
        left, bottom, right, top = obj.get_bounds()
        w, h = right - left, top - bottom
        if obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            images += max(w, 0.0) * max(h, 0.0)
            continue
        if h < 3 and w > 40:
            horizontal += 1
        elif w < 3 and h > 10:
            vertical += 1
        elif w > 20 and h > 8:
            boxes += 1
    return (horizontal >= 3 and vertical >= 2) or boxes >= 4 or horizontal >= 6, images
