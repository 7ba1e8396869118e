"""Split the lines and tables of a PDF into sections under their heading paths."""

from __future__ import annotations

from collections.abc import Callable

from retrieval.documents import Section
from retrieval.pdf_headings import body_size, clean, find_heading, looks_like_contents
from retrieval.pdf_layout import Line
from retrieval.pdf_tables import Item, Table
from retrieval.tables import to_markdown

Outline = list[tuple[int, int, str]]  # (page index, depth, title) in document order


def build_sections(
    pages: list[list[Item]],
    outline: Outline,
    widths: list[float],
    reflow: Callable[[str], str],
) -> list[Section]:
    """Sections in reading order; a section starts at each bookmark and each heading found."""
    lines = [it for items in pages for it in items if isinstance(it, Line)]
    body = body_size([x for x in lines if x.size > 0])
    anchors = _anchor_bookmarks(pages, outline)
    contents = _contents_pages(pages)
    stack: list[tuple[float, str]] = []
    sections: list[Section] = []
    buffer: list[str] = []
    start_page: list[int] = []

    def flush() -> None:
        text = reflow("\n".join(buffer))
        if text.strip():
            sections.append(Section(text, tuple(t for _, t in stack), start_page[0]))
        buffer.clear()
        start_page.clear()

    def enter(rank: float, title: str) -> None:
        flush()
        while stack and stack[-1][0] <= rank:
            stack.pop()
        stack.append((rank, title))

    for p, items in enumerate(pages):
        i = 0
        while i < len(items) or (p, i) in anchors:
            while (p, i) in anchors:
                found = anchors.pop((p, i))
                for depth, title, _ in found:
                    enter(100.0 - 10 * depth, title)
                i += max(span for _, _, span in found)
            if i >= len(items):
                break
            item = items[i]
            nxt = items[i + 1] if i + 1 < len(items) else None
            heading = None
            if isinstance(item, Line) and p not in contents:
                following = nxt if isinstance(nxt, Line) else None
                heading = find_heading(item, following, body, widths[p], not outline)
            if heading is not None:
                enter(heading.rank, heading.title)
                i += heading.span
                continue
            if not start_page:
                start_page.append(p + 1)
            buffer.append(to_markdown(item.rows) if isinstance(item, Table) else item.text)
            i += 1
    flush()
    return sections


def _contents_pages(pages: list[list[Item]]) -> set[int]:
    """Indexes of the pages that are a table of contents or a list of figures."""
    return {
        p
        for p, items in enumerate(pages)
        if looks_like_contents([x for x in items if isinstance(x, Line)])
    }


def _anchor_bookmarks(
    pages: list[list[Item]], outline: Outline
) -> dict[tuple[int, int], list[tuple[int, str, int]]]:
    """Where each bookmark's heading is in the text: (page, item index) -> (depth, title, lines).
    A bookmark whose title is not found opens its section at the top of its page."""
    anchors: dict[tuple[int, int], list[tuple[int, str, int]]] = {}
    for page, depth, title in outline:
        if not 0 <= page < len(pages):
            continue
        items = pages[page]
        taken = {i for (p, i) in anchors if p == page}
        spot = _find_title(items, clean(title).casefold(), taken)
        where, span = spot if spot else (0, 0)
        anchors.setdefault((page, where), []).append((depth, title, span))
    return anchors


def _find_title(items: list[Item], target: str, taken: set[int]) -> tuple[int, int] | None:
    """The first line (not already a bookmark's) where `target` starts, and how many lines
    (up to three) it takes."""
    for start, item in enumerate(items):
        if start in taken or not isinstance(item, Line):
            continue
        joined = ""
        for span in range(1, 4):
            nxt = items[start + span - 1] if start + span - 1 < len(items) else None
            if not isinstance(nxt, Line):
                break
            joined = f"{joined} {clean(nxt.text).casefold()}".strip()
            if joined == target:
                return start, span
            if not target.startswith(joined):
                break
    return None
