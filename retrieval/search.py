"""Dense, BM25 and hybrid search over one loaded index snapshot, with metadata filters."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from pydantic import BaseModel

from retrieval.bm25 import BM25Index
from retrieval.documents import Chunk
from retrieval.embeddings import SentenceEmbedder
from retrieval.errors import InvalidQueryError
from retrieval.fusion import convex_fusion, reciprocal_rank_fusion
from retrieval.glossary import Glossary
from retrieval.index_store import IndexSnapshot
from retrieval.vector_index import IndexParams, search, to_device

SearchMode = Literal["dense", "bm25", "hybrid"]
SEARCH_MODES: tuple[SearchMode, ...] = ("dense", "bm25", "hybrid")
MAX_QUERY_CHARS = 2000  # longer input is cut: the encoder reads 256 tokens anyway


class SearchFilter(BaseModel):
    """Keep only chunks whose metadata matches every given field (any of the listed values)."""

    doc_type: list[str] | None = None
    audience: list[str] | None = None
    machine: list[str] | None = None

    def is_empty(self) -> bool:
        return not (self.doc_type or self.audience or self.machine)

    def matches(self, chunk: Chunk) -> bool:
        def norm(values: list[str] | tuple[str, ...]) -> set[str]:
            return {v.strip().lower() for v in values}

        if self.doc_type and chunk.doc_type.lower() not in norm(self.doc_type):
            return False
        if self.audience and not norm(self.audience) & norm(chunk.audience):
            return False
        return not (self.machine and not norm(self.machine) & norm(chunk.machine))


@dataclass(frozen=True)
class Hit:
    """One search result."""

    rank: int
    score: float
    chunk: Chunk


@dataclass(frozen=True)
class SearchConfig:
    fetch_k: int = 40
    rrf_k: int = 60
    dense_weight: float = 1.0
    bm25_weight: float = 1.0
    fusion: str = "rrf"  # or "convex": min-max normalised scores, dense_weight/bm25_weight
    bm25_k1: float = 1.2
    bm25_b: float = 0.4
    typo_cutoff: float = 80.0
    glossary: Glossary = field(default_factory=Glossary)
    index_params: IndexParams = field(default_factory=IndexParams)


class Searcher:
    """Answers queries in any mode against one snapshot; build once, query many times."""

    def __init__(
        self, snapshot: IndexSnapshot, embedder: SentenceEmbedder, config: SearchConfig
    ) -> None:
        self.snapshot = snapshot
        self.chunks = snapshot.chunks
        self.embedder = embedder
        self.config = config
        self.faiss_index = to_device(snapshot.faiss_index, config.index_params.gpu)
        self.bm25 = BM25Index(
            [c.embedding_text() for c in self.chunks],
            k1=config.bm25_k1,
            b=config.bm25_b,
            typo_cutoff=config.typo_cutoff,
        )

    def search(
        self,
        query: str,
        *,
        mode: SearchMode = "hybrid",
        k: int = 5,
        search_filter: SearchFilter | None = None,
    ) -> list[Hit]:
        query = " ".join(query.split())[:MAX_QUERY_CHARS]
        if not query:
            raise InvalidQueryError("The query is empty: type a question or some keywords.")
        if mode not in SEARCH_MODES:
            raise InvalidQueryError(f"Unknown search mode '{mode}'; use dense, bm25 or hybrid.")
        if k < 1:
            raise InvalidQueryError(f"k must be at least 1 (got {k}).")
        mask = self._mask(search_filter)
        if mode == "dense":
            ranked = self._dense(query, k, mask)
        elif mode == "bm25":
            ranked = self.bm25.top_k(self.config.glossary.expand(query), k, mask)
        else:
            ranked = self._hybrid(query, k, mask)
        return [
            Hit(rank, score, self.chunks[row])
            for rank, (row, score) in enumerate(ranked[:k], start=1)
        ]

    def _mask(self, search_filter: SearchFilter | None) -> np.ndarray | None:
        if search_filter is None or search_filter.is_empty():
            return None
        return np.fromiter(
            (search_filter.matches(c) for c in self.chunks), dtype=bool, count=len(self.chunks)
        )

    def _dense(self, query: str, k: int, mask: np.ndarray | None) -> list[tuple[int, float]]:
        vector = self.embedder.encode([query])
        allowed = None if mask is None else np.flatnonzero(mask)
        scores, ids = search(self.faiss_index, vector, k, self.config.index_params, allowed)
        return [(int(i), float(s)) for s, i in zip(scores[0], ids[0], strict=True) if i >= 0]

    def _hybrid(self, query: str, k: int, mask: np.ndarray | None) -> list[tuple[int, float]]:
        fetch = max(k, self.config.fetch_k)
        dense = self._dense(query, fetch, mask)
        keyword = self.bm25.top_k(self.config.glossary.expand(query), fetch, mask)
        weights = [self.config.dense_weight, self.config.bm25_weight]
        if self.config.fusion == "convex":
            return convex_fusion([dense, keyword], weights)
        return reciprocal_rank_fusion(
            [[row for row, _ in dense], [row for row, _ in keyword]],
            weights=weights,
            k=self.config.rrf_k,
        )
