"""The layout of plain text printed for paper: page furniture, grid tables, wrapped lines.

A regulation saved as text carries what its pages had: a running header and a "Page 3 of 12"
footer every sixty lines, tables drawn with `+---+` borders, and paragraphs wrapped at
seventy-odd characters. `unwrapped_lines` gives the text back as a reader sees it: without
the furniture (a definition a page break cut in two is whole again), each table as a
Markdown table, and each paragraph on one line, so that a sentence is quoted whole.
"""

from __future__ import annotations

import itertools
import re

from retrieval.pdf_furniture import drop_running_lines, is_page_number

__all__ = ["grid_tables", "unwrapped_lines", "without_page_furniture"]

# a page-number footer: "... Uncontrolled when printed   Page 3 of 12", "- 7 -", "— 7 —"
_PAGE_MARK = re.compile(
    r"\bpage\s+\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?\s*$|^\s*[-–—]\s*\d{1,4}\s*[-–—]\s*$",
    re.IGNORECASE,
)
_MIN_PAGES = 3  # fewer page-number lines than this do not show a paged print
_BORDER = re.compile(r"^\s*\+(?:[-=]+\+)+\s*$")
_GRID_ROW = re.compile(r"^\s*\|.*\|\s*$")
# a line that starts something of its own: a list item, a numbered clause, a table row
_STARTS = re.compile(r"^\s*(?:\d{1,2}(?:\.\d{1,3})*[.)]?\s|\(\w{1,4}\)\s|[-•●▪–*]\s|\||\+[-=])")
_RULE_CHARACTERS = frozenset("-=_*~ ")
_MIN_WIDTH = 40  # a text of shorter lines is a list of lines, not wrapped prose
_MAX_WIDTH = 100  # a text of longer lines was not wrapped for paper
_MIN_PAGE_LINES = 20  # page-number lines closer than this number something else


def unwrapped_lines(lines: list[str]) -> list[str]:
    """`lines` without page furniture, with grid tables as Markdown tables and wrapped
    paragraphs joined (`without_page_furniture`, `grid_tables`, `joined_paragraphs`)."""
    return joined_paragraphs(grid_tables(without_page_furniture(lines)))


def without_page_furniture(lines: list[str]) -> list[str]:
    """The lines of a text printed from pages without its running headers and footers: the
    pages end at form feeds, or at page-number lines ("Page 3 of 12", "— 7 —", a footer
    ending in one) whose numbers rise, and what stands at the edges of most pages is
    furniture (`pdf_furniture.drop_running_lines`).

    Example:
        >>> pages = [["Reg 14", text, "", f"Reg 14 | Page {n} of 3"]
        ...          for n, text in enumerate(["Scope", "Terms", "Duties"], start=1)]
        >>> without_page_furniture([line for page in pages for line in page])
        ['Scope', '', 'Terms', '', 'Duties', '']
    """
    if any("\f" in line for line in lines):
        pages = [page.split("\n") for page in "\n".join(lines).split("\f")]
    else:
        marks = [(i, n) for i, n in enumerate(map(_page_number, lines)) if n is not None]
        # rising; bare numbers a page apart too ("25", "160" on lines of their own are values)
        bare = not all(_PAGE_MARK.search(lines[i]) for i, _ in marks)
        paged = all(
            b[1] > a[1] and (not bare or b[0] - a[0] >= _MIN_PAGE_LINES)
            for a, b in itertools.pairwise(marks)
        )
        if len(marks) < _MIN_PAGES or not paged:
            return lines
        bounds = [0, *(i + 1 for i, _ in marks), len(lines)]
        pages = [lines[a:b] for a, b in itertools.pairwise(bounds) if b > a]
    return [line for page in drop_running_lines(pages) for line in page]


def _page_number(line: str) -> int | None:
    """The page number a line states, if it is a page-number line or a footer ending in one."""
    mark = _PAGE_MARK.search(line)
    if mark is None and not is_page_number(line):
        return None
    digits = re.findall(r"\d+", mark.group(0) if mark else line)
    return int(digits[0]) if digits else None


def grid_tables(lines: list[str]) -> list[str]:
    """Tables drawn with `+---+` borders as Markdown tables, the first row the header (a
    cell's text wrapped over lines joined).

    Example:
        >>> grid_tables(["+----+-------+", "| dB | Time  |", "+====+=======+",
        ...              "| 94 | 1 h   |", "|    | 0 min |", "+----+-------+"])
        ['| dB | Time |', '|---|---|', '| 94 | 1 h 0 min |']
    """
    out: list[str] = []
    i = 0
    while i < len(lines):
        if not _BORDER.match(lines[i]):
            out.append(lines[i])
            i += 1
            continue
        j = i
        while j < len(lines) and (_BORDER.match(lines[j]) or _GRID_ROW.match(lines[j])):
            j += 1
        rows = _grid_rows(lines[i:j])
        if len(rows) < 2:
            out.extend(lines[i:j])
        else:
            width = len(rows[0])
            out += [_row(rows[0]), "|" + "---|" * width, *(_row(r) for r in rows[1:])]
        i = j
    return out


def _grid_rows(block: list[str]) -> list[list[str]]:
    """The rows of a grid table's lines, each a list of cell texts. Between inner borders
    the lines are one row (a cell's text wrapped); without inner borders a line whose first
    cell is empty continues the row above it. Lines of another number of cells are left
    out."""
    lines = [line.strip() for line in block]
    width = max((line.count("|") - 1 for line in lines if _GRID_ROW.match(line)), default=0)
    groups: list[list[list[str]]] = [[]]
    borders = 0
    # top, under the header and bottom: more borders than these separate the rows
    inner = sum(bool(_BORDER.match(line)) for line in lines) > 3
    for line in lines:
        if _BORDER.match(line):
            groups.append([])
            borders += 1
            continue
        cells = [c.strip() for c in line[1:-1].split("|")]
        if len(cells) != width:
            continue
        # a body line of its own first cell is a row of its own (the header's wrap is not)
        if not inner and borders >= 2 and groups[-1] and cells[0]:
            groups.append([])
        groups[-1].append(cells)
    return [
        [" ".join(filter(None, column)) for column in zip(*g, strict=True)] for g in groups if g
    ]


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def joined_paragraphs(lines: list[str]) -> list[str]:
    """Lines a text wrapped joined into one: a line continues the one before when that one
    was broken for want of room (the line's first word would not have fitted after it) and
    the line does not start a list item, a numbered clause or a table row. Short lines
    ("Data set: FD001"), a heading over its text and a text of very long lines stay as
    written.

    Example:
        >>> text = ["1.1  The employer shall assess the noise to which",
        ...         "     employees are exposed. Records are kept.", "1.2  Records."]
        >>> for line in joined_paragraphs(text):
        ...     print(line)
        1.1  The employer shall assess the noise to which employees are exposed. Records are kept.
        1.2  Records.
    """
    lengths = sorted(len(line.rstrip()) for line in lines if line.strip())
    if not lengths:
        return lines
    width = lengths[round(0.9 * (len(lengths) - 1))]
    if not _MIN_WIDTH <= width <= _MAX_WIDTH:
        return lines
    out: list[list[str]] = []  # each output line as its pieces, joined once at the end
    previous = ""  # the last line as written, before joining
    for line in lines:
        first = line.split(maxsplit=1)[0] if line.strip() else ""
        joins = (
            out
            and first
            and len(previous.rstrip()) + 1 + len(first) > width
            and not previous.rstrip().endswith(":")
            and not previous.lstrip().startswith("|")
            and not _STARTS.match(line)
            and not _is_rule(line)
        )
        if joins:
            out[-1].append(line.strip())
        else:
            out.append([line.rstrip() if out else line])
        previous = line
    return [" ".join(pieces) for pieces in out]


def _is_rule(line: str) -> bool:
    """Whether a line is a rule drawn with dashes, equals signs or the like."""
    drawn = line.strip()
    return len(drawn.replace(" ", "")) >= 3 and set(drawn) <= _RULE_CHARACTERS
