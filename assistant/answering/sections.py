"""A passage read with the rest of its section ("small to big"): the index holds chunks sized
for the search, and a reader given one of them misses the row or sentence its neighbour holds
("Split deliveries: allowed unless the customer objects" in the chunk after the one that
matched "half the order arrived")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.answering.answers import Citation
from assistant.answering.composition import join_all
from assistant.answering.retrieval_result import screened_passages
from retrieval.documents import Chunk
from retrieval.tables import continued_tables


@dataclass
class Sections:
    """The sections of an index's chunks, each the chunks of one heading path of one source
    in index order.

    Example:
        >>> a = Chunk("a", "t.md", "T", ("Delivery",), None, "Split deliveries are allowed.")
        >>> b = Chunk("b", "t.md", "T", ("Delivery",), None, "Unless the customer objects.")
        >>> sections = Sections([a, b], max_chars=500)
        >>> sections.key("b"), sections.key("c")
        ('a', 'c')
    """

    chunks: Sequence[Chunk]
    max_chars: int  # a section longer than this is not read whole
    _parts: dict[str, tuple[Chunk, ...]] = field(init=False, default_factory=dict)
    _texts: dict[str, tuple[str, tuple[str, ...]]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        by_place: dict[tuple[str, tuple[str, ...]], list[Chunk]] = {}
        for chunk in self.chunks:
            if chunk.heading_path:  # a document without headings is not one section
                by_place.setdefault((chunk.source, chunk.heading_path), []).append(chunk)
        for parts in by_place.values():
            if len(parts) > 1 and sum(len(c.text) for c in parts) <= self.max_chars * 1.5:
                for chunk in parts:
                    self._parts[chunk.chunk_id] = tuple(parts)

    def whole(self, chunk_id: str) -> str | None:
        """The text of the section `chunk_id` belongs to, cleaned as answers read passages,
        when it has more than one chunk and at most `max_chars` characters; else None."""
        read = self._read(chunk_id)
        return None if read is None or len(read[0]) > self.max_chars else read[0]

    def pieces(self, chunk_id: str) -> list[str] | None:
        """The cleaned texts of the chunks of the section `chunk_id` belongs to, in order,
        when it has more than one chunk; else None."""
        read = self._read(chunk_id)
        return None if read is None else list(read[1])

    def _read(self, chunk_id: str) -> tuple[str, tuple[str, ...]] | None:
        """The section's joined text and its cleaned chunk texts, made once per section (a
        batch of drafts reads the same policies again and again)."""
        parts = self._parts.get(chunk_id)
        if parts is None:
            return None
        key = parts[0].chunk_id
        if key not in self._texts:
            pieces = tuple(text for text, _ in screened_passages(parts))
            self._texts[key] = (continued_tables(join_all(pieces)), pieces)
        return self._texts[key]

    def key(self, chunk_id: str) -> str:
        """The same key for every chunk of a section read whole, else the chunk's own."""
        parts = self._parts.get(chunk_id)
        return parts[0].chunk_id if parts else chunk_id


def widened(
    citations: Sequence[Citation], sections: Sections, k: int
) -> tuple[list[Citation], dict[int, list[str]]]:
    """The first `k` distinct sections of `citations` (in their order), each passage widened
    to its whole section where `sections` reads it whole, renumbered 1..k; and for each
    widened one, by its new number, the chunk texts it was joined from."""
    kept: list[Citation] = []
    pieces: dict[int, list[str]] = {}
    seen: set[str] = set()
    for citation in citations:
        key = sections.key(citation.chunk_id)
        if key in seen:
            continue
        seen.add(key)
        n = len(kept) + 1
        text = sections.whole(citation.chunk_id)
        if text is not None:
            pieces[n] = sections.pieces(citation.chunk_id) or [text]  # both made once
        kept.append(citation.model_copy(update={"n": n, "text": text or citation.text}))
        if len(kept) == k:
            break
    return kept, pieces
