from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.embeddings import SentenceEmbedder
from retrieval.errors import InvalidQueryError
from retrieval.index_store import load_snapshot
from retrieval.ingest import IngestConfig, ingest
from retrieval.retriever import PlantRetriever
from retrieval.search import Searcher, SearchFilter
from tests.conftest import search_config


@pytest.fixture
def searcher(corpus: Path, ingest_config: IngestConfig, embedder: SentenceEmbedder) -> Searcher:
    ingest([corpus], ingest_config, embedder)
    return Searcher(load_snapshot(ingest_config.index_dir), embedder, search_config(fetch_k=10))


@pytest.mark.parametrize("mode", ["dense", "bm25", "hybrid"])
def test_every_mode_ranks_the_alarm_table_first(searcher: Searcher, mode: str) -> None:
    hits = searcher.search("press alarm H-320 light curtain", mode=mode, k=3)  # type: ignore[arg-type]
    assert hits[0].chunk.source == "press.pdf"
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    assert hits[0].score >= hits[-1].score


def test_the_chunk_holding_a_wanted_line_is_put_first(searcher: Searcher) -> None:
    hits = searcher.search("press alarm H-320 light curtain", k=2)
    is_rule = lambda line: "meal costs" in line  # noqa: E731
    found = searcher.with_line_first(hits, "meal", is_rule)
    assert any(is_rule(line) for line in found[0].chunk.text.splitlines())
    assert [h.rank for h in found] == list(range(1, len(found) + 1))
    assert [h.chunk.chunk_id for h in found[1:]] == [h.chunk.chunk_id for h in hits]
    # already among the hits: nothing moves; no chunk holds the line: nothing changes
    assert searcher.with_line_first(found, "meal", is_rule) == found
    assert searcher.with_line_first(hits, "meal", lambda line: False) == hits


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


@pytest.mark.parametrize(
    "search_filter",
    [None, SearchFilter(doc_type=["safety"]), SearchFilter(machine=["P-100"])],
    ids=["all", "safety", "press"],
)
def test_hybrid_search_gives_the_best_dense_score_from_one_embedding(
    searcher: Searcher, search_filter: SearchFilter | None
) -> None:
    query = "grease  for the\npress gibs"
    before = searcher.embedder.texts_embedded
    found = searcher.hybrid_search(query, k=3, search_filter=search_filter)
    assert searcher.embedder.texts_embedded - before == 1
    assert found.query == "grease for the press gibs" and found.query_vector.shape == (1, 384)
    hybrid = searcher.search(query, k=3, search_filter=search_filter)
    [dense] = searcher.search(query, mode="dense", k=1, search_filter=search_filter)
    assert [(h.rank, h.chunk.chunk_id) for h in found.hits] == [
        (h.rank, h.chunk.chunk_id) for h in hybrid
    ]
    assert found.best_dense == pytest.approx(dense.score, abs=1e-6)


def test_a_given_query_vector_is_not_embedded_again(searcher: Searcher) -> None:
    query = "ear protection near the press"
    vector = searcher.embed_query(query)
    before = searcher.embedder.texts_embedded
    for mode in ("dense", "hybrid"):
        given = searcher.search(query, mode=mode, k=3, query_vector=vector)
        assert [h.chunk.chunk_id for h in given] == [
            h.chunk.chunk_id for h in searcher.search(query, mode=mode, k=3)
        ]
    assert searcher.embedder.texts_embedded - before == 2  # only the searches without it


def test_hybrid_search_with_nothing_allowed_finds_nothing(searcher: Searcher) -> None:
    found = searcher.hybrid_search("grease", search_filter=SearchFilter(doc_type=["none"]))
    assert found.hits == [] and found.best_dense is None
    with pytest.raises(InvalidQueryError, match="empty"):
        searcher.hybrid_search("  ")


def test_a_chunks_section_is_its_neighbours_of_the_same_file_and_heading(
    searcher: Searcher,
) -> None:
    chunk = searcher.search("press alarm H-320 light curtain", k=1)[0].chunk
    section = searcher.section_of(chunk.chunk_id)
    assert chunk in section
    assert {(c.source, c.heading_path) for c in section} == {(chunk.source, chunk.heading_path)}
    whole = [
        c
        for c in searcher.chunks
        if (c.source, c.heading_path) == (chunk.source, chunk.heading_path)
    ]
    assert section == whole
    assert searcher.section_of("no such chunk") == []
