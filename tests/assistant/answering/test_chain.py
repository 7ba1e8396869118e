"""The RAG chain over a real small index, with LangChain's fake chat models as the LLM."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from langchain_core.language_models.fake_chat_models import (
    FakeListChatModel,
    GenericFakeChatModel,
)
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGenerationChunk

from assistant.answering.answerability import DEFAULT_MODEL_PATH, AnswerabilityModel
from assistant.answering.chain import ABSTAIN_TEXT, History, RagChain
from assistant.answering.extractive import passage_units
from assistant.settings import Settings
from assistant.wiring import make_chain
from retrieval.embeddings import SentenceEmbedder
from retrieval.index_store import load_snapshot
from retrieval.ingest import IngestConfig, ingest
from retrieval.search import Searcher
from tests.conftest import search_config
from tools.common.errors import PlantError


@pytest.fixture
def searcher(corpus: Path, ingest_config: IngestConfig, embedder: SentenceEmbedder) -> Searcher:
    ingest([corpus], ingest_config, embedder)
    return Searcher(load_snapshot(ingest_config.index_dir), embedder, search_config())


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


def test_most_words_unknown_declines_unless_a_known_code_is_named(searcher: Searcher) -> None:
    chain = RagChain(searcher)
    assert chain.unknown_subject("guest wifi voucher kiosk") is not None
    # the same unknown words beside a code the documents mention: a question about them
    assert chain.unknown_subject("guest wifi voucher kiosk near H-310") is None


class RecordingEmbedder(SentenceEmbedder):
    """The real embedder's loaded model, noting every text it embeds into sentence vectors."""

    def __init__(self, real: SentenceEmbedder) -> None:
        super().__init__(real.model_name_or_path, device=real.device, batch_size=real.batch_size)
        self._model = real.model
        self.encoded: list[str] = []

    def encode(self, texts: list[str], *, show_progress: bool = False) -> np.ndarray:
        self.encoded.extend(texts)
        return super().encode(texts, show_progress=show_progress)


def _always_answers() -> AnswerabilityModel:
    # the shipped model with a threshold no probability reaches: the signals are measured
    # and the answer is still written, so both steps that embed sentences run
    return AnswerabilityModel.load(DEFAULT_MODEL_PATH).model_copy(update={"threshold": 1.0})


@pytest.mark.parametrize(
    "chat_model",
    [None, FakeListChatModel(responses=["The press is a machine."])],  # uncited: quotes
    ids=["extractive", "generated-then-quoted"],
)
def test_one_answer_embeds_the_query_and_each_sentence_once(
    searcher: Searcher, chat_model: FakeListChatModel | None
) -> None:
    recorder = RecordingEmbedder(searcher.embedder)
    recording = Searcher(searcher.snapshot, recorder, searcher.config)
    question = "what does press alarm H-310 mean?"
    answer = RagChain(recording, chat_model, answerability=_always_answers()).invoke(question)
    assert answer.unanswerable_probability is not None and "H-310" in answer.text
    assert recorder.encoded.count(question) == 1  # not once per search, signal and answer
    assert len(recorder.encoded) == len(set(recorder.encoded))
    units = {u for c in answer.citations for u in passage_units(c.text)}
    assert set(recorder.encoded) == {question, *units}
    # what the model reads in all: the query, each sentence, and the token vectors of the
    # question and the passages (answerability's word-by-word match)
    assert recorder.texts_embedded == 1 + len(units) + 1 + len(answer.citations)


def test_shared_vectors_do_not_change_the_answer(searcher: Searcher) -> None:
    question = "how often are the slide gibs greased"
    shared = RagChain(searcher, answerability=_always_answers()).invoke(question)
    found = RagChain(searcher).lookup(question)
    separately = RagChain(searcher).extractive.answer(question, found.passages)
    assert shared.text == separately and shared.citations == found.citations


def test_lookup_is_what_retrieve_returns(searcher: Searcher) -> None:
    chain = RagChain(searcher)
    before = searcher.embedder.texts_embedded
    found = chain.lookup("what does H-310 mean")
    assert searcher.embedder.texts_embedded - before == 1
    assert "what does H-310 mean" in found.vectors
    assert chain.retrieve("what does H-310 mean") == (found.citations, found.best_dense)
    dense = searcher.search("what does H-310 mean", mode="dense", k=1)
    assert found.best_dense == pytest.approx(dense[0].score, abs=1e-6)


def test_a_follow_up_with_odd_spacing_is_embedded_as_written(searcher: Searcher) -> None:
    # the search collapses whitespace; the sentences are scored against the question as
    # written, so that text gets its own vector rather than borrowing the query's
    recorder = RecordingEmbedder(searcher.embedder)
    chain = RagChain(Searcher(searcher.snapshot, recorder, searcher.config))
    history: History = [("user", "what does  press alarm H-310 mean?"), ("assistant", "x")]
    answer = chain.invoke("and H-320?", history)
    assert answer.standalone_question == "what does  press alarm H-310 mean? and H-320?"
    assert recorder.encoded.count("what does press alarm H-310 mean? and H-320?") == 1
    assert recorder.encoded.count(answer.standalone_question) == 1


MANUAL = """---
title: VMC-850 Operating Manual
---
# VMC-850 Operating Manual

## Technical data

The VMC-850 has travels of 850 x 500 x 510 mm and a spindle of 12,000 rpm with 15 kW.

## Alarms

| Code | Message | Action |
|---|---|---|
| E-114 | Coolant level low | Top up coolant |
| E-141 | Way lube pressure low | See troubleshooting T-4 |

## Troubleshooting

### T-3 Spindle too warm

Check the chiller.

### T-4 Way lube pressure low

1. Fill the way lube reservoir with Mobil Vactra 2.
2. Purge the metering unit until oil comes out at every point.
"""


@pytest.fixture
def manual_searcher(tmp_path: Path, embedder: SentenceEmbedder) -> Searcher:
    docs = tmp_path / "manual"
    docs.mkdir()
    (docs / "vmc.md").write_text(MANUAL)
    config = IngestConfig(tmp_path / "manual-index", "all-MiniLM-L6-v2", 400, 60)
    ingest([docs], config, embedder)
    return Searcher(load_snapshot(config.index_dir), embedder, search_config())


def test_a_pointer_in_the_quote_is_followed_to_its_steps(manual_searcher: Searcher) -> None:
    answer = RagChain(manual_searcher).invoke("the VMC shows alarm E-141, what do I do")
    assert not answer.abstained
    assert "| E-141 | Way lube pressure low | See troubleshooting T-4 [1] |" in answer.text
    assert "Mobil Vactra 2" in answer.text and "Purge the metering unit" in answer.text
    pointed = [c for c in answer.citations if c.section.endswith("T-4 Way lube pressure low")]
    assert len(pointed) == 1 and f"T-4 Way lube pressure low [{pointed[0].n}]:" in answer.text


def test_an_attribute_the_manual_does_not_state_is_declined_in_one_sentence(
    manual_searcher: Searcher,
) -> None:
    answer = RagChain(manual_searcher).invoke("how much does the VMC-850 weigh")
    assert answer.abstained and answer.abstain_reason == "attribute_missing"
    assert answer.text.startswith("The VMC-850 Operating Manual gives ")
    assert answer.text.endswith("but not the weight you asked for.")
    assert answer.citations and answer.citations[0].source == "vmc.md"
    assert answer.to_cli_json()["abstain_reason"] == "attribute_missing"
    stated = RagChain(manual_searcher).invoke("what power does the VMC-850 spindle have")
    assert not stated.abstained and "15 kW" in stated.text


def test_a_missing_attribute_declines_even_where_the_model_would_answer(
    manual_searcher: Searcher,
) -> None:
    from assistant.answering.answerability import AnswerabilityModel, AnswerabilitySignals

    names = AnswerabilitySignals.names()
    answers_all = AnswerabilityModel(
        features=names, coefficients=[0.0] * len(names), intercept=-20.0, threshold=0.5
    )
    chain = RagChain(manual_searcher, answerability=answers_all)
    missing = chain.invoke("how much does the VMC-850 weigh")
    assert missing.abstained and missing.abstain_reason == "attribute_missing"
    assert missing.unanswerable_probability is None  # the model was not asked
    stated = chain.invoke("what power does the VMC-850 spindle have")
    assert not stated.abstained and stated.unanswerable_probability == pytest.approx(0.0, abs=1e-6)


def test_citations_of_one_section_are_merged(manual_searcher: Searcher) -> None:
    answer = RagChain(manual_searcher).invoke("what are the alarm codes of the VMC-850")
    places = [(c.source, c.section) for c in answer.citations]
    assert len(places) == len(set(places))


HANDBOOK = """# Conductors

## Safe current ratings

The allowable current-carrying capacities of single copper conductors in free air at a room
temperature of 30 C are given in table 1-3. Above 30 C these conductors carry less current.

Table 1-3. Current-carrying capacities of single copper conductors, in amperes

| Size | Rubber insulation | PTFE insulation |
|---|---|---|
| 0000 | 300 A | 850 A |
| 000 | 260 A | 725 A |
| 00 | 225 A | 605 A |
| 0 | 195 A | 545 A |
| 1 | 165 A | 450 A |
| 2 | 140 A | 390 A |
| 4 | 105 A | 300 A |
| 6 | 80 A | 220 A |
| 8 | 55 A | 160 A |
| 10 | 40 A | 100 A |

## Insulation

Rubber insulation is cheap and flexible; PTFE insulation stands high temperatures.
"""


def test_the_table_a_passage_names_is_read_with_it(
    tmp_path: Path, embedder: SentenceEmbedder
) -> None:
    docs = tmp_path / "handbook"
    docs.mkdir()
    (docs / "conductors.md").write_text(HANDBOOK)
    config = IngestConfig(tmp_path / "handbook-index", "all-MiniLM-L6-v2", 400, 60)
    ingest([docs], config, embedder)
    searcher = Searcher(load_snapshot(config.index_dir), embedder, search_config())
    question = "what current can a size 0000 conductor carry in free air at room temperature"
    chain = RagChain(searcher, answer_k=1)  # the search alone reads only the prose
    found = chain.lookup(question)
    assert "given in table 1-3" in found.citations[0].text
    assert found.citations[-1].text.startswith("| Size |")  # the table it names, after it
    answer = chain.invoke(question)  # the prose, then the table's row the question names
    assert not answer.abstained
    header = "| Size | Rubber insulation | PTFE insulation |\n|---|---|---|\n"
    assert header + "| 0000 | 300 A | 850 A [1] |" in answer.text
