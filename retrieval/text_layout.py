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
_RULE = re.compile(r"^\s*(?:[-=_*~]{3,}|[-=_*~ ]{5,})\s*$")
_WRAPPED = 0.6  # a line at least this share of the text's width was wrapped, not ended
_MIN_WIDTH = 40  # a text of shorter lines is a list of lines, not wrapped prose


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
        rising = all(b[1] > a[1] for a, b in itertools.pairwise(marks))
        if len(marks) < _MIN_PAGES or not rising:
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
    """The rows of a grid table's lines, each a list of cell texts. A line whose first cell
    is empty continues the row above it; rows need no border between them."""
    rows: list[list[list[str]]] = []
    for line in block:
        if not _GRID_ROW.match(line):
            continue
        cells = [c.strip() for c in line.strip()[1:-1].split("|")]
        if rows and (not cells[0] or len(cells) != len(rows[-1][0])):
            rows[-1].append(cells)
        else:
            rows.append([cells])
    width = len(rows[0][0]) if rows else 0
    return [
        [" ".join(filter(None, column)) for column in zip(*lines, strict=False)]
        for lines in rows
        if all(len(cells) == width for cells in lines)
    ]


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def joined_paragraphs(lines: list[str]) -> list[str]:
    """Lines a text wrapped joined into one: a line continues the one before when that one
    reached most of the text's width and the line does not start a list item, a numbered
    clause or a table row. Short lines ("Data set: FD001") stay lines of their own.

    Example:
        >>> text = ["1.1  The employer shall assess the noise to which",
        ...         "     employees are exposed.", "1.2  Records are kept."]
        >>> for line in joined_paragraphs(text):
        ...     print(line)
        1.1  The employer shall assess the noise to which employees are exposed.
        1.2  Records are kept.
    """
    lengths = sorted(len(line.rstrip()) for line in lines if line.strip())
    if not lengths:
        return lines
    width = lengths[round(0.9 * (len(lengths) - 1))]
    if width < _MIN_WIDTH:
        return lines
    out: list[str] = []
    previous = 0  # the length of the last line as written, before joining
    for line in lines:
        joins = (
            out
            and line.strip()
            and previous >= _WRAPPED * width
            and not out[-1].rstrip().endswith(":")
            and not out[-1].lstrip().startswith("|")
            and not _STARTS.match(line)
            and not _RULE.match(line)
        )
        previous = len(line.rstrip())
        if joins:
            out[-1] = f"{out[-1].rstrip()} {line.strip()}"
        else:
            out.append(line)
    return out
