"""Tables as Markdown: one way to write them for every loader, and to read their rows back.

Every loader writes a table as a Markdown pipe table (header row, rule, one line per row, no
line breaks inside a cell), so chunking can keep rows whole and repeat the header, and the
answerer can quote one row together with the column names that give it meaning.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

_RULE_CELL = re.compile(r"^:?-{2,}:?$")


def _cell(value: object) -> str:
    return " ".join(str(value or "").split()).replace("|", "/")


def to_markdown(rows: Sequence[Sequence[object]]) -> str:
    """Rows (the first is the header) as a Markdown pipe table; empty rows are dropped.

    Example:
        >>> print(to_markdown([["Code", "Message"], ["E-114", "Coolant\\nlow"]]))
        | Code | Message |
        |---|---|
        | E-114 | Coolant low |
    """
    cleaned = [[_cell(c) for c in row] for row in rows]
    cleaned = [row for row in cleaned if any(row)]
    if not cleaned:
        return ""
    width = max(len(row) for row in cleaned)
    cleaned = [row + [""] * (width - len(row)) for row in cleaned]
    lines = ["| " + " | ".join(cleaned[0]) + " |", "|" + "---|" * width]
    lines += ["| " + " | ".join(row) + " |" for row in cleaned[1:]]
    return "\n".join(lines)


def is_table_line(line: str) -> bool:
    stripped = line.strip()
    return stripped.startswith("|") and stripped.endswith("|") and len(stripped) > 1


def cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def is_rule(line: str) -> bool:
    parts = cells(line)
    return bool(parts) and all(_RULE_CELL.match(p) for p in parts if p) and any(parts)


@dataclass(frozen=True)
class Block:
    """A run of lines that is either a table (header, rows) or plain text."""

    text: str
    header: str | None = None  # the header line of a table block, None for text
    rows: tuple[str, ...] = ()


def split_blocks(text: str) -> list[Block]:
    """Split text into plain-text blocks and tables (a header line followed by a rule).

    Example:
        >>> [b.header for b in split_blocks("Intro\\n| a | b |\\n|---|---|\\n| 1 | 2 |\\nEnd")]
        [None, '| a | b |', None]
    """
    lines = text.splitlines()
    blocks: list[Block] = []
    plain: list[str] = []
    i = 0
    while i < len(lines):
        if is_table_line(lines[i]) and i + 1 < len(lines) and is_rule(lines[i + 1]):
            if plain:
                blocks.append(Block("\n".join(plain)))
                plain = []
            j = i + 2
            while j < len(lines) and is_table_line(lines[j]):
                j += 1
            rows = tuple(line.strip() for line in lines[i + 2 : j])
            blocks.append(Block("\n".join(lines[i:j]), lines[i].strip(), rows))
            i = j
            continue
        plain.append(lines[i])
        i += 1
    if plain:
        blocks.append(Block("\n".join(plain)))
    return blocks


def continued_tables(text: str) -> str:
    r"""`text` with a table that goes on under its header again (text joined across a chunk
    boundary or a page break) as one table: the repeated header and rule, and rows repeated
    right after them (a chunk window's overlap), are left out.

    Example:
        >>> continued_tables("| a | b |\n|---|---|\n| 1 | 2 |\n| a | b |\n|---|---|\n| 3 | 4 |")
        '| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |'
    """
    lines = text.splitlines()
    out: list[str] = []
    header: str | None = None
    rows: set[str] = set()  # of the table being read
    i = 0
    while i < len(lines):
        line = lines[i]
        if is_table_line(line) and i + 1 < len(lines) and is_rule(lines[i + 1]):
            if line.strip() == header and out and is_table_line(out[-1]):
                i += 2  # the header again, and the rows the chunker repeated after it
                while i < len(lines) and lines[i].strip() in rows:
                    i += 1
                continue
            header, rows = line.strip(), set()
        elif not is_table_line(line):
            header = None
        rows.add(line.strip())
        out.append(line)
        i += 1
    return "\n".join(out)


def row_as_text(header: str, row: str) -> str:
    """One row with its column names: "Code E-114 — Message: Coolant low; Action: Top up".

    Example:
        >>> row_as_text("| Code | Message |", "| E-114 | Coolant low |")
        'Code E-114 — Message: Coolant low'
    """
    names, values = cells(header), cells(row)
    pairs = [(n, v) for n, v in zip(names, values, strict=False) if v and v not in ("—", "-")]
    if not pairs:
        return ""
    (first_name, first_value), rest = pairs[0], pairs[1:]
    lead = f"{first_name} {first_value}".strip() if first_name else first_value
    if not rest:
        return lead
    return lead + " — " + "; ".join(f"{n}: {v}" if n else v for n, v in rest)


def _rewrite_tables(text: str, rewrite: Callable[[Block], list[str]]) -> str:
    """`text` with each table block replaced by the lines `rewrite` makes of it."""
    blocks = split_blocks(text)
    if all(b.header is None for b in blocks):
        return text
    out: list[str] = []
    for block in blocks:
        out.extend([block.text] if block.header is None else rewrite(block))
    return "\n".join(out)


def plain_tables(text: str) -> str:
    """Text with every Markdown table replaced by its rows as `row_as_text` lines."""
    return _rewrite_tables(
        text, lambda block: [row_as_text(str(block.header), row) for row in block.rows]
    )


_HEADER_UNIT = re.compile(
    r"[(\[]\s*([^()\[\]]{1,12}?)\s*[)\]]\.?\s*$|\bin ([A-Za-z°µ/%]{1,8})\.?\s*$"
)
_UNIT_COLUMN = re.compile(r"^\s*(units?|unit of measure|uom|einheit|unité)\s*$", re.IGNORECASE)
# columns that hold a measured or specified value, as opposed to a count, a size or a frequency
_VALUE_COLUMN = re.compile(
    r"^\s*(value|values|nominal|target|setting|set ?point|default|rated|typ(ical)?|min(imum)?|"
    r"max(imum)?|lsl|usl|lower( spec(ification)?)?( limit)?|upper( spec(ification)?)?( limit)?|"
    r"limit|tolerance|range|spec(ification)?)\.?\s*$",
    re.IGNORECASE,
)
# a unit is short and has no sentence in it: "g", "N·m", "°C", "mm/s", "bar (g)"
_UNIT_WORD = re.compile(r"^[^\d\s|][^|]{0,11}$")
_NUMERIC_CELL = re.compile(r"^[<>≤≥~±+-]?\s*\d[\d.,\s–-]*$")


def with_header_units(text: str) -> str:
    """Text whose table cells carry the unit their column header (or, in a transposed table,
    their row label) names, so a bare "4200" under "Weight (kg)" reads "4200 kg"; text
    without tables comes back unchanged.

    Example:
        >>> with_header_units("| Size | Ampacity (amperes) |\\n|---|---|\\n| 12 | 20 |")
        '| Size | Ampacity (amperes) |\\n|---|---|\\n| 12 | 20 amperes |'
    """
    return _rewrite_tables(text, _rows_with_units)


def _rows_with_units(block: Block) -> list[str]:
    names = cells(str(block.header))
    units = [_unit(name) for name in names]
    # a datasheet or control plan may give the unit in a column of its own ("| Nominal | LSL |
    # Unit |"): it belongs to the value columns of that row, never to counts or frequencies
    unit_column = next((i for i, n in enumerate(names) if _UNIT_COLUMN.match(n)), None)
    value_columns = {i for i, n in enumerate(names) if _VALUE_COLUMN.match(n)}
    rows = []
    for row in block.rows:
        values = cells(row)
        # a transposed table names the unit in the row's label: "Tensile strength (lb/in2)"
        label_unit = _unit(values[0]) if values else ""
        row_unit = (
            values[unit_column] if unit_column is not None and unit_column < len(values) else ""
        )
        row_unit = row_unit if _UNIT_WORD.match(row_unit) else ""
        units_here = [
            u or (row_unit if i in value_columns else "") or label_unit for i, u in enumerate(units)
        ] + [label_unit] * len(values)
        rows.append(
            "| "
            + " | ".join(
                f"{value} {unit}" if unit and _NUMERIC_CELL.match(value) else value
                for value, unit in zip(values, units_here, strict=False)
            )
            + " |"
        )
    return [*block.text.splitlines()[:2], *rows]


def _unit(header_cell: str) -> str:
    match = _HEADER_UNIT.search(header_cell)
    if match is None:
        return ""
    return (match.group(1) or match.group(2) or "").strip()


_IDENTIFIER = re.compile(r"(?<![\w-])(?=[\w.-]*\d)[A-Za-z0-9][\w.]*(?:-[\w.]+)*(?![\w-])")
_CAPITALS = re.compile(r"(?<![\w-])[A-Z][A-Z0-9_]{2,}(?:-[A-Z0-9_]+)*(?![\w-])")


def row_keys(question: str) -> set[str]:
    """What in a question may be a table row's key cell, lowercased: identifiers with a digit
    ("pin 13", "AWG 14", "G64", "0x8D", a final full stop dropped) and names in capitals
    ("SEARCHGW"). Whether one is a key is the table's to say: a cell that is it.

    Example:
        >>> sorted(row_keys("What does reason code 0x8D mean for SEARCHGW on pin 13?"))
        ['0x8d', '13', 'searchgw']
    """
    keys = {m.rstrip(".").lower() for m in _IDENTIFIER.findall(question)}
    return keys | {m.lower() for m in _CAPITALS.findall(question)}
