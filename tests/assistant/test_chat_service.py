from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

import assistant.chat_service as chat_service
from assistant.answering.chain import ChainEvent, RagChain
from assistant.routing.router import Router
from retrieval.embeddings import SentenceEmbedder
from retrieval.index_store import load_snapshot
from retrieval.ingest import IngestConfig, ingest
from retrieval.search import Searcher
from tests.conftest import search_config


@pytest.fixture
def chain(
    corpus: Path,
    ingest_config: IngestConfig,
    embedder: SentenceEmbedder,
    monkeypatch: pytest.MonkeyPatch,
) -> RagChain:
    ingest([corpus], ingest_config, embedder)
    built = RagChain(Searcher(load_snapshot(ingest_config.index_dir), embedder, search_config()))
    monkeypatch.setattr(chat_service, "_router", Router(built))
    return built


def test_events_arrive_in_order_from_the_worker_thread(chain: RagChain) -> None:
    async def collect() -> list[ChainEvent]:
        return [e async for e in chat_service.answer_events("what does H-310 mean", [])]

    events = asyncio.run(collect())
    assert events[0].kind == "sources"
    assert events[-1].kind == "answer" and events[-1].answer is not None
    assert "H-310" in events[-1].answer.text
    assert events[-1].answer.intent == "manual_question"  # no classifier: the documents
    assert chat_service.get_router().chain is chain  # built once, reused
