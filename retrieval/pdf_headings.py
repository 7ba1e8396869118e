"""Headings in PDF text: from bookmarks, numbering ("Article 12", "4.2.1") and font size and weight.

Every heading gets a rank; a heading closes the open headings of equal or lower rank, so a
bigger font or a shallower number nests the ones below it. Bookmarks outrank everything found
in the text, so a bookmarked annex holds the articles and clauses found inside it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from retrieval.pdf_layout import Line

_KEYWORD = re.compile(
    r"^(part|title|chapter|annex|appendix|section|article)\s+([ivxlcdm]+|\d{1,3}[a-z]?|[a-z])\.?$",
    re.IGNORECASE,
)
_KEYWORD_RANK = {
    "part": 45,
    "title": 45,
    "chapter": 35,
    "annex": 35,
    "appendix": 35,
    "section": 30,
    "article": 25,
}
_DECIMAL = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,4})\.?\s+([A-Z].*)$")
_CAPTION = re.compile(r"^(table|figure|fig\.|source|note|warning|caution|danger)\b", re.IGNORECASE)
_TOC_ENTRY = re.compile(r"[^\W\d].*(\s|\.)\d{1,4}$")  # "Appendix C. OSHA Regional Offices 55"
_END = (".", ",", ";", ":")


@dataclass(frozen=True)
class Heading:
    """A heading found in the text: its rank and how many lines it takes."""

    title: str
    rank: float
    span: int = 1


def body_size(lines: list[Line]) -> float:
    """The font size most text is set in (weighted by characters)."""
    sizes: Counter[float] = Counter()
    for line in lines:
        for seg in line.segments:
            sizes[round(seg.size, 1)] += len(seg.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0


def clean(text: str) -> str:
    return " ".join(text.replace("\u00ad", "").split())


def find_heading(
    line: Line, nxt: Line | None, body: float, width: float, fonts: bool
) -> Heading | None:
    """The heading that starts at `line` (`nxt` is the line after it), if any; `fonts` allows
    headings from size and weight alone (off when bookmarks already give the structure)."""
    text = clean(line.text)
    keyword = _KEYWORD.match(text)
    if (
        keyword
        and (line.x1 - line.x0 < 0.4 * width)
        and (line.bold or _centred(line, width) or text.isupper() or line.size > 1.05 * body)
    ):
        rank = float(_KEYWORD_RANK[keyword.group(1).lower()])
        if (
            nxt is not None
            and _is_title_line(nxt, body, width)
            and not _KEYWORD.match(clean(nxt.text))
        ):
            return Heading(f"{text} {clean(nxt.text)}", rank, 2)
        return Heading(text, rank)
    if len(text) > 120 or text.endswith(_END) or _CAPTION.match(text):
        return None
    if nxt is not None and _continues(line, nxt):
        return None
    decimal = _DECIMAL.match(text)
    if decimal and _is_title_text(decimal.group(2)):
        depth = decimal.group(1).count(".") + 1
        if depth >= 2 or line.bold or decimal.group(2).isupper():
            return Heading(text, 15.0 - depth)
    if _TOC_ENTRY.search(text):
        return None
    if (
        fonts
        and _is_title_text(text)
        and (line.size >= 1.12 * body or (line.bold and line.size >= 0.93 * body))
    ):
        span = 1
        if nxt is not None and _same_style(line, nxt) and _is_title_text(clean(nxt.text)):
            text, span = f"{text} {clean(nxt.text)}", 2
        rank = (
            10 * line.size / body
            + (0.5 if _centred(line, width) else 0)
            + (0.3 if line.bold else 0)
        )
        return Heading(text, rank, span)
    return None


_CONTENTS = re.compile(r"^(?:table of )?contents\b|^list of (?:figures|tables)\b", re.IGNORECASE)
_PAGE_REFERENCE = re.compile(r"(?:\.{2,}|…|\s)\s*\d{1,4}$")


def looks_like_contents(lines: list[Line]) -> bool:
    """Whether a page is a table of contents (or a list of figures): it is headed "Contents",
    or most of its lines end in a page number. Its entries repeat the headings of the
    document; they must not open sections.
    """
    texts = [clean(line.text) for line in lines if clean(line.text)]
    if texts and _CONTENTS.match(texts[0]):
        return True
    referencing = sum(bool(_PAGE_REFERENCE.search(t)) for t in texts)
    return referencing >= 5 and referencing >= 0.4 * len(texts)


def _is_title_text(text: str) -> bool:
    words = text.split()
    letters = sum(c.isalpha() for c in text)
    return (
        0 < len(words) <= 15
        and letters >= 2
        and letters >= 0.6 * len(text.replace(" ", ""))
        and not text[0].islower()
        and not text.endswith(_END)
    )


def _is_title_line(line: Line, body: float, width: float) -> bool:
    text = clean(line.text)
    return _is_title_text(text) and (
        line.bold or line.size > 1.05 * body or text.isupper() or _centred(line, width)
    )


def _centred(line: Line, width: float) -> bool:
    return (
        abs((line.x0 + line.x1) / 2 - width / 2) < 0.04 * width and line.x1 - line.x0 < 0.8 * width
    )


def _continues(line: Line, nxt: Line) -> bool:
    """Whether `nxt` carries on the sentence of `line` (a wrapped body line, not a heading)."""
    text = clean(nxt.text)
    close = 0 <= nxt.top - line.bottom < 0.6 * line.size
    return bool(text) and text[0].islower() and close and abs(nxt.size - line.size) < 0.5


def _same_style(a: Line, b: Line) -> bool:
    close = 0 <= b.top - a.bottom < 0.8 * a.size
    return close and a.bold == b.bold and abs(a.size - b.size) < 0.3 and b.page == a.page


def looks_truncated(title: str) -> bool:
    """A metadata title that is cut short or is just a file name ("US5231876.pdf")."""
    t = title.strip()
    return (
        not t
        or bool(re.search(r"\.(pdf|docx?|tiff?|ps|indd|qxd)$", t, re.IGNORECASE))
        or bool(re.search(r"\d/\s", t))
        or t.endswith(("…", "...", " of", " and", " the", " -"))
        or t.lower().startswith(("microsoft word", "untitled"))
    )


def first_page_title(lines: list[Line], body: float) -> str:
    """The line in the biggest font on the first page (bold lines when none is bigger than
    the body), with the lines set like it under it."""
    candidates = [
        (i, line)
        for i, line in enumerate(lines)
        if len(clean(line.text).split()) >= 2 and (line.size >= 1.15 * body or line.bold)
    ]
    if not candidates:
        return ""
    biggest = max(line.size for _, line in candidates)
    i, line = next((i, line) for i, line in candidates if line.size == biggest)
    parts = [clean(line.text)]
    for prev, nxt in zip(lines[i : i + 3], lines[i + 1 : i + 4], strict=False):
        if not _same_style(prev, nxt):
            break
        parts.append(clean(nxt.text))
    return " ".join(parts)[:200]
