"""Dense, BM25 and hybrid search over one loaded index snapshot, with metadata filters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
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
from retrieval.lead_ins import continued
from retrieval.table_refs import named_tables
from retrieval.tables import row_keys
from retrieval.vector_index import IndexParams, search, to_device

SearchMode = Literal["dense", "bm25", "hybrid"]
SEARCH_MODES: tuple[SearchMode, ...] = ("dense", "bm25", "hybrid")


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
class HybridResult:
    """One hybrid search: its hits, the best dense score, and the query as embedded."""

    hits: list[Hit]
    best_dense: float | None  # cosine of the best chunk by embeddings alone, same filter
    query: str  # whitespace collapsed and cut, as searched and embedded
    query_vector: np.ndarray  # (1, dimension), L2-normalized


@dataclass(frozen=True)
class SearchConfig:
    """How to search; built from the settings by `assistant.wiring.search_config` (no knob
    has a default here, so a test cannot search differently from what users get)."""

    fetch_k: int
    rrf_k: int
    dense_weight: float
    bm25_weight: float
    fusion: str  # "rrf", or "convex": min-max normalised scores, dense_weight/bm25_weight
    bm25_k1: float
    bm25_b: float
    typo_cutoff: float
    max_query_chars: int  # longer input is cut: the encoder reads 256 tokens anyway
    glossary: Glossary = field(default_factory=Glossary)
    index_params: IndexParams = field(default_factory=IndexParams)


class Searcher:
    """Answers queries in any mode against one snapshot; build once, query many times."""

    def __init__(
        self, snapshot: IndexSnapshot, embedder: SentenceEmbedder, config: SearchConfig
    ) -> None:
        self.snapshot = snapshot
        self.chunks = snapshot.chunks
        self._position: dict[str, int] | None = None  # chunk id -> row, built on first use
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
        query_vector: np.ndarray | None = None,
    ) -> list[Hit]:
        """The top `k` chunks; `query_vector` (from `embed_query`) saves embedding it again."""
        query = self._checked(query, k, mode)
        mask = self._mask(search_filter)
        if mode == "dense":
            ranked = self._dense(self._vector(query, query_vector), k, mask)
        elif mode == "bm25":
            ranked = self.bm25.top_k(self.config.glossary.expand(query), k, mask)
        else:
            ranked, _ = self._hybrid(query, self._vector(query, query_vector), k, mask)
        return self._hits(ranked, k)

    def hybrid_search(
        self, query: str, *, k: int = 5, search_filter: SearchFilter | None = None
    ) -> HybridResult:
        """Hybrid hits and the best dense score under the same filter, from one embedding.

        The hybrid search's dense candidates are the dense ranking itself, so their first
        score is what `search(query, mode="dense", k=1)` would report, without embedding the
        query a second time.
        """
        query = self._checked(query, k)
        vector = self.embed_query(query)
        ranked, dense = self._hybrid(query, vector, k, self._mask(search_filter))
        best = dense[0][1] if dense else None
        return HybridResult(self._hits(ranked, k), best, query, vector)

    def with_named_tables(
        self, hits: list[Hit], *, limit: int = 1, question: str = ""
    ) -> list[Hit]:
        """`hits`, each read on into the next chunk of its section where it ends with a colon
        (`lead_ins`), then the table a hit names when it follows in the hit's section ("are
        given in table 1-3": the values the prose points to; `table_refs`): of a long table,
        the part holding the row `question` names ("AWG 14")."""
        position = self._chunk_positions()
        hits = [Hit(h.rank, h.score, continued(h.chunk, self.chunks, position)) for h in hits]
        named_in = [h.chunk for h in hits]
        keys = row_keys(question)
        tables = named_tables(named_in, self.chunks, position, limit=limit, keys=keys)
        score = hits[-1].score if hits else 0.0
        return hits + [Hit(len(hits) + i, score, c) for i, c in enumerate(tables, start=1)]

    def with_line_first(
        self,
        hits: list[Hit],
        query: str,
        test: Callable[[str], bool],
        *,
        search_filter: SearchFilter | None = None,
    ) -> list[Hit]:
        """`hits` with the best chunk by `query`'s keywords that holds a line passing `test`
        put first, where one does and is not there already: "how does QP-0008 define a
        nonconformity" ranks the revision table naming QP-0008 above the list of definitions
        that holds "Nonconformity – Non-fulfillment of a specified requirement"."""

        def holds(text: str) -> bool:
            return any(test(line) for line in text.splitlines())

        return self.with_passage_first(hits, query, holds, search_filter=search_filter)

    def with_passage_first(
        self,
        hits: list[Hit],
        query: str,
        test: Callable[[str], bool],
        *,
        search_filter: SearchFilter | None = None,
    ) -> list[Hit]:
        """`hits` with the best chunk by `query`'s keywords whose text passes `test` put
        first, where one does and is not there already (see `with_line_first`)."""
        fetch = max(len(hits), self.config.fetch_k)
        for row, _ in self.bm25.top_k(query, fetch, self._mask(search_filter)):
            chunk = self.chunks[row]
            if test(chunk.text):
                if any(h.chunk.chunk_id == chunk.chunk_id for h in hits):
                    return hits
                score = hits[0].score if hits else 0.0
                return [Hit(1, score, chunk), *(replace(h, rank=h.rank + 1) for h in hits)]
        return hits

    def section_of(self, chunk_id: str, limit: int = 50) -> list[Chunk]:
        """The chunks of the section a chunk belongs to (same file, same heading path), in
        document order, at most `limit` of them either side; none for an unknown id."""
        chunks, at = self.chunks, self._chunk_positions().get(chunk_id)
        if at is None:
            return []
        place = (chunks[at].source, chunks[at].heading_path)
        first = at
        while (
            first > max(0, at - limit)
            and (chunks[first - 1].source, chunks[first - 1].heading_path) == place
        ):
            first -= 1
        last = at
        while (
            last < min(len(chunks) - 1, at + limit)
            and (chunks[last + 1].source, chunks[last + 1].heading_path) == place
        ):
            last += 1
        return list(chunks[first : last + 1])

    def _chunk_positions(self) -> dict[str, int]:
        if self._position is None:
            self._position = {c.chunk_id: i for i, c in enumerate(self.chunks)}
        return self._position

    def covers(self, search_filter: SearchFilter | None) -> bool:
        """Whether any indexed chunk is within `search_filter` (no filter: any chunk)."""
        mask = self._mask(search_filter)
        return bool(self.chunks) if mask is None else bool(mask.any())

    def normalize_query(self, query: str) -> str:
        """The query as it is searched: whitespace collapsed, cut to `max_query_chars`."""
        return " ".join(query.split())[: self.config.max_query_chars]

    def embed_query(self, query: str) -> np.ndarray:
        """The (1, dimension) vector the dense search uses for `query`."""
        return self.embedder.encode([self.normalize_query(query)])

    def _checked(self, query: str, k: int, mode: str = "hybrid") -> str:
        query = self.normalize_query(query)
        if not query:
            raise InvalidQueryError("The query is empty: type a question or some keywords.")
        if mode not in SEARCH_MODES:
            raise InvalidQueryError(f"Unknown search mode '{mode}'; use dense, bm25 or hybrid.")
        if k < 1:
            raise InvalidQueryError(f"k must be at least 1 (got {k}).")
        return query

    def _vector(self, query: str, given: np.ndarray | None) -> np.ndarray:
        if given is None:
            return self.embedder.encode([query])
        return np.ascontiguousarray(given, dtype=np.float32).reshape(1, -1)  # as FAISS wants

    def _hits(self, ranked: list[tuple[int, float]], k: int) -> list[Hit]:
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

    def _dense(
        self, vector: np.ndarray, k: int, mask: np.ndarray | None
    ) -> list[tuple[int, float]]:
        allowed = None if mask is None else np.flatnonzero(mask)
        scores, ids = search(self.faiss_index, vector, k, self.config.index_params, allowed)
        return [(int(i), float(s)) for s, i in zip(scores[0], ids[0], strict=True) if i >= 0]

    def _hybrid(
        self, query: str, vector: np.ndarray, k: int, mask: np.ndarray | None
    ) -> tuple[list[tuple[int, float]], list[tuple[int, float]]]:
        """The fused ranking, and the dense ranking it was fused from."""
        fetch = max(k, self.config.fetch_k)
        dense = self._dense(vector, fetch, mask)
        keyword = self.bm25.top_k(self.config.glossary.expand(query), fetch, mask)
        weights = [self.config.dense_weight, self.config.bm25_weight]
        if self.config.fusion == "convex":
            return convex_fusion([dense, keyword], weights), dense
        fused = reciprocal_rank_fusion(
            [[row for row, _ in dense], [row for row, _ in keyword]],
            weights=weights,
            k=self.config.rrf_k,
        )
        return fused, dense
