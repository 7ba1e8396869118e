from __future__ import annotations

import numpy as np
import pytest

from retrieval.vector_index import IndexParams, build_index, search


def _vectors(n: int = 2000, dim: int = 32, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(20, dim))
    data = centres[rng.integers(0, 20, n)] + 0.3 * rng.normal(size=(n, dim))
    data /= np.linalg.norm(data, axis=1, keepdims=True)
    return data.astype(np.float32)


@pytest.mark.parametrize("kind", ["ivf", "hnsw"])
def test_approximate_indexes_agree_with_exact_search(kind: str) -> None:
    data = _vectors()
    queries = data[:50] + 0.01
    exact = build_index(data, IndexParams(kind="flat"))
    approx = build_index(data, IndexParams(kind=kind, ivf_nprobe=8, hnsw_ef_search=64))
    _, truth = search(exact, queries, 10, IndexParams(kind="flat"))
    _, found = search(approx, queries, 10, IndexParams(kind=kind))
    recall = np.mean([len(set(t) & set(f)) / 10 for t, f in zip(truth, found, strict=True)])
    assert recall >= 0.9


def test_auto_picks_by_size() -> None:
    params = IndexParams(kind="auto", approx_threshold=1000, ivf_threshold=5000)
    assert params.concrete_kind(999) == "flat"
    assert params.concrete_kind(1000) == "hnsw"
    assert params.concrete_kind(5000) == "ivf"


@pytest.mark.parametrize("kind", ["flat", "ivf", "hnsw"])
def test_allowed_ids_restrict_results(kind: str) -> None:
    data = _vectors(500)
    params = IndexParams(kind=kind, ivf_nprobe=16)
    index = build_index(data, params)
    allowed = np.arange(100, 140)
    _, ids = search(index, data[:3], 5, params, allowed_ids=allowed)
    found = ids[ids >= 0]
    assert len(found) > 0 and set(found.tolist()) <= set(allowed.tolist())
