"""Page furniture: running headers and footers, and page numbers, at the edges of PDF pages."""

from __future__ import annotations

import re

TABLE_MARK = "\x00"  # a line starting with it belongs to a table and is never furniture
_DIGITS = re.compile(r"\d+")
_PAGE_NUMBER = re.compile(
    r"^(page\s*)?(\d{1,4}|[ivxlc]{1,6})(\s*(of|/)\s*\d{1,4})?$"  # 7, Page 3 of 9, xii
    r"|^\d{1,2}\s*[-–]\s*\d{1,3}$"  # chapter-page: 1-7
    r"|^[A-Z]{1,3}\s?\d{1,4}\s?/\s?\d{1,4}$",  # journal page: L 165/12
    re.IGNORECASE,
)


def is_page_number(line: str) -> bool:
    """Whether a line is only a page number, such as "7", "1-7", "Page 3 of 9" or "L 165/12"."""
    return bool(_PAGE_NUMBER.match(" ".join(line.split())))


def _key(line: str) -> str:
    # digits ignored so "Page 3" matches "Page 4"; spaces ignored so letter-spaced text matches
    return _DIGITS.sub("#", "".join(line.split())).lower()


def _edges(lines: list[str], edge: int) -> set[int]:
    filled = [i for i, line in enumerate(lines) if line.strip()]
    return set(filled[:edge] + filled[-edge:])


def running_lines(page_lines: list[list[str]], edge: int = 2) -> list[set[int]]:
    """For each page, the indices of its running header and footer lines.

    A line is running when it is among the first or last `edge` lines of its page and the same
    line (digits and spaces ignored) is at the edge of many pages: all of them when there are
    two, otherwise more than a quarter (and at least three), so that footers printed on odd
    pages only are found too. Only the edges are considered: table rows such as "L-201" /
    "L-214" look alike once digits are ignored, and must survive.
    """
    if len(page_lines) < 2:
        return [set() for _ in page_lines]
    counts: dict[str, int] = {}
    for lines in page_lines:
        keys = {_key(lines[i]) for i in _edges(lines, edge) if not lines[i].startswith(TABLE_MARK)}
        for k in keys:
            counts[k] = counts.get(k, 0) + 1
    n = len(page_lines)
    threshold = n - 1 if n == 2 else max(2.0, n / 4)
    running = {k for k, c in counts.items() if c > threshold}
    return [
        {
            i
            for i in _edges(lines, edge)
            if not lines[i].startswith(TABLE_MARK) and _key(lines[i]) in running
        }
        for lines in page_lines
    ]


def drop_running_lines(page_lines: list[list[str]], edge: int = 2) -> list[list[str]]:
    """Page lines without their running headers and footers (see `running_lines`)."""
    drop = running_lines(page_lines, edge)
    return [
        [line for i, line in enumerate(lines) if i not in gone]
        for lines, gone in zip(page_lines, drop, strict=True)
    ]
