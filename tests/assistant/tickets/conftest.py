from __future__ import annotations

import pytest

from assistant.answering.chain import RagChain
from assistant.tickets.drafting import TicketDrafter
from retrieval.embeddings import SentenceEmbedder
from retrieval.index_store import load_snapshot
from retrieval.ingest import IngestConfig, ingest
from retrieval.search import Searcher
from tests.conftest import search_config, write_corpus


@pytest.fixture(scope="module")
def drafter(tmp_path_factory: pytest.TempPathFactory, embedder: SentenceEmbedder) -> TicketDrafter:
    """The drafter over the small mixed-format corpus (warranty terms among them)."""
    root = tmp_path_factory.mktemp("drafting")
    config = IngestConfig(root / "index", "all-MiniLM-L6-v2", 400, 50)
    ingest([write_corpus(root / "docs")], config, embedder)
    searcher = Searcher(load_snapshot(config.index_dir), embedder, search_config())
    return TicketDrafter(RagChain(searcher), company="Acme Valves", passages=4)
