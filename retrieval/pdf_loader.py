"""PDF loading: lines, tables and headings read with pdfium, scanned pages read by OCR.

The work is split by job: `pdf_chars` reads glyphs, `pdf_layout` builds lines in column order,
`pdf_tables` finds tables, `pdf_furniture` drops running headers and footers, `pdf_pages`
drives them page by page (with OCR), `pdf_headings` and `pdf_sections` build the sections.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from retrieval.documents import Extraction
from retrieval.errors import DocumentLoadError
from retrieval.limits import (
    MAX_PDF_PAGES,
    MAX_PDF_RATIO,
    MAX_PDF_UNPACKED_BYTES,
    check_page_count,
)
from retrieval.ocr import OcrOptions
from retrieval.pdf_furniture import drop_running_lines
from retrieval.pdf_pages import MAX_OCR_PAGES, read_pages
from retrieval.pdf_streams import check_pdf_streams

__all__ = ["drop_running_lines", "load_pdf", "reflow"]


def load_pdf(
    path: Path,
    data: bytes,
    ocr: OcrOptions | None = None,
    max_ocr_pages: int = MAX_OCR_PAGES,
    max_pages: int = MAX_PDF_PAGES,
    max_unpacked: int = MAX_PDF_UNPACKED_BYTES,
    max_ratio: float = MAX_PDF_RATIO,
) -> Extraction:
    """Read a PDF into sections. Raises `DocumentLoadError` with a reason a user can act on."""
    check_pdf_streams(path, data, max_unpacked, max_ratio)
    doc = _open(path, data)
    try:
        check_page_count(path, len(doc), max_pages)
        return _extract(path, doc, data, ocr or OcrOptions(), max_ocr_pages)
    except DocumentLoadError:
        raise
    except Exception as exc:  # damaged files make the PDF libraries raise assorted errors
        raise DocumentLoadError(path, f"is not a readable PDF ({type(exc).__name__})") from exc
    finally:
        doc.close()


def _open(path: Path, data: bytes) -> Any:
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
            raise DocumentLoadError(
                path, "is password-protected; save an unprotected copy"
            ) from exc
        raise DocumentLoadError(path, "is not a readable PDF (damaged or not a PDF)") from exc
    except Exception as exc:
        raise DocumentLoadError(path, f"is not a readable PDF ({type(exc).__name__})") from exc


def _extract(path: Path, doc: Any, data: bytes, ocr: OcrOptions, max_ocr: int) -> Extraction:
    from retrieval.pdf_headings import body_size, first_page_title, looks_truncated
    from retrieval.pdf_layout import Line
    from retrieval.pdf_sections import build_sections

    if len(doc) == 0:
        raise DocumentLoadError(path, "is a PDF with no pages")
    widths = [float(doc.get_page_size(i)[0]) for i in range(len(doc))]
    outline = _outline(doc)
    pages = read_pages(doc, data, ocr, max_ocr)
    sections = build_sections(pages.items, outline, widths, reflow)
    if not sections:
        reason = "; ".join(pages.notes) or "its pages are blank or hold only images"
        raise DocumentLoadError(path, f"has no extractable text ({reason})")
    title = " ".join(str(doc.get_metadata_dict().get("Title") or "").split())
    if looks_truncated(title):
        first = outline[0][2] if outline and outline[0][0] == 0 else ""
        if not first and pages.items:
            lines = [it for it in pages.items[0] if isinstance(it, Line) and it.size > 0]
            first = first_page_title(lines, body_size(lines))
        title = " ".join(first.split()) or ("" if looks_truncated(title) else title)
    return Extraction(sections, title, pages=len(doc), ocr_pages=pages.ocr_pages, notes=pages.notes)


def _outline(doc: Any) -> list[tuple[int, int, str]]:
    """Bookmarks as (page index, depth, title) in document order."""
    entries = []
    for bookmark in doc.get_toc(max_depth=8):
        dest = bookmark.get_dest()
        index = dest.get_index() if dest is not None else None
        title = " ".join(str(bookmark.get_title() or "").split())
        if index is not None and index >= 0 and title:
            entries.append((int(index), int(bookmark.level), title))
    return entries


_LIST_START = re.compile(r"^(\d{1,2}[.)]?|\(\w{1,4}\)|[-•●▪–*])\s+\S")


def reflow(text: str) -> str:
    """Join the lines a PDF wrapped: a line continues the previous one unless it starts a
    list item or a table row, or the previous line was a table row or ended with a colon.
    A word hyphenated at the line end (a soft hyphen) is joined without a space.

    Example:
        >>> reflow("Dry at 80 °C for 4 hours in the\\ndryer.\\n1 Check oil.\\n2 Start.")
        'Dry at 80 °C for 4 hours in the dryer.\\n1 Check oil.\\n2 Start.'
    """
    out: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        starts_block = line.startswith("|") or bool(_LIST_START.match(line))
        if out and out[-1].endswith("\u00ad") and not starts_block:
            out[-1] = out[-1][:-1] + line
        elif out and not starts_block and not out[-1].startswith("|") and not out[-1].endswith(":"):
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
    return "\n".join(line.replace("\u00ad", "") for line in out)
