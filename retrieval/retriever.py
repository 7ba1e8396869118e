"""The LangChain retriever over the plant index, and the factories that assemble it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from retrieval.embeddings import make_embedder
from retrieval.glossary import Glossary
from retrieval.index_store import load_snapshot
from retrieval.ingest import IngestConfig
from retrieval.search import Hit, SearchConfig, Searcher, SearchFilter, SearchMode
from retrieval.vector_index import IndexParams

if TYPE_CHECKING:
    from assistant.settings import Settings


class PlantRetriever(BaseRetriever):
    """Dense, BM25 or hybrid retrieval as a LangChain retriever.

    Each returned `Document` carries the citation fields in its metadata: `chunk_id`,
    `source`, `title`, `section`, `page`, `score` and `rank`.

    Example:
        >>> retriever = make_retriever(get_settings(), mode="hybrid", k=5)  # doctest: +SKIP
        >>> retriever.invoke("how often do I grease the VMC-850 way covers?")  # doctest: +SKIP
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    searcher: Searcher
    mode: SearchMode = "hybrid"
    k: int = 5
    search_filter: SearchFilter | None = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        hits = self.searcher.search(
            query, mode=self.mode, k=self.k, search_filter=self.search_filter
        )
        return [hit_to_document(hit) for hit in hits]


def hit_to_document(hit: Hit) -> Document:
    chunk = hit.chunk
    metadata: dict[str, Any] = {
        "chunk_id": chunk.chunk_id,
        "source": chunk.source,
        "title": chunk.title,
        "section": chunk.section,
        "page": chunk.page,
        "doc_type": chunk.doc_type,
        "audience": list(chunk.audience),
        "machine": list(chunk.machine),
        "score": hit.score,
        "rank": hit.rank,
    }
    return Document(page_content=chunk.text, metadata=metadata, id=chunk.chunk_id)


def index_params(settings: Settings) -> IndexParams:
    return IndexParams(
        kind=settings.index_kind,
        approx_threshold=settings.approx_threshold,
        ivf_threshold=settings.ivf_threshold,
        ivf_nlist=settings.ivf_nlist,
        ivf_nprobe=settings.ivf_nprobe,
        hnsw_m=settings.hnsw_m,
        hnsw_ef_construction=settings.hnsw_ef_construction,
        hnsw_ef_search=settings.hnsw_ef_search,
        gpu=settings.faiss_gpu,
    )


def ingest_config(settings: Settings) -> IngestConfig:
    return IngestConfig(
        index_dir=settings.index_dir,
        embedding_model=settings.embedding_model,
        chunk_size=settings.chunk_size,
        chunk_overlap=settings.chunk_overlap,
        index_params=index_params(settings),
    )


def make_searcher(settings: Settings) -> Searcher:
    """Load the index named by the settings. Raises `IndexNotFoundError` when there is none."""
    snapshot = load_snapshot(settings.index_dir)
    config = SearchConfig(
        fetch_k=settings.retrieval_fetch_k,
        rrf_k=settings.rrf_k,
        dense_weight=settings.hybrid_dense_weight,
        bm25_weight=settings.hybrid_bm25_weight,
        fusion=settings.hybrid_fusion,
        bm25_k1=settings.bm25_k1,
        bm25_b=settings.bm25_b,
        typo_cutoff=settings.bm25_typo_cutoff,
        glossary=Glossary.load(settings.glossary_path),
        index_params=index_params(settings),
    )
    return Searcher(snapshot, make_embedder(settings), config)


def make_retriever(
    settings: Settings,
    *,
    searcher: Searcher | None = None,
    mode: SearchMode | None = None,
    k: int | None = None,
    search_filter: SearchFilter | None = None,
) -> PlantRetriever:
    return PlantRetriever(
        searcher=searcher or make_searcher(settings),
        mode=mode or settings.retrieval_mode,
        k=k or settings.retrieval_k,
        search_filter=search_filter,
    )
