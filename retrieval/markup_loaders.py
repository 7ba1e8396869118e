"""HTML to sections, shared by the HTML and Markdown loaders: headings, paragraphs, lists,
definition lists and tables (spans expanded, group rows kept as context) in document order."""

from __future__ import annotations

from typing import TYPE_CHECKING

from retrieval.documents import Section
from retrieval.tables import to_markdown

if TYPE_CHECKING:
    from bs4 import Tag

_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
# Elements whose start and end break the running text into a new paragraph.
_BLOCKS = frozenset(
    "address article aside blockquote body caption center details div fieldset figcaption figure "
    "footer form header hr html li main nav p section summary dd dt tbody thead tfoot tr".split()
)
# Never text: dropped wherever they appear.
_SKIP = frozenset(
    "script style noscript template head title meta link img svg canvas iframe object embed "
    "button select input textarea map area audio video source picture".split()
)
_CELL_BREAKS = frozenset({"p", "br", "div", "li", "dd", "dt", "tr", "hr"})
_MAX_COLSPAN = 50  # a malformed colspan="100000" must not build a huge row
_MAX_ROWSPAN = 1000
_MAX_NUMBER = 1_000_000  # the highest list number a `start` or `value` attribute may set


class SectionBuilder:
    """Collects blocks under the current heading path; the lines of one list stay adjacent."""

    def __init__(self) -> None:
        self.sections: list[Section] = []
        self.stack: list[tuple[int, str]] = []
        self.buffer: list[str] = []
        self.group: object = None  # the list the last block belongs to, if any

    def heading(self, level: int, text: str) -> None:
        text = " ".join(text.split())
        if not text:
            return
        self.flush()
        while self.stack and self.stack[-1][0] >= level:
            self.stack.pop()
        self.stack.append((level, text))

    def block(self, text: str, *, group: object = None) -> None:
        """Add a paragraph; consecutive lines of the same `group` (a list) join with one
        line break, everything else with a blank line."""
        text = text.strip()
        if not text:
            return
        if self.buffer:
            same = group is not None and group == self.group
            self.buffer.append("\n" if same else "\n\n")
        self.buffer.append(text)
        self.group = group

    def flush(self) -> None:
        if self.buffer:
            path = tuple(t for _, t in self.stack)
            self.sections.append(Section("".join(self.buffer), path))
            self.buffer = []
        self.group = None

    def result(self) -> list[Section]:
        self.flush()
        return self.sections


def is_text(node: object) -> bool:
    """Whether a parsed node is visible text (not a comment, doctype or CDATA)."""
    from bs4 import NavigableString
    from bs4.element import PreformattedString

    return isinstance(node, NavigableString) and not isinstance(node, PreformattedString)


def inline_text(tag: Tag) -> str:
    """The text of an element on one line; paragraphs and line breaks inside become spaces."""
    from bs4 import Tag

    parts: list[str] = []
    for node in tag.descendants:
        if isinstance(node, Tag):
            if node.name in _CELL_BREAKS:
                parts.append(" ")
        elif is_text(node) and not _inside_skipped(node, tag):
            parts.append(str(node))
    return " ".join("".join(parts).split())


def _inside_skipped(node: object, stop: Tag) -> bool:
    parent = getattr(node, "parent", None)
    while parent is not None and parent is not stop:
        if parent.name in _SKIP:
            return True
        parent = parent.parent
    return False


def render_html(root: Tag, builder: SectionBuilder) -> None:
    """Write the readable content under `root` into `builder`, in document order."""
    renderer = _Renderer(builder)
    renderer.visit(root)
    renderer.flush()


class _Renderer:
    """Walks the element tree, gathering running text and emitting blocks at block edges."""

    def __init__(self, builder: SectionBuilder) -> None:
        self.builder = builder
        self.inline: list[str] = []

    def flush(self) -> None:
        text = " ".join("".join(self.inline).split())
        self.inline = []
        self.builder.block(text)

    def visit(self, node: Tag) -> None:
        from bs4 import Tag

        for child in node.children:
            if not isinstance(child, Tag):
                if is_text(child):
                    self.inline.append(str(child))
                continue
            name = child.name
            if name in _SKIP:
                continue
            if name in _HEADINGS:
                self.flush()
                self.builder.heading(_HEADINGS[name], inline_text(child))
            elif name == "table" and child.find("table") is None:
                self.flush()
                self.builder.block(table_markdown(child))
            elif name in ("ul", "ol"):
                self.flush()
                self.list_items(child)
            elif name == "dl":
                self.flush()
                self.definitions(child)
            elif name == "pre":
                self.flush()
                self.builder.block(child.get_text())
            elif name == "br" or name in _BLOCKS or name == "table":
                self.flush()
                self.visit(child)
                self.flush()
            else:
                self.visit(child)

    def list_items(self, tag: Tag) -> None:
        """One line per item, numbered as a browser numbers them, in one pass over the list;
        a sub-list follows its item, whether it sits inside the `<li>` or, as some editors
        write it, straight inside the list."""
        from bs4 import Tag

        ordered = tag.name == "ol"
        number = _int(tag.get("start"), 1, _MAX_NUMBER) if ordered else 0
        for li in list(tag.children):
            if not isinstance(li, Tag) or li.name not in ("li", "ul", "ol"):
                continue
            if li.name != "li":
                self.list_items(li)
                continue
            if ordered and li.get("value") is not None:
                number = _int(li.get("value"), number, _MAX_NUMBER)
            nested = li.find_all(["ul", "ol"], recursive=False)
            for sub in nested:
                sub.extract()
            marker = f"{number}." if ordered else "-"
            text = inline_text(li)
            if text:
                self.builder.block(f"{marker} {text}", group=id(tag))
            for sub in nested:
                self.list_items(sub)
            number += 1

    def definitions(self, tag: Tag) -> None:
        """Definition lists as `term: definition` lines (a term without a definition alone)."""
        from bs4 import Tag

        term, defined = "", True
        for child in tag.find_all(["dt", "dd"]):
            if not isinstance(child, Tag) or child.find_parent("dl") is not tag:
                continue
            text = inline_text(child)
            if child.name == "dt":
                if not text:  # a stray <DT> left open by the page
                    continue
                if not defined and term:
                    self.builder.block(term, group=id(tag))
                term, defined = text, False
            elif text:
                line = f"{term}: {text.lstrip(':-– ')}" if term else text
                self.builder.block(line, group=id(tag))
                defined = True
        if not defined and term:
            self.builder.block(term, group=id(tag))


def _int(value: object, default: int, ceiling: int) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return default
    return min(max(number, 1), ceiling)


def table_markdown(table: Tag) -> str:
    """An HTML table as a Markdown pipe table; group rows (a `<th>` row spanning the table)
    become a leading "Group" column so every row keeps the name of its group."""
    grid, groups = table_grid(table)
    if not grid:
        return ""
    caption = table.find("caption")
    if any(groups):
        grid = _with_group_column(grid, groups)
    if len(grid) > 1 and not any(grid[0]):  # a header left empty: name the columns
        width = max(len(r) for r in grid)
        grid[0] = ["Item", "Value"] if width == 2 else [f"Column {i + 1}" for i in range(width)]
    text = to_markdown(_drop_span_columns(_drop_label_rows(grid)))
    title = inline_text(caption) if caption is not None else ""
    return f"{title}\n\n{text}" if title and text else text


def table_grid(table: Tag) -> tuple[list[list[str]], list[bool]]:
    """Rows of cell texts, and for each row whether it is a group row. A rowspan repeats the
    value in every row it covers, so each row reads whole; a colspan in the body is written
    once (the rest of the span left empty); in a header row of several cells it names each
    column it spans."""
    grid: list[list[str]] = []
    groups: list[bool] = []
    pending: dict[int, tuple[str, int]] = {}  # column -> (text, rows still covered)
    rows = [tr for tr in table.find_all("tr") if tr.find_parent("table") is table]
    for index, tr in enumerate(rows):
        cells = tr.find_all(["td", "th"], recursive=False)
        row: list[str] = []
        queue = list(reversed(cells))
        while queue or any(col >= len(row) for col in pending):
            col = len(row)
            if col in pending:
                text, left = pending.pop(col)
                if left > 1:
                    pending[col] = (text, left - 1)
                row.append(text)
            elif not queue:
                row.append("")
            else:
                cell = queue.pop()
                text = inline_text(cell)
                span = _int(cell.get("colspan"), 1, _MAX_COLSPAN)
                down = _int(cell.get("rowspan"), 1, _MAX_ROWSPAN)
                for offset in range(span):
                    # a header names every column it spans; a body cell's text is said once
                    value = text if offset == 0 or (index == 0 and len(cells) > 1) else ""
                    row.append(value)
                    if down > 1:
                        pending[col + offset] = (value, down - 1)
        grid.append(row)
        groups.append(index > 0 and _is_group_row(cells))
    return grid, groups


def _is_group_row(cells: list[Tag]) -> bool:
    """A row naming a group: a header cell first, with the rest of the row spanned."""
    if not cells:
        return False
    spanned = any(_int(c.get("colspan"), 1, _MAX_COLSPAN) > 1 for c in cells)
    return spanned and (cells[0].name == "th" or len(cells) == 1)


def _with_group_column(grid: list[list[str]], groups: list[bool]) -> list[list[str]]:
    out = [["Group", *grid[0]]]
    group = ""
    for row, is_group in zip(grid[1:], groups[1:], strict=True):
        if not is_group:
            out.append([group, *row])
            continue
        group = row[0]
        rest = ["", *row[1:]]  # what it says besides its name ("X Y Z apply to all motions")
        if any(rest):
            out.append([group, *rest])
    return out


def _drop_label_rows(grid: list[list[str]]) -> list[list[str]]:
    """Drop a body row that only opens a rowspan: a `<th rowspan=8>Payload</th>` alone in its
    `<tr>`, the values in the rows after it, reads "| Payload |  |" before "| Payload | 5 kg |".
    """
    kept = grid[:1]
    for index in range(1, len(grid)):
        row, after = grid[index], grid[index + 1] if index + 1 < len(grid) else None
        filled = [i for i, cell in enumerate(row) if cell]
        if (
            after is not None
            and filled
            and all(i < len(after) and after[i] == row[i] for i in filled)
            and sum(map(bool, after)) > len(filled)
        ):
            continue
        kept.append(row)
    return kept


def _drop_span_columns(grid: list[list[str]]) -> list[list[str]]:
    """Drop a column that only a header colspan created: its header repeats the one before
    and no body row has anything of its own there."""
    width = max(len(r) for r in grid)
    rows = [r + [""] * (width - len(r)) for r in grid]
    for col in range(width - 1, 0, -1):
        head, body = rows[0], rows[1:]
        if head[col] == head[col - 1] and all(not r[col] for r in body):
            rows = [r[:col] + r[col + 1 :] for r in rows]
    return rows
