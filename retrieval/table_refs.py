"""A passage that names a table brings the table along.

Manuals and handbooks state a rule in prose and the values in a table under it: "The
allowable current-carrying capacities ... are given in table 1-3", then the caption, then the
table. The prose shares the question's words and ranks first; the table holds the value asked
for but is mostly numbers, and ranks too low to be read. So a hit that names a table ("table
1-3", "Table 2") is followed by the first table chunk after it in the same section of the
same document, within a few chunks, as an extra hit after the searched ones.
"""

from __future__ import annotations

import re
from collections.abc import Sequence, Set

from retrieval.documents import Chunk
from retrieval.tables import cells, is_table_line

_TABLE_NAMED = re.compile(r"\btable\s+[A-Z]?\d+(?:[.\-–]\d+)*\b", re.IGNORECASE)
WINDOW = 3  # chunks after the naming one that are looked at
MAX_PARTS = 60  # chunks of one table cut by the chunker that are looked at for a keyed row


def names_table(text: str) -> bool:
    """Whether `text` names a numbered table ("given in table 1-3", "see Table 2")."""
    return bool(_TABLE_NAMED.search(text))


def is_table(chunk: Chunk) -> bool:
    """A chunk that is a Markdown table (the loaders write every table as one)."""
    return is_table_line(chunk.text.lstrip().split("\n", 1)[0])


def named_tables(
    named_in: Sequence[Chunk],
    chunks: Sequence[Chunk],
    position: dict[str, int],
    *,
    limit: int = 1,
    keys: Set[str] = frozenset(),
) -> list[Chunk]:
    """For each chunk of `named_in` that names a table, the first table chunk following it in
    its section (at most `WINDOW` chunks on), not already among `named_in`; at most `limit`.
    A table cut into several chunks gives the chunk with a row keyed by the question's `keys`
    (`tables.row_keys`: "AWG 14" -> the chunk holding the row "| 14 | 64.0 | ..."), when one
    has it; else its first chunk.

    Example:
        >>> at = {"chunk_id": "a", "source": "m.pdf", "title": "M", "heading_path": ("R",),
        ...       "page": 1}
        >>> a = Chunk(**at, text="The ratings are given in table 1-3.")
        >>> b = Chunk(**{**at, "chunk_id": "b"}, text="| Size | Amps |\\n|---|---|\\n| 0 | 850 |")
        >>> [c.chunk_id for c in named_tables([a], [a, b], {"a": 0, "b": 1})]
        ['b']
    """
    present = {c.chunk_id for c in named_in}
    found: list[Chunk] = []
    for chunk in named_in:
        here = position.get(chunk.chunk_id)
        if here is None or not names_table(chunk.text):
            continue
        for following in chunks[here + 1 : here + 1 + WINDOW]:
            same_section = (following.source, following.heading_path) == (
                chunk.source,
                chunk.heading_path,
            )
            if not same_section:
                break
            if is_table(following):
                following = _keyed_part(following, chunks, position, keys)
                if following.chunk_id not in present:
                    present.add(following.chunk_id)
                    found.append(following)
                break
        if len(found) >= limit:
            break
    return found


def _keyed_part(
    first: Chunk, chunks: Sequence[Chunk], position: dict[str, int], keys: Set[str]
) -> Chunk:
    """Of the table starting at `first` (the chunks after it in its section that repeat its
    header line, up to `MAX_PARTS`), the chunk with most of `keys` as cells; `first` when
    none has any."""
    if not keys:
        return first
    header = first.text.lstrip().split("\n", 1)[0]
    start = position[first.chunk_id]
    best, best_count = first, 0
    for part in chunks[start : start + MAX_PARTS]:
        if (part.source, part.heading_path) != (first.source, first.heading_path):
            break
        if part.text.lstrip().split("\n", 1)[0] != header:
            break
        found = {c.lower() for line in part.text.splitlines() for c in cells(line)} & keys
        if len(found) > best_count:
            best, best_count = part, len(found)
    return best
