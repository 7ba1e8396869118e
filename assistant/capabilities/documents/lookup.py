"""Passages a tool quotes from the documents: one retrieval, filtered, and whole sections."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING

from assistant.answering.answers import Citation

if TYPE_CHECKING:
    from assistant.answering.chain import RagChain
    from retrieval.search import Searcher, SearchFilter


def cite(
    chain: RagChain,
    query: str,
    *,
    search_filter: SearchFilter | None = None,
    keep: Callable[[Citation], bool] = lambda c: True,
    limit: int = 1,
) -> list[Citation]:
    """The best passages for `query` (within `search_filter`) that `keep` accepts."""
    scoped = (
        chain if search_filter is None else dataclasses.replace(chain, search_filter=search_filter)
    )
    citations, _ = scoped.retrieve(query)
    return [c for c in citations if keep(c)][:limit]


def whole_section(searcher: Searcher, chunk_id: str) -> str:
    """Every chunk of the section `chunk_id` belongs to, in order, overlaps removed: a
    procedure is quoted to its last step, not to a chunk boundary."""
    chunks = searcher.chunks
    hit = next((c for c in chunks if c.chunk_id == chunk_id), None)
    if hit is None:
        return ""
    lines: list[str] = []
    for chunk in chunks:
        if chunk.source == hit.source and chunk.heading_path == hit.heading_path:
            for line in chunk.text.splitlines():
                if line.strip() and not any(line in seen for seen in lines):
                    lines.append(line)
    return "\n".join(lines)
