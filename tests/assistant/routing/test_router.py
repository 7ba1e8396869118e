"""The router over a real small index and a real SQLite file; the classifier is a stand-in
whose answer each test chooses, because routing, not classification, is under test here."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from assistant.answering.chain import RagChain
from assistant.persistence.db import make_engine
from assistant.persistence.messages import corrections_as_examples, record_correction
from assistant.routing.classifier import IntentPrediction
from assistant.routing.router import Router
from retrieval.embeddings import SentenceEmbedder
from retrieval.index_store import load_snapshot
from retrieval.ingest import IngestConfig, ingest
from retrieval.search import Searcher
from tests.conftest import search_config
from tools.common.errors import PlantError
from tools.common.intents import INTENTS


@dataclass
class FixedClassifier:
    intent: str
    confidence: float = 0.9
    runner_up: str = "manual_question"

    def classify(self, text: str) -> IntentPrediction:
        top = [(self.intent, self.confidence), (self.runner_up, 1 - self.confidence)]
        return IntentPrediction(text=text, intent=self.intent, confidence=self.confidence, top=top)


@pytest.fixture
def chain(corpus: Path, ingest_config: IngestConfig, embedder: SentenceEmbedder) -> RagChain:
    ingest([corpus], ingest_config, embedder)
    return RagChain(Searcher(load_snapshot(ingest_config.index_dir), embedder, search_config()))


@pytest.fixture
def router(chain: RagChain, database_url: str) -> Router:
    return Router(chain, engine=make_engine(database_url))


def test_documents_and_fixed_replies_are_always_there(router: Router) -> None:
    documents = {"manual_question", "onboarding", "ticket_reply", "smalltalk", "out_of_scope"}
    assert set(router.capabilities) == documents and documents < set(INTENTS)


def test_manual_questions_go_to_all_documents(router: Router) -> None:
    router.classifier = FixedClassifier("manual_question")  # type: ignore[assignment]
    answer = router.answer("what does press alarm H-310 mean")
    assert answer.intent == "manual_question" and answer.intent_confidence == 0.9
    assert answer.citations[0].source == "press.pdf" and "H-310" in answer.text


def test_onboarding_searches_only_documents_for_new_staff(router: Router) -> None:
    answer = router.answer("when is hot food served and what does it cost", intent="onboarding")
    assert answer.intent == "onboarding"
    assert answer.citations and {c.source for c in answer.citations} <= {"canteen.md", "ppe.html"}


def test_ticket_replies_are_drafts_from_customer_documents(router: Router) -> None:
    answer = router.answer("customer asks how long the warranty on valve bodies is",
                           intent="ticket_reply")  # fmt: skip
    assert {c.source for c in answer.citations} == {"warranty.docx"}
    assert answer.text.startswith("Draft reply") and "24 months" in answer.text
    assert answer.text.rstrip().endswith("Kestrel Fluid Components")


@pytest.mark.parametrize("intent", ["failure_risk", "spc_analysis", "defect_inspection"])
def test_analytics_intents_say_the_tool_is_not_there_yet(router: Router, intent: str) -> None:
    """Without a trained model or chart folder the tools fall back to the documents."""
    answer = router.answer("press alarm H-310", intent=intent)
    assert answer.notice and "not available yet" in answer.notice
    assert answer.intent == intent and answer.citations


def test_defect_questions_without_a_photo_ask_for_one(router: Router, tmp_path: Path) -> None:
    from assistant.capabilities.defects.handler import PHOTO_PROMPT, DefectCapability

    def untrained() -> Any:
        raise AssertionError("no photo: the model is not needed")

    router.capabilities["defect_inspection"] = DefectCapability(untrained, tmp_path, router.chain)
    answer = router.answer("press alarm H-310", intent="defect_inspection")
    assert answer.notice == PHOTO_PROMPT and answer.citations


def test_smalltalk_and_out_of_scope_get_fixed_replies(router: Router) -> None:
    hello = router.answer("hi", intent="smalltalk")
    refusal = router.answer("who won the cup", intent="out_of_scope")
    assert hello.text.startswith("Hello") and not hello.citations
    assert refusal.text.startswith("Sorry") and "manuals" in refusal.text
    assert not refusal.citations


def test_unsure_predictions_ask_between_the_top_two(router: Router) -> None:
    router.classifier = FixedClassifier("spc_analysis", 0.4, "manual_question")  # type: ignore[assignment]
    router.threshold = 0.5
    answer = router.answer("OD-12?")
    assert answer.clarify_options == ["spc_analysis", "manual_question"]
    assert "check a process with SPC" in answer.text and not answer.citations
    router.threshold = 0.3
    assert router.answer("OD-12?").clarify_options == []


def test_without_a_classifier_everything_goes_to_the_documents(router: Router) -> None:
    assert router.answer("press alarm H-310").intent == "manual_question"
    with pytest.raises(ValueError, match="no handler"):
        router.answer("x", intent="weather")


def test_messages_and_corrections_are_stored(router: Router) -> None:
    router.classifier = FixedClassifier("smalltalk")  # type: ignore[assignment]
    answer = router.answer("press alarm H-310 meaning", user="op-7")
    assert answer.message_id
    assert router.engine is not None
    with Session(router.engine) as session:
        first = record_correction(session, message_id=answer.message_id,
                                  label="onboarding", labels=INTENTS)  # fmt: skip
        assert first.predicted == "smalltalk" and first.text == "press alarm H-310 meaning"
        record_correction(session, message_id=answer.message_id, label="manual_question",
                          labels=INTENTS)  # fmt: skip
        # the latest correction of a message wins
        assert corrections_as_examples(session) == [
            {"text": "press alarm H-310 meaning", "label": "manual_question"}
        ]
        with pytest.raises(PlantError, match="Unknown intent 'weather'"):
            record_correction(session, message_id=answer.message_id, label="weather",
                              labels=INTENTS)  # fmt: skip
        with pytest.raises(PlantError, match="No stored message"):
            record_correction(session, message_id="nope", label="smalltalk", labels=INTENTS)


def test_whole_section_joins_a_sections_chunks_without_overlap(
    corpus: Path, ingest_config: IngestConfig, embedder: SentenceEmbedder
) -> None:
    from dataclasses import replace

    from assistant.capabilities.documents.lookup import whole_section

    small = replace(ingest_config, chunk_size=60, chunk_overlap=20)  # split every section
    ingest([corpus], small, embedder)
    searcher = Searcher(load_snapshot(small.index_dir), embedder, search_config())
    pieces = [c for c in searcher.chunks if c.heading_path[-1] == "Warranty periods"]
    assert len(pieces) > 1
    joined = whole_section(searcher, pieces[-1].chunk_id)
    assert "Valve bodies carry 24 months" in joined and "6 months" in joined
    assert len(joined.splitlines()) == len(set(joined.splitlines()))
    assert whole_section(searcher, "no-such-chunk") == ""


def test_a_follow_up_keeps_the_previous_intent_unless_clearly_another(router: Router) -> None:
    router.classifier = FixedClassifier("failure_risk", 0.6)  # type: ignore[assignment]
    follow_up = router.answer("and on the lathe?", previous_intent="manual_question")
    assert follow_up.intent == "manual_question" and follow_up.citations
    assert router.answer("and on the lathe?").intent == "failure_risk"  # no earlier turn
    new_topic = router.answer(
        "which machines are most likely to break down this week", previous_intent="onboarding"
    )
    assert new_topic.intent == "failure_risk"  # not a follow-up: classified on its own
    router.classifier = FixedClassifier("failure_risk", 0.95)  # type: ignore[assignment]
    sure = router.answer("and on the lathe?", previous_intent="manual_question")
    assert sure.intent == "failure_risk"  # clearly asks something else
    router.classifier = FixedClassifier("smalltalk", 0.6)  # type: ignore[assignment]
    assert router.answer("hi there", previous_intent="manual_question").intent == "smalltalk"
    router.classifier = FixedClassifier("manual_question", 0.6)  # type: ignore[assignment]
    after_refusal = router.answer("alarm E-141?", previous_intent="out_of_scope")
    assert after_refusal.intent == "manual_question"  # a refusal is no topic to follow


def test_a_scope_no_document_is_in_widens_to_all_documents(router: Router) -> None:
    from assistant.capabilities.base import Request
    from assistant.capabilities.documents.handler import Documents
    from retrieval.search import SearchFilter

    contractors = SearchFilter(audience=["contractor"])
    assert not router.chain.searcher.covers(contractors)
    assert router.chain.searcher.covers(SearchFilter(audience=["new_staff"]))
    events = list(Documents(router.chain, contractors).handle(Request("press alarm H-310")))
    answer = events[-1].answer
    assert answer is not None and not answer.abstained
    assert answer.citations[0].source == "press.pdf" and "H-310" in answer.text
    # a scope that has documents stays a scope
    onboarding = Documents(router.chain, SearchFilter(audience=["new_staff"]))
    scoped = list(onboarding.handle(Request("when is hot food served")))[-1].answer
    assert scoped is not None and {c.source for c in scoped.citations} <= {"canteen.md", "ppe.html"}


def test_a_scope_whose_documents_decline_asks_all_documents(router: Router) -> None:
    from assistant.capabilities.base import Request
    from assistant.capabilities.documents.handler import Documents
    from retrieval.search import SearchFilter

    onboarding = Documents(router.chain, SearchFilter(audience=["new_staff"]))
    scoped = dataclasses.replace(router.chain, search_filter=SearchFilter(audience=["new_staff"]))
    assert scoped.invoke("which grease goes on the press slide gibs").abstained
    events = list(onboarding.handle(Request("which grease goes on the press slide gibs")))
    answer = events[-1].answer
    assert answer is not None and not answer.abstained and "EP-2" in answer.text
    assert answer.citations[0].source == "press.pdf"
    assert [e.kind for e in events].count("sources") == 1  # the scoped decline is not shown


def test_a_profile_searches_its_documents_first_and_answers_in_its_style(router: Router) -> None:
    from assistant.profiles import profile_named

    router.classifier = FixedClassifier("manual_question")  # type: ignore[assignment]
    starter = profile_named("New starter", "trainee")
    answer = router.answer("when is hot food served", profile=starter)
    assert {c.source for c in answer.citations} <= {"canteen.md", "ppe.html"}
    service = profile_named("Customer service", "service")
    draft = router.answer("how long is the warranty on valve bodies", profile=service)
    assert draft.text.startswith("Draft reply") and "24 months" in draft.text
    # a question outside the profile's documents is still answered, from all of them
    outside = router.answer("what does press alarm H-310 mean", profile=starter)
    assert not outside.abstained and outside.citations[0].source == "press.pdf"


def test_until_the_intent_model_is_trained_the_documents_answer_and_say_so(
    router: Router,
) -> None:
    from assistant.routing.classifier import IntentModelMissing

    trained: list[FixedClassifier] = []

    def load() -> FixedClassifier:
        if not trained:
            raise IntentModelMissing(
                "Message routing is not ready yet: its model is training, about 1 minute left."
            )
        return trained[0]

    router.load_classifier = load  # type: ignore[assignment]
    waiting = router.answer("what does press alarm H-310 mean")
    assert waiting.intent == "manual_question" and waiting.citations
    assert waiting.notice and waiting.notice.startswith("Message routing is not ready yet")
    assert "answered from the plant documents" in waiting.notice
    trained.append(FixedClassifier("smalltalk"))  # the background trainer is done
    routed = router.answer("hello there")
    assert routed.intent == "smalltalk" and not routed.notice
