"""One question's retrieval, computed once: the passages, the best dense score, the vectors."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from assistant.answering.answers import Citation
    from retrieval.embeddings import SentenceEmbedder


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

    @property
    def passages(self) -> dict[int, str]:
        """The passage texts by citation number, as the answerers read them."""
        return {c.n: c.text for c in self.citations}
