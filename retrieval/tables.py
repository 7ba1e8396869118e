"""Tables as Markdown: one way to write them for every loader, and to read their rows back.

Every loader writes a table as a Markdown pipe table (header row, rule, one line per row, no
line breaks inside a cell), so chunking can keep rows whole and repeat the header, and the
answerer can quote one row together with the column names that give it meaning.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
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


def plain_tables(text: str) -> str:
    """Text with every Markdown table replaced by its rows as `row_as_text` lines."""
    blocks = split_blocks(text)
    if all(b.header is None for b in blocks):
        return text
    out = []
    for block in blocks:
        if block.header is None:
            out.append(block.text)
        else:
            out.extend(row_as_text(block.header, row) for row in block.rows)
    return "\n".join(out)
