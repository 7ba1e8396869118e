"""One question's retrieval and its vectors: each text is embedded once."""

from __future__ import annotations

import numpy as np

from assistant.answering.answers import Citation
from assistant.answering.retrieval_result import Retrieval, TextVectors
from retrieval.embeddings import SentenceEmbedder


def test_each_text_is_embedded_once_and_rows_follow_the_request(
    embedder: SentenceEmbedder,
) -> None:
    vectors = TextVectors(embedder)
    before = embedder.texts_embedded
    first = vectors.encode(["grease the gibs", "ear defenders", "grease the gibs"])
    assert embedder.texts_embedded - before == 2  # the repeated text is read once
    again = vectors.encode(["ear defenders", "grease the gibs"])
    assert embedder.texts_embedded - before == 2
    np.testing.assert_array_equal(again, first[[1, 0]])
    alone = embedder.encode(["grease the gibs", "ear defenders"])
    np.testing.assert_allclose(first[:2], alone, atol=1e-5)
    assert "ear defenders" in vectors and "canteen" not in vectors
    assert vectors.encode([]).shape == (0, 384)


def test_known_vectors_are_not_embedded_again(embedder: SentenceEmbedder) -> None:
    query = embedder.encode(["what does H-310 mean"])[0]
    vectors = TextVectors(embedder, {"what does H-310 mean": query})
    before = embedder.texts_embedded
    got = vectors.encode(["what does H-310 mean", "Hydraulic oil too hot"])
    assert embedder.texts_embedded - before == 1
    np.testing.assert_array_equal(got[0], query)


def test_passages_are_numbered_like_the_citations(embedder: SentenceEmbedder) -> None:
    citations = [
        Citation(n=1, source="a.pdf", text="first"),
        Citation(n=2, source="b.pdf", text="second"),
    ]
    found = Retrieval("q", citations, 0.5, TextVectors(embedder))
    assert found.passages == {1: "first", 2: "second"}
