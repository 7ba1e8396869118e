"""The LangChain retriever over the plant index (assembled by `assistant.wiring`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from retrieval.search import Hit, Searcher, SearchFilter, SearchMode

if TYPE_CHECKING:
    pass


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
