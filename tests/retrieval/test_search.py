from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.embeddings import SentenceEmbedder
from retrieval.errors import InvalidQueryError
from retrieval.index_store import load_snapshot
from retrieval.ingest import IngestConfig, ingest
from retrieval.retriever import PlantRetriever
from retrieval.search import SearchConfig, Searcher, SearchFilter


@pytest.fixture
def searcher(corpus: Path, ingest_config: IngestConfig, embedder: SentenceEmbedder) -> Searcher:
    ingest([corpus], ingest_config, embedder)
    return Searcher(load_snapshot(ingest_config.index_dir), embedder, SearchConfig(fetch_k=10))


@pytest.mark.parametrize("mode", ["dense", "bm25", "hybrid"])
def test_every_mode_ranks_the_alarm_table_first(searcher: Searcher, mode: str) -> None:
    hits = searcher.search("press alarm H-320 light curtain", mode=mode, k=3)  # type: ignore[arg-type]
    assert hits[0].chunk.source == "press.pdf"
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    assert hits[0].score >= hits[-1].score


def test_filters_restrict_every_mode(searcher: Searcher) -> None:
    only_cs = SearchFilter(doc_type=["customer_service"])
    for mode in ("dense", "bm25", "hybrid"):
        hits = searcher.search("grease and alarms", mode=mode, k=5, search_filter=only_cs)
        assert {h.chunk.source for h in hits} <= {"warranty.docx"}
    new_staff = SearchFilter(audience=["NEW_STAFF"])
    sources = {h.chunk.source for h in searcher.search("rules", k=10, search_filter=new_staff)}
    assert sources and sources <= {"ppe.html", "canteen.md"}
    machine = SearchFilter(machine=["p-100"])
    assert {h.chunk.source for h in searcher.search("oil", k=10, search_filter=machine)} == {
        "press.pdf"
    }


@pytest.mark.parametrize("query", ["", "   \n\t "])
def test_empty_query_is_refused(searcher: Searcher, query: str) -> None:
    with pytest.raises(InvalidQueryError, match="empty"):
        searcher.search(query)


def test_huge_and_odd_queries_still_answer(searcher: Searcher) -> None:
    assert searcher.search("grease " * 20000, k=2)
    assert searcher.search("\x00\x07 ✓ 🙂 Schmierfett für die Presse?", k=2)


def test_langchain_retriever_returns_documents_with_citation_metadata(searcher: Searcher) -> None:
    retriever = PlantRetriever(searcher=searcher, mode="hybrid", k=2)
    docs = retriever.invoke("how often are the slide gibs greased")
    assert docs[0].metadata["source"] == "press.pdf"
    assert docs[0].metadata["section"].endswith("Lubrication")
    assert docs[0].metadata["page"] == 1
    assert {"chunk_id", "score", "rank", "title"} <= set(docs[0].metadata)
