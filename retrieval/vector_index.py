"""FAISS index construction (exact, IVF or HNSW on inner product) and GPU placement."""

from __future__ import annotations

import functools
import logging
import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

log = logging.getLogger(__name__)

ConcreteKind = Literal["flat", "ivf", "hnsw"]


@dataclass(frozen=True)
class IndexParams:
    """How to build and search an index; filled from settings."""

    kind: str = "auto"
    approx_threshold: int = 50_000
    ivf_threshold: int = 500_000
    ivf_nlist: int = 0
    ivf_nprobe: int = 256
    hnsw_m: int = 32
    hnsw_ef_construction: int = 80
    hnsw_ef_search: int = 256
    gpu: str = "auto"

    def concrete_kind(self, n_vectors: int) -> ConcreteKind:
        if self.kind == "auto":
            if n_vectors < self.approx_threshold:
                return "flat"
            return "ivf" if n_vectors >= self.ivf_threshold else "hnsw"
        if self.kind not in ("flat", "ivf", "hnsw"):
            raise ValueError(f"unknown index kind {self.kind!r}; use flat, ivf, hnsw or auto")
        return self.kind  # type: ignore[return-value]

    def nlist_for(self, n_vectors: int) -> int:
        if self.ivf_nlist:
            return self.ivf_nlist
        # the usual rule of thumb, kept so every cell has enough points to train on
        return max(1, min(int(4 * math.sqrt(n_vectors)), n_vectors // 39 or 1))


def build_index(vectors: np.ndarray, params: IndexParams) -> Any:
    """Build an inner-product index over L2-normalized vectors (row i gets id i)."""
    import faiss

    n, dim = vectors.shape
    kind = params.concrete_kind(n)
    if kind == "flat":
        index = faiss.IndexFlatIP(dim)
    elif kind == "hnsw":
        index = faiss.IndexHNSWFlat(dim, params.hnsw_m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = params.hnsw_ef_construction
    else:
        quantizer = faiss.IndexFlatIP(dim)
        index = faiss.IndexIVFFlat(quantizer, dim, params.nlist_for(n), faiss.METRIC_INNER_PRODUCT)
        index.train(vectors)
    if n:
        index.add(vectors)
    configure_search(index, params)
    return index


def configure_search(index: Any, params: IndexParams) -> None:
    """Apply search-time knobs (nprobe, efSearch) to an index built or read from disk."""
    import faiss

    if isinstance(index, faiss.IndexHNSW):
        index.hnsw.efSearch = params.hnsw_ef_search
    elif isinstance(index, faiss.IndexIVF):
        index.nprobe = params.ivf_nprobe


def gpu_available() -> bool:
    import faiss

    return hasattr(faiss, "StandardGpuResources") and faiss.get_num_gpus() > 0


def to_device(index: Any, choice: str) -> Any:
    """Move the index to the GPU when asked (`cuda`) or when possible (`auto`)."""
    import faiss

    if choice == "cpu" or (choice == "auto" and not gpu_available()):
        return index
    if not gpu_available():
        raise RuntimeError("faiss_gpu=cuda, but this faiss build has no GPU support or no GPU")
    if isinstance(index, faiss.IndexHNSW):
        log.info("HNSW indexes stay on the CPU (faiss has no GPU HNSW)")
        return index
    log.info("FAISS index moved to GPU 0")
    return faiss.index_cpu_to_gpu(_gpu_resources(), 0, index)


@functools.lru_cache(maxsize=1)
def _gpu_resources() -> Any:
    """One set of GPU resources per process; it must outlive every index placed with it."""
    import faiss

    return faiss.StandardGpuResources()


def search(
    index: Any,
    queries: np.ndarray,
    k: int,
    params: IndexParams,
    allowed_ids: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Top-k inner-product search; `allowed_ids` restricts the result to those rows."""
    import faiss

    k = max(1, min(k, index.ntotal))
    if allowed_ids is None:
        return index.search(queries, k)
    if len(allowed_ids) == 0:
        empty = np.full((len(queries), k), -1, dtype=np.int64)
        return np.zeros((len(queries), k), dtype=np.float32), empty
    on_cpu = not type(index).__name__.startswith("Gpu")
    if not on_cpu:  # GPU indexes take no selector: over-fetch and filter
        scores, ids = index.search(queries, min(index.ntotal, k * 20))
        keep = np.isin(ids, allowed_ids)
        return _compact(scores, ids, keep, k)
    selector = faiss.IDSelectorBatch(allowed_ids.astype(np.int64))
    if isinstance(index, faiss.IndexHNSW):
        sp: Any = faiss.SearchParametersHNSW(sel=selector, efSearch=params.hnsw_ef_search)
    elif isinstance(index, faiss.IndexIVF):
        sp = faiss.SearchParametersIVF(sel=selector, nprobe=params.ivf_nprobe)
    else:
        sp = faiss.SearchParameters(sel=selector)
    return index.search(queries, min(k, len(allowed_ids)), params=sp)


def _compact(
    scores: np.ndarray, ids: np.ndarray, keep: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    out_s = np.zeros((len(ids), k), dtype=np.float32)
    out_i = np.full((len(ids), k), -1, dtype=np.int64)
    for row in range(len(ids)):
        kept_s, kept_i = scores[row][keep[row]][:k], ids[row][keep[row]][:k]
        out_s[row, : len(kept_s)], out_i[row, : len(kept_i)] = kept_s, kept_i
    return out_s, out_i
