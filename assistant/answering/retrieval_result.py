"""One question's retrieval, computed once: the passages, the best dense score, the vectors."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from assistant.answering.answers import Citation
from assistant.answering.passage_guard import (
    clean_passages,
    guard_version,
    remember_screened,
)
from assistant.answering.safe_markdown import safe_markdown

if TYPE_CHECKING:
    from retrieval.documents import Chunk
    from retrieval.embeddings import SentenceEmbedder
    from retrieval.search import Hit

log = logging.getLogger(__name__)


class TextVectors:
    """Sentence vectors of texts, each text embedded once however often it is asked for.

    The answerability signals and the extractive answer score the same question against
    the same sentences and table rows; with one of these per question the model reads each
    of them once. Texts not yet known are embedded together, in one batch.

    Example:
        >>> vectors = TextVectors(embedder)  # doctest: +SKIP
        >>> vectors.encode(["a", "b"]); vectors.encode(["b", "a"])  # doctest: +SKIP
        >>> embedder.texts_embedded  # doctest: +SKIP
        2
    """

    def __init__(
        self, embedder: SentenceEmbedder, known: dict[str, np.ndarray] | None = None
    ) -> None:
        self.embedder = embedder
        self._vectors: dict[str, np.ndarray] = dict(known or {})

    def __contains__(self, text: object) -> bool:
        return text in self._vectors

    def __len__(self) -> int:
        return len(self._vectors)

    def absorb(self, other: TextVectors) -> TextVectors:
        """Keep `other`'s vectors too (a cache shared by many questions); returns self."""
        self._vectors.update(other._vectors)
        return self

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """A float32 array of shape (len(texts), dimension), rows in the order of `texts`."""
        if not texts:
            return self.embedder.encode([])
        missing = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        if missing:
            for text, vector in zip(missing, self.embedder.encode(missing), strict=True):
                self._vectors[text] = vector
        return np.stack([self._vectors[t] for t in texts])


@dataclass(frozen=True)
class Retrieval:
    """What one question retrieved, passed from step to step instead of being recomputed.

    `vectors` already holds the query's vector under the text it was embedded as; the
    candidate sentences join it as the answerability signals and the answer ask for them.
    """

    question: str  # the standalone question the passages were retrieved for
    citations: list[Citation]
    best_dense: float | None  # cosine of the best passage by embeddings alone
    vectors: TextVectors = field(compare=False, repr=False)
    # sources whose passages held text addressed to an AI assistant, cut out (passage_guard)
    guarded: tuple[str, ...] = ()

    @property
    def passages(self) -> dict[int, str]:
        """The passage texts by citation number, as the answerers read them."""
        return {c.n: c.text for c in self.citations}


def cleaned_citations(hits: Sequence[Hit]) -> tuple[list[Citation], tuple[str, ...]]:
    """The hits as numbered citations, each passage cleaned (`clean_passages`: instructions
    to an assistant cut, Markdown made safe), and the sources that had text cut. A passage
    screened at ingest by this version of the guard is used as stored; the others (an index
    built before, or by another version) are cleaned now, together, in one batch."""
    citations, guarded = [], []
    cleaned = screened_passages([h.chunk for h in hits])
    for i, (h, (text, cut)) in enumerate(zip(hits, cleaned, strict=True), start=1):
        if cut and h.chunk.source not in guarded:
            log.warning("left out instruction-like text in %s", h.chunk.chunk_id)
            guarded.append(h.chunk.source)
        citations.append(
            Citation(
                n=i,
                source=h.chunk.source,
                title=safe_markdown(h.chunk.title),
                section=safe_markdown(h.chunk.section),
                page=h.chunk.page,
                text=text,
                score=h.score,
                chunk_id=h.chunk.chunk_id,
                doc_type=h.chunk.doc_type,
            )
        )
    return citations, tuple(guarded)


def screened_passages(chunks: Sequence[Chunk]) -> list[tuple[str, int]]:
    """Each chunk's text as answers use it and the instructions cut from it: stored at
    ingest when this guard screened it, else from `clean_passages` (one batch)."""
    version = guard_version()
    stored = [c.screened if c.screened and c.screened.version == version else None for c in chunks]
    fresh = iter(clean_passages([c.text for c, s in zip(chunks, stored, strict=True) if s is None]))
    remember_screened([(c.text, s.text) for c, s in zip(chunks, stored, strict=True) if s])
    return [(s.text, s.cut) if s is not None else next(fresh) for s in stored]
