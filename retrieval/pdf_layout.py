"""Page layout: glyphs grouped into words, segments and lines, read in column order."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass, field

from retrieval.pdf_chars import Glyph, PageChars

# gaps are measured in multiples of the glyph height (the loose box, about 1.2 em)
_SPACE_GAP = 0.12
_SEGMENT_GAP = 0.8
_LINE_NUMBER = re.compile(r"^\d{1,2}$")


@dataclass
class Segment:
    """Glyphs on one baseline with no wide gap between them: a phrase, a cell or a column line."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: float  # the share of bold glyphs


@dataclass
class Line:
    """One line in reading order; a table row has several segments."""

    segments: list[Segment]
    page: int
    top: float = field(init=False)
    bottom: float = field(init=False)

    def __post_init__(self) -> None:
        self.segments.sort(key=lambda s: s.x0)
        self.top = min(s.top for s in self.segments)
        self.bottom = max(s.bottom for s in self.segments)

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.segments)

    @property
    def x0(self) -> float:
        return self.segments[0].x0

    @property
    def x1(self) -> float:
        return self.segments[-1].x1

    @property
    def size(self) -> float:
        return max(s.size for s in self.segments)

    @property
    def bold(self) -> bool:
        return all(s.bold > 0.85 for s in self.segments)


def page_lines(chars: PageChars, page: int) -> list[Line]:
    """Lines of a page, top to bottom, with a two-column body read left column first."""
    rows = glyph_rows(chars.glyphs)
    rows = [r for r in rows if r]
    gutter = _gutter(rows, chars.width)
    if gutter is None:
        return [Line(r, page) for r in rows]
    return _column_order(rows, gutter, page)


def glyph_rows(glyphs: list[Glyph]) -> list[list[Segment]]:
    """Glyphs grouped into rows (top to bottom) of segments (left to right)."""
    return _rows(_runs(glyphs))


def _runs(glyphs: list[Glyph]) -> list[list[Glyph]]:
    """Split the content stream into runs of glyphs that sit side by side on one baseline."""
    runs: list[list[Glyph]] = []
    current: list[Glyph] = []
    for g in glyphs:
        if current:
            last = current[-1]
            size = max(last.size, 1.0)
            same_line = abs((g.top + g.bottom) - (last.top + last.bottom)) / 2 < 0.35 * size
            if not same_line or g.x0 < last.x0 - 0.5 * size or g.x0 - last.x1 > _SEGMENT_GAP * size:
                runs.append(current)
                current = []
        current.append(g)
    if current:
        runs.append(current)
    return [r for r in runs if any(not g.ch.isspace() for g in r)]


def _rows(runs: list[list[Glyph]]) -> list[list[Segment]]:
    """Cluster runs into rows by vertical position, then merge close runs into segments."""
    runs.sort(key=lambda r: (r[0].top + r[0].bottom) / 2)
    rows: list[list[list[Glyph]]] = []
    span = (0.0, -1.0)
    for run in runs:
        centre = (run[0].top + run[0].bottom) / 2
        if rows and span[0] <= centre <= span[1]:
            rows[-1].append(run)
        else:
            rows.append([run])
            span = (run[0].top + 0.25 * run[0].size, run[0].bottom - 0.25 * run[0].size)
    return [_segments(row) for row in rows]


def _segments(row: list[list[Glyph]]) -> list[Segment]:
    glyphs = sorted((g for run in row for g in run), key=lambda g: g.x0)
    groups: list[list[Glyph]] = []
    last: Glyph | None = None  # the last glyph with ink
    for g in glyphs:
        if groups and last is not None and g.x0 - last.x1 <= _SEGMENT_GAP * max(last.size, 1.0):
            groups[-1].append(g)
        else:
            groups.append([g])
        if not g.ch.isspace():
            last = g
    return [s for s in (_segment(group) for group in groups) if s.text]


def _segment(glyphs: list[Glyph]) -> Segment:
    text: list[str] = []
    prev: Glyph | None = None
    ink = [g for g in glyphs if not g.ch.isspace()] or glyphs
    gaps = sorted(b.x0 - a.x1 for a, b in itertools.pairwise(ink))
    space = _SPACE_GAP * ink[0].size
    if len(gaps) >= 4 and gaps[len(gaps) // 2] > space:  # letter-spaced: "N o r m a l  s t o p"
        space = 1.6 * gaps[len(gaps) // 2]
    for g in glyphs:
        if g.ch.isspace():
            if text and text[-1] != " " and space == _SPACE_GAP * ink[0].size:
                text.append(" ")
            continue
        if prev is not None and text[-1] != " " and g.x0 - prev.x1 > space:
            text.append(" ")
        text.append(g.ch)
        prev = g
    sizes = Counter(round(g.size, 1) for g in ink)
    return Segment(
        text="".join(text).strip(),
        x0=ink[0].x0,
        x1=max(g.x1 for g in ink),
        top=min(g.top for g in ink),
        bottom=max(g.bottom for g in ink),
        size=sizes.most_common(1)[0][0],
        bold=sum(g.bold for g in ink) / len(ink),
    )


def _gutter(rows: list[list[Segment]], width: float) -> float | None:
    """The x of the gap between two text columns: wide lines sit on both sides, few cross it."""
    text_rows = [[s for s in r if not _LINE_NUMBER.match(s.text)] for r in rows]
    text_rows = [r for r in text_rows if r]
    wide = [s for r in text_rows for s in r if s.x1 - s.x0 > 0.2 * width]
    if len(wide) < 8:
        return None
    scores: dict[int, int] = {}
    for step in range(30, 71):
        x = width * step / 100
        if sum(s.x0 < x < s.x1 for s in wide) > 0.15 * len(wide):
            continue
        lefts = sum(s.x1 <= x for s in wide)
        rights = sum(s.x0 >= x for s in wide)
        if min(lefts, rights) >= max(4, 0.2 * len(wide)):
            scores[step] = min(lefts, rights) - 3 * sum(s.x0 < x < s.x1 for s in wide)
    if not scores:
        return None
    top = max(scores.values())
    steps = [step for step, score in scores.items() if score == top]
    return width * (min(steps) + max(steps)) / 200


def _column_order(rows: list[list[Segment]], gutter: float, page: int) -> list[Line]:
    """Rows crossing the gutter are read in place; between them, the left column, then the right.

    Short numbers sitting in the gutter (a patent's line numbers 5, 10, 15) are dropped.
    """
    out: list[Line] = []
    left: list[Line] = []
    right: list[Line] = []
    for row in rows:
        row = [s for s in row if not (_LINE_NUMBER.match(s.text) and abs(_mid(s) - gutter) < 30)]
        if not row:
            continue
        if any(s.x0 < gutter < s.x1 for s in row):
            out += left + right
            left, right = [], []
            out.append(Line(row, page))
            continue
        lefts = [s for s in row if s.x1 <= gutter]
        rights = [s for s in row if s.x0 >= gutter]
        if lefts:
            left.append(Line(lefts, page))
        if rights:
            right.append(Line(rights, page))
    return out + left + right


def _mid(segment: Segment) -> float:
    return (segment.x0 + segment.x1) / 2
