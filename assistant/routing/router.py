"""The conversation router: classify a message, then dispatch it to the capability of its
intent — or to the documents when that capability cannot act on it."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from assistant.answering.answers import Answer
from assistant.answering.chain import ChainEvent, History, RagChain
from assistant.answering.follow_up import looks_like_follow_up
from assistant.capabilities.base import Capability, Request, Upload, answer_event
from assistant.capabilities.documents.handler import Documents
from assistant.settings import setting_default
from tools.common.errors import ModelMissing, PlantError
from tools.common.intents import INTENTS

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from assistant.profiles import Profile
    from assistant.routing.classifier import IntentClassifier

log = logging.getLogger(__name__)

# How the assistant names each intent when it asks which one was meant.
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

NOT_TASKS = {"smalltalk", "out_of_scope"}  # a greeting or a refusal is no topic to follow up
NOT_READY = (
    "The analytics tool for this is not available yet; here is what the plant documents say."
)
DOCUMENTS_ONLY = "Until then every message is answered from the plant documents."


@dataclass
class Router:
    """Routes each message by its intent; unsure predictions become a clarifying question.

    Example:
        >>> tools = make_capabilities(chain, engine=engine, chart_dir=charts)  # doctest: +SKIP
        >>> router = Router(chain, classifier, capabilities=tools)  # doctest: +SKIP
        >>> router.answer("is OD-12 in control?").intent  # doctest: +SKIP
        'spc_analysis'
    """

    chain: RagChain
    classifier: IntentClassifier | None = None
    # used while `classifier` is None: the trained classifier, or `ModelMissing` saying when
    # it will be ready (a model trained after the router was built is picked up)
    load_classifier: Callable[[], IntentClassifier] | None = None
    threshold: float = setting_default("intent_confidence_threshold")
    engine: Engine | None = None  # where messages are stored for later corrections
    capabilities: dict[str, Capability] = field(default_factory=dict)
    # of a message kept in the database
    max_stored_chars: int = setting_default("max_stored_message_chars")
    follow_up_switch: float = setting_default("follow_up_switch_confidence")

    def __post_init__(self) -> None:
        if not self.capabilities:
            from assistant.capabilities.registry import make_capabilities

            self.capabilities = make_capabilities(self.chain, engine=self.engine)

    def answer(
        self, message: str, history: History = (), *, intent: str | None = None,
        user: str | None = None, previous_intent: str | None = None,
        profile: Profile | None = None,
    ) -> Answer:  # fmt: skip
        final = None
        events = self.stream(message, history, intent=intent, user=user,
                             previous_intent=previous_intent, profile=profile)  # fmt: skip
        for event in events:
            if event.kind == "answer":
                final = event.answer
        assert final is not None
        return final

    def accepts(self, upload: Upload) -> bool:
        """Whether some capability takes this file."""
        return any(c.accepts(upload) for c in self.capabilities.values())

    def stream(
        self,
        message: str,
        history: History = (),
        *,
        intent: str | None = None,
        user: str | None = None,
        uploads: Sequence[Upload] = (),
        previous_intent: str | None = None,
        profile: Profile | None = None,
    ) -> Iterator[ChainEvent]:
        """Events of the chosen capability; the final answer carries the intent and message id.

        `intent` skips classification (a clarifying button, or a correction, was clicked);
        `uploads` go to the capability that accepts them, with the message as their caption;
        `previous_intent` (the last turn's) is kept by a follow-up that does not clearly ask
        for something else; `profile` (the chat profile) gives the documents to search first
        and the answer style.
        """
        audience, style = (profile.audience, profile.style) if profile else ((), None)
        if uploads:
            upload = Request(message, history, user, uploads=tuple(uploads), audience=audience)
            yield from self._upload(upload)
            return
        confidence: float | None = 1.0
        options: list[str] = []
        notice = None
        if intent is None:
            classifier, notice = self._classifier()
            intent, confidence, options = self._classify(classifier, message, previous_intent)
        elif intent not in INTENTS:
            raise ValueError(f"no handler for intent '{intent}'")
        message_id = self._store(message, intent, confidence, user)
        request = Request(message, history, user, intent=intent, audience=audience, style=style)
        events = self._clarify(request, options) if options else self._dispatch(request)
        for event in events:
            if notice and event.kind == "answer" and event.answer is not None:
                event.answer.notice = " ".join(filter(None, (notice, event.answer.notice)))
            yield _stamp(event, intent, confidence, message_id, options)

    def _classifier(self) -> tuple[IntentClassifier | None, str | None]:
        """The classifier, or None with a notice saying why and when it will be ready."""
        if self.classifier is not None or self.load_classifier is None:
            return self.classifier, None
        try:
            return self.load_classifier(), None
        except ModelMissing as exc:
            return None, f"{exc} {DOCUMENTS_ONLY}"

    def _dispatch(self, request: Request) -> Iterator[ChainEvent]:
        capability = self.capabilities.get(request.intent)
        if capability is not None and capability.can_handle(request):
            try:
                yield from capability.handle(request)
            except PlantError as exc:
                if isinstance(capability, Documents):
                    raise  # "Please type a question.": nothing was asked
                # a tool's "No machine 'Q7-77'" is the answer to this message, correctable
                yield answer_event(request, str(exc), "error")
            return
        notice = NOT_READY if capability is None else capability.handoff(request)
        for event in self.capabilities["manual_question"].handle(request):
            if notice and event.kind == "answer" and event.answer is not None:
                event.answer.notice = notice
            yield event

    def _upload(self, request: Request) -> Iterator[ChainEvent]:
        upload = request.uploads[0]
        for intent, capability in self.capabilities.items():
            if capability.accepts(upload):
                for event in capability.handle(request):
                    yield _stamp(event, intent, None, None, [])
                return
        raise ValueError(f"no capability takes {upload.name}")

    @staticmethod
    def _clarify(request: Request, options: list[str]) -> Iterator[ChainEvent]:
        text = (
            "I am not sure what you need. Do you want me to "
            + " or ".join(INTENT_PHRASES.get(o, o) for o in options)
            + "?"
        )
        yield answer_event(request, text, "router")

    def _classify(
        self, classifier: IntentClassifier | None, message: str, previous: str | None = None
    ) -> tuple[str, float | None, list[str]]:
        if classifier is None:
            return "manual_question", None, []
        prediction = classifier.classify(message)
        if (
            previous in INTENTS
            and {previous, prediction.intent}.isdisjoint(NOT_TASKS)
            and previous != prediction.intent
            and prediction.confidence < self.follow_up_switch
            and looks_like_follow_up(message)
        ):  # "and on the lathe?" after an alarm question stays with the documents
            assert previous is not None
            return previous, dict(prediction.top).get(previous), []
        if prediction.confidence < self.threshold and prediction.reason is None:
            return prediction.intent, prediction.confidence, [lb for lb, _ in prediction.top[:2]]
        return prediction.intent, prediction.confidence, []

    def _store(
        self, message: str, intent: str, confidence: float | None, user: str | None
    ) -> str | None:
        if self.engine is None:
            return None
        from sqlmodel import Session

        from assistant.persistence.messages import record_message

        try:
            with Session(self.engine) as session:
                stored = record_message(
                    session,
                    text=message[: self.max_stored_chars],
                    intent=intent,
                    confidence=confidence,
                    user=user,
                )
                return stored.id
        except Exception as exc:  # a database hiccup must not cost the user the answer
            log.warning("could not store the message: %s", exc)
            return None


def _stamp(
    event: ChainEvent,
    intent: str,
    confidence: float | None,
    message_id: str | None,
    options: list[str],
) -> ChainEvent:
    if event.kind == "answer" and event.answer is not None:
        event.answer.intent = intent
        event.answer.intent_confidence = confidence
        event.answer.message_id = message_id
        event.answer.clarify_options = options
    return event
