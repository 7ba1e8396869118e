"""Tables on PDF pages: ruled grids (cells found by pdfplumber) and columns aligned by position."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any

from retrieval.pdf_chars import Glyph
from retrieval.pdf_layout import Line, glyph_rows

_MARKER = re.compile(r"^(\(?[0-9a-zA-Z]{1,4}[.)]|[-•●▪–*■□]|Q\d+\.)$")
_CAPTION = re.compile(r"^(table|figure|fig\.)\s", re.IGNORECASE)


@dataclass
class Table:
    """A table found on a page: rows of cell texts, the first row the header."""

    rows: list[list[str]]
    page: int
    top: float
    bottom: float

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)


Item = Line | Table


def ruled_tables(plumber_page: Any, glyphs: list[Glyph], page: int) -> list[Table]:
    """Grids drawn with lines, found by pdfplumber; cell text comes from pdfium's glyphs,
    which read fonts that pdfminer cannot."""
    tables = []
    for found in plumber_page.find_tables():
        rows: list[list[str]] = []
        for row in found.rows:
            rows += _split_row([_cell_lines(glyphs, cell) if cell else [] for cell in row.cells])
        rows = [r for r in rows if any(c.strip() for c in r)]
        if len(rows) >= 2 and max(len(r) for r in rows) >= 2:
            _x0, top, _x1, bottom = found.bbox
            tables.append(Table(rows, page, float(top), float(bottom)))
    return tables


def _cell_lines(glyphs: list[Glyph], bbox: tuple[float, float, float, float]) -> list[str]:
    x0, top, x1, bottom = bbox
    inside = [
        g
        for g in glyphs
        if x0 <= (g.x0 + g.x1) / 2 <= x1 and top <= (g.top + g.bottom) / 2 <= bottom
    ]
    return [" ".join(s.text for s in row) for row in glyph_rows(inside)]


def _split_row(cells: list[list[str]]) -> list[list[str]]:
    """One grid row, or several when every filled cell holds the same number of lines: a
    table ruled only around its columns (no rules between rows) holds one row per line."""
    counts = {len(c) for c in cells if c}
    if len(counts) == 1 and (n := counts.pop()) > 1 and sum(bool(c) for c in cells) > 1:
        return [[c[k] if c else "" for c in cells] for k in range(n)]
    return [[" ".join(c) for c in cells]]


def place_tables(lines: list[Line], tables: list[Table]) -> list[Item]:
    """Lines with those inside a ruled table replaced by the table, in reading order."""
    items: list[Item] = []
    placed: set[int] = set()
    for line in lines:
        hit = next(
            (
                i
                for i, t in enumerate(tables)
                if t.top - 1 <= (line.top + line.bottom) / 2 <= t.bottom + 1
            ),
            None,
        )
        if hit is None:
            items.append(line)
        elif hit not in placed:
            placed.add(hit)
            items.append(tables[hit])
    items += [t for i, t in enumerate(tables) if i not in placed]
    return items


def aligned_tables(items: list[Item], page_width: float) -> list[Item]:
    """Runs of lines whose segments line up in columns, turned into tables."""
    out: list[Item] = []
    i = 0
    while i < len(items):
        end = _table_run(items, i, page_width)
        if end > i:
            lines = [x for x in items[i:end] if isinstance(x, Line)]
            table = _build(lines)
            if table is not None:
                out.append(table)
                i = end
                continue
        out.append(items[i])
        i += 1
    return out


def _is_row(item: Item) -> bool:
    if not isinstance(item, Line) or len(item.segments) < 2:
        return False
    return not _MARKER.match(item.segments[0].text) and not _CAPTION.match(item.text)


def _table_run(items: list[Item], start: int, page_width: float) -> int:
    """End (exclusive) of a table that starts at `start`, or `start` when none does."""
    if not _is_row(items[start]):
        return start
    end = start
    rows: list[Line] = []
    j = start
    while j < len(items):
        item = items[j]
        if _is_row(item):
            rows.append(item)  # type: ignore[arg-type]
            end = j + 1
        elif not (
            isinstance(item, Line)
            and item.x1 - item.x0 < 0.3 * page_width
            and not _CAPTION.match(item.text)
            and j + 1 < len(items)
            and _is_row(items[j + 1])
        ):
            break
        j += 1
    wide = [r for r in rows if len(r.segments) >= 3]
    narrow = [
        r for r in rows if len(r.segments) == 2 and all(len(s.text) <= 40 for s in r.segments)
    ]
    if len(wide) >= 3 or (len(wide) + len(narrow) >= 4 and len(narrow) >= 0.6 * len(rows)):
        return end
    return start


def _build(lines: list[Line]) -> Table | None:
    """Cells from segments: columns come from the rows with the most segments; rows above the
    first full row are header lines, merged per column; rows with an empty first cell continue
    the row above (a wrapped cell)."""
    counts = [len(line.segments) for line in lines]
    ncols = (
        max(c for c in counts if counts.count(c) >= 2)
        if any(counts.count(c) >= 2 for c in counts)
        else max(counts)
    )
    full = [line for line in lines if len(line.segments) == ncols]
    bounds = [
        (min(line.segments[k].x0 for line in full), max(line.segments[k].x1 for line in full))
        for k in range(ncols)
    ]
    first_full = next(i for i, line in enumerate(lines) if len(line.segments) == ncols)
    grid = [_assign(line, bounds) for line in lines]
    header_rows, body = grid[:first_full] or grid[:1], grid[first_full:] if first_full else grid[1:]
    header = [" ".join(r[k] for r in header_rows if r[k]).strip() for k in range(ncols)]
    rows: list[list[str]] = []
    for row in body:
        if rows and not row[0] and sum(bool(c) for c in row) < ncols:
            rows[-1] = [f"{a} {b}".strip() for a, b in zip(rows[-1], row, strict=True)]
        else:
            rows.append(row)
    if not rows:
        return None
    return Table([header, *rows], lines[0].page, lines[0].top, lines[-1].bottom)


def _assign(line: Line, bounds: list[tuple[float, float]]) -> list[str]:
    cells = [""] * len(bounds)
    for seg in line.segments:

        def overlap(b: tuple[float, float], s: Any = seg) -> float:
            return min(b[1], s.x1) - max(b[0], s.x0)

        k = max(range(len(bounds)), key=lambda i: overlap(bounds[i]))
        if overlap(bounds[k]) <= 0:
            mid = (seg.x0 + seg.x1) / 2
            k = min(range(len(bounds)), key=lambda i: abs((bounds[i][0] + bounds[i][1]) / 2 - mid))
        cells[k] = f"{cells[k]} {seg.text}".strip()
    return cells


def join_across_pages(pages: list[list[Item]]) -> None:
    """A table that ends a page and one with as many columns that starts the next are one
    table: the second's rows move to the first, dropping a repeated header."""
    for prev, nxt in itertools.pairwise(pages):
        if not prev or not nxt:
            continue
        last, first = prev[-1], nxt[0]
        if isinstance(last, Table) and isinstance(first, Table) and last.width == first.width:
            rows = first.rows[1:] if first.rows[0] == last.rows[0] else first.rows
            last.rows.extend(rows)
            nxt.pop(0)
