"""The RAG chain over a real small index, with LangChain's fake chat models as the LLM."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import (
    FakeListChatModel,
    GenericFakeChatModel,
)
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGenerationChunk

from assistant.chain import ABSTAIN_TEXT, History, RagChain, make_chain
from assistant.settings import Settings
from retrieval.embeddings import SentenceEmbedder
from retrieval.errors import PlantError
from retrieval.index_store import load_snapshot
from retrieval.ingest import IngestConfig, ingest
from retrieval.search import SearchConfig, Searcher


@pytest.fixture
def searcher(corpus: Path, ingest_config: IngestConfig, embedder: SentenceEmbedder) -> Searcher:
    ingest([corpus], ingest_config, embedder)
    return Searcher(load_snapshot(ingest_config.index_dir), embedder, SearchConfig())


def test_extractive_answer_quotes_and_cites(searcher: Searcher) -> None:
    answer = RagChain(searcher).invoke("what does press alarm H-310 mean?")
    assert not answer.abstained
    assert "H-310" in answer.text and "[1]" in answer.text
    assert answer.citations[0].source == "press.pdf" and answer.citations[0].page == 1
    assert answer.timings.total >= answer.timings.retrieval > 0


def test_sources_are_streamed_before_tokens(searcher: Searcher) -> None:
    model = GenericFakeChatModel(messages=iter([AIMessage(content="Let it cool down [1].")]))
    kinds = [e.kind for e in RagChain(searcher, model, "fake").stream("what does H-310 mean")]
    assert kinds[0] == "sources" and kinds[-1] == "answer" and "token" in kinds


def test_generated_answer_keeps_valid_citations_only(searcher: Searcher) -> None:
    model = FakeListChatModel(responses=["Stop and let the oil cool [1]. Call ext. 9999 [7]."])
    answer = RagChain(searcher, model, "fake").invoke("what does H-310 mean")
    assert "[7]" not in answer.text
    assert "9999" not in answer.text  # the number appears in no source
    assert answer.text.startswith("Stop and let the oil cool [1].")


def test_model_saying_not_in_documents_abstains(searcher: Searcher) -> None:
    model = FakeListChatModel(responses=["NOT IN DOCUMENTS"])
    answer = RagChain(searcher, model, "fake").invoke("what grease for the press gibs")
    assert answer.abstained and answer.text == ABSTAIN_TEXT
    assert answer.citations  # the closest sources are still shown


def test_off_topic_question_abstains_before_generation(searcher: Searcher) -> None:
    model = FakeListChatModel(responses=["should not be used"])
    answer = RagChain(searcher, model, "fake", abstain_threshold=0.35).invoke(
        "who won the football world cup in 1966"
    )
    assert answer.abstained and "should not" not in answer.text


def test_uncited_generation_falls_back_to_quotes(searcher: Searcher) -> None:
    model = FakeListChatModel(responses=["The press is a machine."])
    answer = RagChain(searcher, model, "fake").invoke("what does H-310 mean")
    assert "H-310" in answer.text and answer.notice and "could not be tied" in answer.notice


def test_backend_that_fails_mid_answer_falls_back(searcher: Searcher) -> None:
    class Down(FakeListChatModel):
        def _stream(self, *args: Any, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
            raise ConnectionError("connection refused")

    answer = RagChain(searcher, Down(responses=["x"]), "openai").invoke("what does H-310 mean")
    assert "H-310" in answer.text
    assert answer.notice and "openai language model is not available" in answer.notice


def test_follow_up_uses_the_conversation(searcher: Searcher) -> None:
    chain = RagChain(searcher)
    history: History = [
        ("user", "what does press alarm H-310 mean?"),
        ("assistant", "Oil too hot [1]."),
    ]
    assert chain.standalone_question("and H-320?", history).startswith("what does press alarm")
    assert chain.standalone_question("when is hot food served?", history) == (
        "when is hot food served?"
    )


@pytest.mark.parametrize("question", ["", "   ", "\x00\x07"])
def test_empty_questions_get_a_clear_message(searcher: Searcher, question: str) -> None:
    with pytest.raises(PlantError, match="Please type a question"):
        RagChain(searcher).invoke(question)


def test_huge_question_is_cut_with_a_notice(searcher: Searcher) -> None:
    answer = RagChain(searcher, max_question_chars=200).invoke("H-310 " * 10_000)
    assert answer.notice and "first 200 characters" in answer.notice


def test_misconfigured_backend_falls_back_with_a_notice(searcher: Searcher) -> None:
    chain = make_chain(Settings(openai_model=""), backend="openai", searcher=searcher)
    assert chain.backend == "extractive" and chain.notice and "PLANT_OPENAI_MODEL" in chain.notice
    assert chain.invoke("what does H-310 mean").notice == chain.notice
    with pytest.raises(PlantError, match="Unknown backend"):
        make_chain(Settings(), backend="gpt-9", searcher=searcher)


def test_question_about_an_unknown_code_abstains_and_says_why(searcher: Searcher) -> None:
    answer = RagChain(searcher).invoke("what does press alarm H-999 mean?")
    assert answer.abstained
    assert answer.notice == "The plant documents do not mention H-999."
    assert not RagChain(searcher).invoke("what does press alarm H-310 mean?").abstained
