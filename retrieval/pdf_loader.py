"""PDF loading: page text split at bookmarked headings, running headers and footers removed.

pypdf reads the outline and metadata; pdfplumber reads the page content, because it finds
ruled tables, which are written as Markdown tables (`retrieval.tables`) instead of one cell
per line.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from retrieval.documents import Section
from retrieval.errors import DocumentLoadError
from retrieval.tables import to_markdown

_TABLE_MARK = "\x00"


def load_pdf(path: Path, data: bytes) -> tuple[dict[str, Any], list[Section], str]:
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentLoadError(path, "is password-protected; save an unprotected copy")
        pages = _page_texts(data)
        outline = _pdf_outline(reader)
        title = str(reader.metadata.get("/Title") or "") if reader.metadata else ""
    except DocumentLoadError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise DocumentLoadError(path, f"is not a readable PDF ({exc})") from exc
    except Exception as exc:  # pypdf raises assorted errors on damaged files
        raise DocumentLoadError(path, f"is not a readable PDF ({type(exc).__name__})") from exc
    if not pages:
        raise DocumentLoadError(path, "is a PDF with no pages")
    if not any(p.strip() for p in pages):
        raise DocumentLoadError(path, "has no extractable text (a scanned image or blank pages?)")
    return {}, _pdf_sections(pages, outline), title


def _page_texts(data: bytes) -> list[str]:
    """Text of every page in reading order, each ruled table as a Markdown table."""
    import io

    import pdfplumber

    texts = []
    with pdfplumber.open(io.BytesIO(data), password="") as pdf:
        for page in pdf.pages:
            tables = sorted(page.find_tables(), key=lambda t: t.bbox[1])
            parts, top = [], 0.0
            for table in tables:
                _, t_top, _, t_bottom = table.bbox
                if t_top > top:
                    parts.append(_region_text(page, top, t_top))
                markdown = to_markdown(table.extract())
                # a marker per line keeps table rows out of running header/footer removal
                parts.append("\n".join(_TABLE_MARK + line for line in markdown.splitlines()))
                top = max(top, t_bottom)
            parts.append(_region_text(page, top, float(page.height)))
            texts.append("\n".join(p for p in parts if p.strip()))
            page.close()
    return texts


def _region_text(page: Any, top: float, bottom: float) -> str:
    bottom = min(bottom, float(page.height))
    if bottom - top < 1:
        return ""
    region = page.crop((0, max(0.0, top), float(page.width), bottom), strict=False)
    return str(region.extract_text() or "")


def _pdf_outline(reader: Any) -> list[tuple[int, int, str]]:
    """Flatten the outline into (page index, depth, title) in document order."""
    entries: list[tuple[int, int, str]] = []

    def walk(items: list[Any], depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
                continue
            page = reader.get_destination_page_number(item)
            if page is not None and page >= 0:
                entries.append((page, depth, str(item.title).strip()))

    walk(list(reader.outline or []), 0)
    return entries


def _pdf_sections(pages: list[str], outline: list[tuple[int, int, str]]) -> list[Section]:
    """Split page text at bookmarked headings; headings may wrap over up to three lines."""
    page_lines = [
        [line.removeprefix(_TABLE_MARK) for line in lines]
        for lines in drop_running_lines([text.splitlines() for text in pages])
    ]
    sections: list[Section] = []
    stack: list[str] = []
    pending = list(outline)

    def enter(depth: int, title: str) -> None:
        del stack[depth:]
        stack.append(title)

    for page_index, lines in enumerate(page_lines):
        # bookmarks of earlier pages whose text was not found still set the context
        while pending and pending[0][0] < page_index:
            _, depth, title = pending.pop(0)
            enter(depth, title)
        buffer: list[str] = []
        i = 0
        while i < len(lines):
            span = (
                _heading_span(lines, i, pending[0][2])
                if pending and (pending[0][0] == page_index)
                else 0
            )
            if span:
                if any(line.strip() for line in buffer):
                    sections.append(
                        Section(reflow("\n".join(buffer)), tuple(stack), page_index + 1)
                    )
                buffer = []
                _, depth, title = pending.pop(0)
                enter(depth, title)
                i += span
                continue
            buffer.append(lines[i])
            i += 1
        if any(line.strip() for line in buffer):
            sections.append(Section(reflow("\n".join(buffer)), tuple(stack), page_index + 1))
    return sections


_LIST_START = re.compile(r"^(\d{1,2}[.)]?|[-•●▪–*])\s+\S")


def reflow(text: str) -> str:
    """Join the lines a PDF wrapped: a line continues the previous one unless it starts a
    list item or a table row, or the previous line was a table row or ended with a colon.

    Example:
        >>> reflow("Dry at 80 °C for 4 hours in the\ndryer.\n1 Check oil.\n2 Start.")
        'Dry at 80 °C for 4 hours in the dryer.\n1 Check oil.\n2 Start.'
    """
    out: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        starts_block = line.startswith("|") or bool(_LIST_START.match(line))
        if out and not starts_block and not out[-1].startswith("|") and not out[-1].endswith(":"):
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
    return "\n".join(out)


def _heading_span(lines: list[str], start: int, title: str) -> int:
    """How many lines from `start` spell out `title` (0 if they do not)."""
    target = " ".join(title.split())
    joined = ""
    for span in range(1, 4):
        if start + span > len(lines):
            break
        joined = " ".join((joined + " " + lines[start + span - 1]).split())
        if joined == target:
            return span
        if not target.startswith(joined):
            break
    return 0


_DIGITS = re.compile(r"\d+")


def drop_running_lines(page_lines: list[list[str]], edge: int = 2) -> list[list[str]]:
    """Remove running headers and footers.

    A line is running when it is among the first or last `edge` lines of its page and the
    same line (digits ignored, so "Page 3" matches "Page 4") is at the edge of most pages.
    Only the edges are considered: table rows such as "L-201" / "L-214" look alike once
    digits are ignored, and must survive.
    """
    if len(page_lines) < 2:
        return page_lines

    def key(line: str) -> str:
        return _DIGITS.sub("#", line.strip())

    def edges(lines: list[str]) -> set[int]:
        filled = [i for i, line in enumerate(lines) if line.strip()]
        return set(filled[:edge] + filled[-edge:])

    counts: dict[str, int] = {}
    for lines in page_lines:
        for k in {key(lines[i]) for i in edges(lines) if not lines[i].startswith(_TABLE_MARK)}:
            counts[k] = counts.get(k, 0) + 1
    # on two pages a line must be on both; from three on, on more than half
    threshold = len(page_lines) - 1 if len(page_lines) == 2 else len(page_lines) / 2
    running = {k for k, n in counts.items() if n > threshold}
    return [
        [line for i, line in enumerate(lines) if not (i in edges(lines) and key(line) in running)]
        for lines in page_lines
    ]
