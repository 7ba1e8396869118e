"""Read every page of a PDF into lines and tables, sending scanned or garbled pages to OCR."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any

from retrieval.ocr import OcrError, OcrOptions, ocr_image
from retrieval.pdf_chars import SCAN_COVER, PageChars, read_page
from retrieval.pdf_furniture import TABLE_MARK, is_page_number, running_lines
from retrieval.pdf_layout import Line, Segment, page_lines
from retrieval.pdf_tables import (
    Item,
    Table,
    aligned_tables,
    join_across_pages,
    place_tables,
    ruled_tables,
)

MAX_OCR_PAGES = 50
_MIN_GLYPHS = 20
_LEADERS = set(".·_-…")
_WORD = re.compile(r"[^\W\d_]{3,}")
_VOWELS = set("aeiouyäöüàâéèêëîïôûùáíóúAEIOUYÄÖÜÀÂÉÈÊËÎÏÔÛÙÁÍÓÚ")


@dataclass
class PdfPages:
    """The pages of one PDF as items (lines and tables), with what OCR did and could not do."""

    items: list[list[Item]]
    ocr_pages: int = 0
    notes: list[str] = field(default_factory=list)


def read_pages(
    doc: Any, data: bytes, ocr: OcrOptions, max_ocr_pages: int = MAX_OCR_PAGES
) -> PdfPages:
    """Lines and tables of every page; pages without a usable text layer are read by OCR."""
    pages: list[list[Item]] = []
    unread: dict[str, list[int]] = {}
    ocr_done = 0
    plumber: list[Any] = []  # opened on the first page that has ruling lines
    try:
        for index in range(len(doc)):
            page = doc[index]
            chars = read_page(page)
            if chars.hidden:
                unread.setdefault("hidden", []).append(index + 1)
            problem = text_problem(chars)
            if problem is None:
                pages.append(_layout(chars, index, data, plumber))
            elif problem == "blank":
                pages.append([])
            elif not ocr.available() or ocr_done >= max_ocr_pages:
                unread.setdefault(problem if ocr.available() else f"no-ocr {problem}", []).append(
                    index + 1
                )
                pages.append([])
            else:
                text = _ocr_page(page, ocr)
                ocr_done += text is not None
                if text is None:
                    unread.setdefault(f"failed {problem}", []).append(index + 1)
                pages.append(_text_lines(text or "", index + 1))
            page.close()
    finally:
        for pdf in plumber:
            pdf.close()
    items = _drop_furniture(pages)
    join_across_pages(items)
    return PdfPages(
        items, ocr_done, [_note(kind, nums, max_ocr_pages) for kind, nums in unread.items()]
    )


def text_problem(chars: PageChars) -> str | None:
    """None when the text layer is usable; else "scanned" (image, no text), "garbled" (a text
    layer in a wrong encoding or unmapped glyphs) or "blank"."""
    ink = [g.ch for g in chars.glyphs if not g.ch.isspace()]
    if len(ink) < _MIN_GLYPHS:
        if chars.image_cover > SCAN_COVER or (not ink and chars.image_cover > 0.1):
            return "scanned"
        return None if ink else "blank"
    text = "".join(c for c in ink if c not in _LEADERS)  # dot leaders of a contents page
    letters = sum(c.isalnum() for c in text)
    if chars.replacement > 0.2 * (len(ink) + chars.replacement) or letters < 0.5 * len(text):
        return "garbled"
    words = _WORD.findall("".join(g.ch for g in chars.glyphs))
    if len(words) >= 10 and sum(any(c in _VOWELS for c in w) for w in words) < 0.6 * len(words):
        return "garbled"
    return None


def _layout(chars: PageChars, index: int, data: bytes, plumber: list[Any]) -> list[Item]:
    lines = page_lines(chars, index + 1)
    tables: list[Table] = []
    if chars.ruled:
        if not plumber:
            import pdfplumber

            plumber.append(pdfplumber.open(io.BytesIO(data), password=""))
        plumber_page = plumber[0].pages[index]
        tables = ruled_tables(plumber_page, chars.glyphs, index + 1)
        plumber_page.close()
    return aligned_tables(place_tables(lines, tables), chars.width)


def _ocr_page(page: Any, ocr: OcrOptions) -> str | None:
    image = page.render(scale=ocr.dpi / 72, grayscale=True).to_pil()
    try:
        return ocr_image(image, ocr)
    except OcrError:
        return None


def _text_lines(text: str, page: int) -> list[Item]:
    """OCR text as lines without font information (so no font-based headings)."""
    lines: list[Item] = []
    for k, raw in enumerate(text.splitlines()):
        if raw.strip():
            lines.append(Line([Segment(raw.strip(), 0.0, 0.0, float(k), k + 0.5, 0.0, 0.0)], page))
    return lines


def _drop_furniture(pages: list[list[Item]]) -> list[list[Item]]:
    """Remove running headers/footers and page numbers, judged by position from the top."""
    by_y = [sorted(items, key=lambda it: it.top) for items in pages]
    texts = [[_text(it) for it in items] for items in by_y]
    drop = running_lines(texts)
    out = []
    for items, y_items, gone, lines in zip(pages, by_y, drop, texts, strict=True):
        edges = {i for i, t in enumerate(lines) if t.strip()}
        edge = sorted(edges)[:2] + sorted(edges)[-2:]
        gone |= {i for i in edge if is_page_number(lines[i])}
        removed = {id(y_items[i]) for i in gone}
        out.append([it for it in items if id(it) not in removed])
    return out


def _text(item: Item) -> str:
    return TABLE_MARK if isinstance(item, Table) else item.text


def _note(kind: str, pages: list[int], max_ocr_pages: int) -> str:
    one = len(pages) == 1
    label = f"page {_page_ranges(pages)}" if one else f"pages {_page_ranges(pages)}"
    if kind == "hidden":
        return f"{label} {'holds' if one else 'hold'} invisible text, left out"
    what = "is a scanned image" if one else "are scanned images"
    if kind.endswith("garbled"):
        what = f"{'has' if one else 'have'} a text layer that cannot be decoded (wrong encoding)"
    done = "was not read" if one else "were not read"
    if kind.startswith("no-ocr"):
        return f"{label} {what} and {done}: install tesseract-ocr to read {'it' if one else 'them'}"
    if kind.startswith("failed"):
        return f"{label} {what} and could not be read by OCR (tesseract failed or timed out)"
    return f"{label} {what} and {done}: only {max_ocr_pages} pages per file are read by OCR"


def _page_ranges(pages: list[int]) -> str:
    spans: list[list[int]] = []
    for p in pages:
        if spans and p == spans[-1][1] + 1:
            spans[-1][1] = p
        else:
            spans.append([p, p])
    return ", ".join(f"{a}" if a == b else f"{a}–{b}" for a, b in spans)
