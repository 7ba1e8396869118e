from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import assistant.chat_service as chat_service
from assistant.answering.chain import ChainEvent, RagChain
from assistant.routing.router import Router
from assistant.settings import get_settings
from retrieval.embeddings import SentenceEmbedder
from retrieval.index_store import current_version, load_snapshot
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
    # the router is rebuilt when the live index changes: pin it to this test's
    monkeypatch.setattr(chat_service, "_version", current_version(get_settings().index_dir))
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


def test_a_slow_reply_is_stopped_with_a_message_and_others_are_still_served(
    chain: RagChain, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from assistant.settings import get_settings

    monkeypatch.setenv("PLANT_REQUEST_TIMEOUT_S", "5")
    get_settings.cache_clear()
    router = chat_service.get_router()
    release = threading.Event()
    real_stream = router.stream

    def stream(message: str, *args: Any, **kwargs: Any) -> Iterator[ChainEvent]:
        if "slow" in message:  # like the real one, the work happens as events are pulled
            release.wait(60)  # a reply stuck in a worker
        yield from real_stream(message, *args, **kwargs)

    monkeypatch.setattr(router, "stream", stream)

    async def both() -> tuple[list[ChainEvent], list[ChainEvent]]:
        async def collect(question: str) -> list[ChainEvent]:
            return [e async for e in chat_service.answer_events(question, [])]

        return await asyncio.gather(collect("slow: what does H-310 mean"),
                                    collect("what does H-310 mean"))  # fmt: skip

    try:
        slow, fast = asyncio.run(both())
    finally:
        release.set()
        get_settings.cache_clear()
    assert slow[-1].answer is not None and "took longer than 5 s" in slow[-1].answer.text
    assert fast[-1].answer is not None and "H-310" in fast[-1].answer.text


def test_a_refused_file_is_told_and_the_message_still_answered(
    chain: RagChain, tmp_path: Path
) -> None:
    from assistant.capabilities.base import Upload

    svg = tmp_path / "part.png"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>')

    async def collect() -> list[ChainEvent]:
        uploads = [Upload(svg, "part.png")]
        return [e async for e in chat_service.answer_events("what does H-310 mean", [],
                                                            uploads=uploads)]  # fmt: skip

    answers = [e.answer for e in asyncio.run(collect()) if e.answer is not None]
    assert answers[0].text.startswith("part.png: not accepted") and "SVG" in answers[0].text
    assert "H-310" in answers[-1].text and len(answers) == 2


def test_an_admins_document_is_added_and_searched_by_the_next_question(
    tmp_path: Path,
    corpus: Path,
    ingest_config: IngestConfig,
    embedder: SentenceEmbedder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from assistant.capabilities.base import Upload

    data_dir = tmp_path / "data"
    ingest([corpus], IngestConfig(**{**ingest_config.__dict__, "index_dir": data_dir / "index"}),
           embedder)  # fmt: skip
    for name, value in {"PLANT_DATA_DIR": str(data_dir), "PLANT_CHUNK_SIZE": "400",
                        "PLANT_CHUNK_OVERLAP": "50"}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    monkeypatch.setattr(chat_service, "_router", None)
    manual = tmp_path / "upload-7f3a"  # Chainlit keeps uploads under names of its own
    manual.write_text(
        "# Chiller CH-9 manual\n\n## Alarms\n\nAlarm Q-77 means the chiller condenser fan "
        "failed: stop the chiller and call maintenance on extension 4411.\n",
        encoding="utf-8",
    )

    async def reply(question: str, uploads: list[Upload], admin: bool) -> list[ChainEvent]:
        return [e async for e in chat_service.answer_events(
            question, [], uploads=uploads, can_add_documents=admin)]  # fmt: skip

    try:
        before = asyncio.run(reply("what does alarm Q-77 on the chiller mean", [], False))
        upload = [Upload(manual, "CH-9 manual.md")]
        refused = asyncio.run(reply("", upload, False))
        added = asyncio.run(reply("", upload, True))
        after = asyncio.run(reply("what does alarm Q-77 on the chiller mean", [], False))
    finally:
        get_settings.cache_clear()
    assert before[-1].answer is not None and before[-1].answer.abstained
    assert refused[-1].answer is not None and "admin" in refused[-1].answer.text
    final = added[-1].answer
    assert final is not None and final.text.startswith("CH-9 manual.md is added")
    assert (data_dir / "documents" / "CH-9 manual.md").is_file()
    answer = after[-1].answer
    assert answer is not None and not answer.abstained and "4411" in answer.text
    assert answer.citations[0].source.endswith("CH-9 manual.md")


def test_a_stopped_reply_stops_its_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stop in the chat cancels the reply's task: its generator is closed where it waits, so
    no more tokens are generated for nobody."""
    import threading

    from assistant.answering.chain import ChainEvent

    closed, made = threading.Event(), []

    def tokens() -> Iterator[ChainEvent]:
        try:
            for i in range(1000):
                made.append(i)
                yield ChainEvent("token", token=f"t{i} ")
        finally:
            closed.set()

    async def stop_after_two() -> list[str]:
        got = []
        replies = chat_service._replies(tokens, "q")
        async for event in replies:
            got.append(event.token)
            if len(got) == 2:
                break
        await replies.aclose()  # type: ignore[attr-defined]  # what cancelling the task does
        return got

    assert asyncio.run(stop_after_two()) == ["t0 ", "t1 "]
    assert closed.wait(timeout=10)
    assert len(made) <= 3  # nothing generated after the stop but the step under way
