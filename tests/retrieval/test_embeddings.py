from __future__ import annotations

import numpy as np

from retrieval.embeddings import SentenceEmbedder, TokenVectors
from tools.common.device import pick_device


def test_vectors_are_normalised_and_similar_texts_are_close(embedder: SentenceEmbedder) -> None:
    vectors = embedder.encode(
        [
            "the coolant level is low",
            "top up the cutting fluid tank",
            "canteen opening hours",
        ]
    )
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


def test_empty_input_and_counting(embedder: SentenceEmbedder) -> None:
    before = embedder.texts_embedded
    assert embedder.encode([]).shape == (0, 384)
    assert len(embedder.embed_query("x")) == 384
    assert len(embedder.embed_documents(["a", "b"])) == 2
    assert embedder.texts_embedded - before == 3


def test_explicit_device_is_kept() -> None:
    assert pick_device("cpu") == "cpu"
    assert pick_device("auto") in ("cpu", "cuda")


def test_token_vectors_are_grouped_by_word(embedder: SentenceEmbedder) -> None:
    text = "Alarm E-114: hydrualic pressure"
    [vectors] = embedder.token_vectors([text])
    assert vectors.words == ["Alarm", "E", "-", "114", ":", "hydrualic", "pressure"]
    assert vectors.vectors.shape == (len(vectors.word_of_piece), 384)
    assert np.allclose(np.linalg.norm(vectors.vectors, axis=1), 1.0, atol=1e-5)
    # a misspelt word splits into several pieces, all pointing at the same word
    pieces_of_typo = np.flatnonzero(vectors.word_of_piece == vectors.words.index("hydrualic"))
    assert len(pieces_of_typo) > 1
    assert embedder.token_vectors([]) == []


def test_token_vectors_are_contextual(embedder: SentenceEmbedder) -> None:
    river, money, loan = embedder.token_vectors(
        ["we sat on the bank of the river", "the bank raised its interest rate", "a bank loan"]
    )

    def bank(v: TokenVectors) -> np.ndarray:
        return v.vectors[v.word_of_piece == v.words.index("bank")][0]

    assert bank(money) @ bank(loan) > bank(river) @ bank(loan)


def test_batch_size_defaults_to_small_batches_on_the_cpu() -> None:
    from retrieval.embeddings import CPU_BATCH, GPU_BATCH, SentenceEmbedder

    assert SentenceEmbedder("any", device="cpu").batch_size == CPU_BATCH == 8
    assert SentenceEmbedder("any", device="cuda").batch_size == GPU_BATCH
    assert SentenceEmbedder("any", device="cpu", batch_size=32).batch_size == 32
