from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from retrieval.documents import Chunk
from retrieval.multilingual import MultilingualIndex, MultilingualSource, load_cache

POLICIES = {
    "warranty": "Valve bodies carry a warranty of 24 months from the date of delivery.",
    "returns": "Unused parts can be returned within 30 days with an RMA number.",
    "delivery": "Orders placed before noon ship on the same working day.",
    "cleaning": "Wipe the housing with a dry cloth; never use solvents.",
}


def _chunks(texts: dict[str, str]) -> list[Chunk]:
    return [
        Chunk(key, f"{key}.md", key.title(), (key.title(),), None, t) for key, t in texts.items()
    ]


class CountingEncoder:
    """Two-dimensional vectors from the text's length and first letter; counts passages."""

    dim = 2

    def __init__(self) -> None:
        self.embedded: list[str] = []

    def passage(self, texts: list[str]) -> np.ndarray:
        self.embedded += texts
        return np.array([[len(t), ord(t[0])] for t in texts], dtype=np.float32)

    def query(self, texts: list[str]) -> np.ndarray:
        return self.passage(texts)


def test_a_german_or_french_question_finds_the_english_policy(tmp_path: Path) -> None:
    index = MultilingualIndex.build(_chunks(POLICIES), tmp_path / "cache.npz")
    questions = [
        "Wie lange gilt die Garantie auf die Ventilgehäuse?",
        "Jusqu'à quelle heure puis-je commander pour une expédition le jour même ?",
    ]
    found = index.search_many(questions, k=1)
    assert [hits[0].chunk.chunk_id for hits in found] == ["warranty", "delivery"]
    assert found[0][0].rank == 1 and -1.0 <= found[0][0].score <= 1.0


def test_vectors_are_cached_and_only_new_passages_embedded(tmp_path: Path) -> None:
    cache = tmp_path / "cache" / "vectors.npz"
    first = CountingEncoder()
    MultilingualIndex.build(_chunks(POLICIES), cache, encoder=first)
    assert len(first.embedded) == 4 and cache.is_file()
    changed = {**POLICIES, "cleaning": "Rinse the housing with clean water."}
    second = CountingEncoder()
    index = MultilingualIndex.build(_chunks(changed), cache, encoder=second)
    assert len(second.embedded) == 1 and "Rinse the housing" in second.embedded[0]
    assert len(load_cache(cache)) == 4  # only the current passages are kept
    assert index.vectors.shape == (4, 2)
    assert np.allclose(np.linalg.norm(index.vectors, axis=1), 1.0)


def test_a_mask_keeps_the_search_to_the_allowed_passages(tmp_path: Path) -> None:
    index = MultilingualIndex.build(_chunks(POLICIES), None, encoder=CountingEncoder())
    mask = np.array([False, True, False, False])
    hits = index.search_many(["anything at all"], k=3, mask=mask)[0]
    assert [h.chunk.chunk_id for h in hits] == ["returns"]
    assert index.search_many([], k=3) == []


def test_an_unreadable_cache_is_embedded_again_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = tmp_path / "vectors.npz"
    cache.write_bytes(b"not a numpy archive")
    encoder = CountingEncoder()
    with caplog.at_level(logging.WARNING):
        MultilingualIndex.build(_chunks(POLICIES), cache, encoder=encoder)
    assert len(encoder.embedded) == 4 and "unreadable" in caplog.text
    assert len(load_cache(cache)) == 4


def test_a_server_waits_for_the_cache_and_completes_one_missing_only_a_few(tmp_path: Path) -> None:
    cache = tmp_path / "vectors.npz"
    chunks = _chunks(POLICIES)
    waiting = MultilingualSource(chunks, cache, encoder=CountingEncoder())
    assert waiting.get() is None and not cache.exists()  # nothing embedded on the request path
    MultilingualSource(chunks[:3], cache, build=True, encoder=CountingEncoder()).get()
    encoder = CountingEncoder()
    nearly = MultilingualSource(chunks, cache, few=1, encoder=encoder)
    found = nearly.get()
    assert found is not None and len(found.chunks) == 4 and len(encoder.embedded) == 1
    assert nearly.get() is found  # loaded once
    far = MultilingualSource(_chunks({**POLICIES, "a": "x", "b": "y"}), cache, few=1)
    assert far.get() is None
