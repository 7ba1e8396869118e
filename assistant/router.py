"""The conversation router: classify a message, then hand it to the handler of its intent."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.answers import Answer, Citation
from assistant.chain import ChainEvent, History, RagChain
from finetune.intent import LABELS
from retrieval.search import Searcher, SearchFilter

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from assistant.intent import IntentClassifier
    from assistant.settings import Settings

log = logging.getLogger(__name__)

INTENTS = LABELS
# How the assistant names each capability when it asks which one was meant.
INTENT_PHRASES = {
    "manual_question": "look it up in the plant documents",
    "defect_inspection": "inspect a part photo for defects",
    "failure_risk": "estimate a machine's failure risk",
    "spc_analysis": "check a process with SPC",
    "ticket_reply": "draft a reply to a customer",
    "onboarding": "answer a question about starting here",
    "smalltalk": "just chat",
    "out_of_scope": "something outside the plant",
}
CAPABILITIES = (
    "I can answer questions from the plant's manuals and procedures (alarms, maintenance, "
    "quality, safety), help new staff with starting here, and draft replies to customers from "
    "our customer-service documents, and check whether a process is in control (try: is OD-12 "
    "in control?), and estimate which machines are likely to fail (try: which machines are at "
    "highest risk?), and inspect a photo of a part for defects (attach it to your message)."
)

Handler = Callable[["Router", str, History], Iterator[ChainEvent]]


def _rag(router: Router, question: str, history: History) -> Iterator[ChainEvent]:
    yield from router.chain.stream(question, history)


def _onboarding(router: Router, question: str, history: History) -> Iterator[ChainEvent]:
    chain = dataclasses.replace(router.chain, search_filter=SearchFilter(audience=["new_staff"]))
    yield from chain.stream(question, history)


def _ticket_reply(router: Router, question: str, history: History) -> Iterator[ChainEvent]:
    chain = dataclasses.replace(
        router.chain, search_filter=SearchFilter(audience=["customer_service"]), style="reply"
    )
    yield from chain.stream(question, history)


def _tool_not_ready(router: Router, question: str, history: History) -> Iterator[ChainEvent]:
    """Until the analytics tools land: say so, and answer from the documents meanwhile."""
    for event in router.chain.stream(question, history):
        if event.kind == "answer" and event.answer is not None:
            event.answer.notice = (
                "The analytics tool for this is not available yet; "
                "here is what the plant documents say."
            )
        yield event


REACTION_QUERY = "out-of-control reaction plan: what to do when a control chart signals"


def _spc(router: Router, question: str, history: History) -> Iterator[ChainEvent]:
    """The SPC tool: chart, verdict and capability; the reaction plan when it signals."""
    if router.engine is None or router.chart_dir is None:
        yield from _tool_not_ready(router, question, history)
        return
    from sqlmodel import Session, select

    from assistant.spc_records import Characteristic
    from assistant.spc_service import ensure_demo_data
    from assistant.spc_tool import read_request, run_spc
    from retrieval.errors import PlantError

    with Session(router.engine) as session:
        ensure_demo_data(session)
        known = list(session.exec(select(Characteristic.name)).all())
        request = read_request(question, known)
        try:
            found = run_spc(request, session, router.chart_dir)
        except PlantError as exc:
            text = f"{exc} Characteristics I know: {', '.join(sorted(known))}."
            yield ChainEvent("answer", answer=Answer(question=question, text=text, backend="spc"))
            return
    text = f"**{found.title}**\n\n{found.verdict}"
    citations: list[Citation] = []
    if not found.in_control:
        found_plan, _ = router.chain.retrieve(REACTION_QUERY)
        # only a passage of a reaction plan will do; a plant without one gets no quote
        citations = [c for c in found_plan if "reaction" in f"{c.title} {c.section}".lower()][:1]
        for number, citation in enumerate(citations, start=1):
            citation.n = number
        if citations:
            yield ChainEvent("sources", citations=citations)
            top = citations[0]  # a procedure: quoted whole, not summarised
            section = top.section.split(" > ")[-1]
            steps = whole_section(router.chain.searcher, top.chunk_id) or top.text
            text += f"\n\nWhat the reaction plan says ({section}) [1]:\n{steps}"
    answer = Answer(
        question=question,
        text=text,
        citations=citations,
        backend="spc",
        images=[found.image] if found.image else [],
        figures=[found.figure] if found.figure else [],
        tool_result=found.result,
    )
    yield ChainEvent("answer", answer=answer)


PHOTO_PROMPT = (
    "Attach a photo of the part (the paperclip next to the message box, PNG or JPEG) and I "
    "will check it for scratches, cracks, pits, stains and inclusions, grade it ok / minor / "
    "severe, show where the defect is, and quote what the defect catalogue says to do."
)


def _defect(router: Router, question: str, history: History) -> Iterator[ChainEvent]:
    """Inspection needs a photo: say how to send one, with what the catalogue says meanwhile."""
    for event in router.chain.stream(question, history):
        if event.kind == "answer" and event.answer is not None:
            event.answer.notice = PHOTO_PROMPT
        yield event


def _failure(router: Router, question: str, history: History) -> Iterator[ChainEvent]:
    """The failure-risk tool: one machine named in the message, else the fleet ranked."""
    if router.engine is None or router.failure_model_dir is None:
        yield from _tool_not_ready(router, question, history)
        return
    from sqlmodel import Session, select

    from assistant.failure_service import load_model
    from assistant.failure_tool import check, read_request
    from assistant.machine_records import Machine, seed_fleet
    from retrieval.errors import PlantError
    from tools.failure_model import FailureModelMissing

    try:
        model = load_model(router.failure_model_dir)
    except FailureModelMissing as exc:
        log.warning("%s", exc)
        yield from _tool_not_ready(router, question, history)
        return
    with Session(router.engine) as session:
        if not session.exec(select(Machine.machine_id)).first():
            seed_fleet(session)  # a fresh plant: the demo machines with a recent history
        known = list(session.exec(select(Machine.machine_id)).all())
        try:
            found = check(read_request(question, known), session, model, router.chain)
        except PlantError as exc:
            yield ChainEvent(
                "answer", answer=Answer(question=question, text=str(exc), backend="failure")
            )
            return
    top = found.machines[0]
    citations = [top.citation] if top.citation is not None else []
    if citations:
        yield ChainEvent("sources", citations=citations)
    answer = Answer(
        question=question,
        text=found.text,
        citations=citations,
        backend="failure",
        tool_result=found.model_dump(mode="json"),
    )
    yield ChainEvent("answer", answer=answer)


def whole_section(searcher: Searcher, chunk_id: str) -> str:
    """Every chunk of the section `chunk_id` belongs to, in order, overlaps removed: a
    procedure is quoted to its last step, not to a chunk boundary."""
    chunks = searcher.chunks
    hit = next((c for c in chunks if c.chunk_id == chunk_id), None)
    if hit is None:
        return ""
    lines: list[str] = []
    for chunk in chunks:
        if chunk.source == hit.source and chunk.heading_path == hit.heading_path:
            for line in chunk.text.splitlines():
                if line.strip() and not any(line in seen for seen in lines):
                    lines.append(line)
    return "\n".join(lines)


def _fixed_reply(text: str) -> Handler:
    def handler(router: Router, question: str, history: History) -> Iterator[ChainEvent]:
        yield ChainEvent("answer", answer=Answer(question=question, text=text, backend="router"))

    return handler


def default_handlers() -> dict[str, Handler]:
    """The registry: every intent to the handler that serves it."""
    return {
        "manual_question": _rag,
        "onboarding": _onboarding,
        "ticket_reply": _ticket_reply,
        "defect_inspection": _defect,
        "failure_risk": _failure,
        "spc_analysis": _spc,
        "smalltalk": _fixed_reply(f"Hello! {CAPABILITIES} What can I do for you?"),
        "out_of_scope": _fixed_reply(
            f"Sorry, that is outside what I can help with here. {CAPABILITIES}"
        ),
    }


@dataclass
class Router:
    """Routes each message by its intent; unsure predictions become a clarifying question.

    Example:
        >>> router = Router(chain, classifier, threshold=0.5)  # doctest: +SKIP
        >>> router.answer("is OD-12 in control?").intent  # doctest: +SKIP
        'spc_analysis'
    """

    chain: RagChain
    classifier: IntentClassifier | None = None
    threshold: float = 0.5
    engine: Engine | None = None  # where messages are stored for later corrections
    chart_dir: Path | None = None  # where tools write chart images
    failure_model_dir: Path | None = None  # the trained failure model
    handlers: dict[str, Handler] = field(default_factory=default_handlers)

    def answer(self, message: str, history: History = (), **kwargs: str | None) -> Answer:
        final = None
        for event in self.stream(message, history, **kwargs):
            if event.kind == "answer":
                final = event.answer
        assert final is not None
        return final

    def stream(
        self, message: str, history: History = (), *, intent: str | None = None,
        user: str | None = None,
    ) -> Iterator[ChainEvent]:  # fmt: skip
        """Events of the chosen handler; the final answer carries the intent and message id.

        `intent` skips classification (a clarifying button, or a correction, was clicked).
        """
        confidence: float | None = 1.0
        options: list[str] = []
        if intent is None:
            intent, confidence, options = self._classify(message)
        elif intent not in self.handlers:
            raise ValueError(f"no handler for intent '{intent}'")
        message_id = self._store(message, intent, confidence, user)
        if options:
            text = (
                "I am not sure what you need. Do you want me to "
                + " or ".join(INTENT_PHRASES.get(o, o) for o in options)
                + "?"
            )
            answer = Answer(question=message, text=text, backend="router")
            yield self._stamp(ChainEvent("answer", answer=answer), intent, confidence, message_id,
                              options)  # fmt: skip
            return
        for event in self.handlers[intent](self, message, history):
            yield self._stamp(event, intent, confidence, message_id, [])

    def _classify(self, message: str) -> tuple[str, float | None, list[str]]:
        if self.classifier is None:
            return "manual_question", None, []
        prediction = self.classifier.classify(message)
        if prediction.confidence < self.threshold and prediction.reason is None:
            return prediction.intent, prediction.confidence, [lb for lb, _ in prediction.top[:2]]
        return prediction.intent, prediction.confidence, []

    def _store(
        self, message: str, intent: str, confidence: float | None, user: str | None
    ) -> str | None:
        if self.engine is None:
            return None
        from sqlmodel import Session

        from assistant.records import record_message

        try:
            with Session(self.engine) as session:
                stored = record_message(
                    session, text=message[:20_000], intent=intent, confidence=confidence,
                    user=user,
                )  # fmt: skip
                return stored.id
        except Exception as exc:  # a database hiccup must not cost the user the answer
            log.warning("could not store the message: %s", exc)
            return None

    @staticmethod
    def _stamp(
        event: ChainEvent, intent: str, confidence: float | None, message_id: str | None,
        options: list[str],
    ) -> ChainEvent:  # fmt: skip
        if event.kind == "answer" and event.answer is not None:
            event.answer.intent = intent
            event.answer.intent_confidence = confidence
            event.answer.message_id = message_id
            event.answer.clarify_options = options
        return event


def make_router(settings: Settings, *, backend: str | None = None) -> Router:
    """The chain, the intent classifier (when trained) and the database, from settings."""
    from assistant.chain import make_chain
    from assistant.db import make_engine
    from assistant.intent import IntentClassifier, IntentModelMissing

    try:
        classifier = IntentClassifier.load(
            settings.intent_model_dir, threshold=settings.intent_confidence_threshold
        )
    except IntentModelMissing as exc:
        log.warning("%s Every message goes to the documents.", exc)
        classifier = None
    return Router(
        chain=make_chain(settings, backend=backend),
        classifier=classifier,
        threshold=settings.intent_confidence_threshold,
        engine=make_engine(settings.resolved_database_url),
        chart_dir=settings.data_dir / "charts",
        failure_model_dir=settings.failure_model_dir,
    )
