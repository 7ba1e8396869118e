"""The RAG chain — the one place it is assembled: condense, retrieve, prompt, generate, ground."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from langchain_core.language_models import BaseChatModel
from langchain_core.prompts import ChatPromptTemplate

from assistant.answerability import DEFAULT_MODEL_PATH, AnswerabilityModel, signals
from assistant.answers import Answer, Citation, Timings
from assistant.extractive import ExtractiveAnswerer
from assistant.grounding import (
    cited_numbers,
    drop_unsupported_sentences,
    should_abstain,
    strip_invalid_citations,
)
from retrieval.errors import PlantError
from retrieval.search import Searcher, SearchFilter

if TYPE_CHECKING:
    from assistant.settings import Settings

log = logging.getLogger(__name__)

NOT_FOUND = "NOT IN DOCUMENTS"
ABSTAIN_TEXT = (
    "I could not find this in the plant documents, so I will not guess. "
    "The closest passages are listed below; for anything safety-related ask your shift leader."
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_FOLLOW_UP = re.compile(
    r"^(and|or|but|also|what about|how about)\b|\b(it|its|that one|those|these|they|them|same)\b",
    re.I,
)

ANSWER_PROMPT = ChatPromptTemplate.from_messages(
    [
        (
            "system",
            "You are Plant Assistant at the Kestrel Fluid Components Brackwater plant. Answer the "
            "question using only the numbered sources. End every sentence with the number of its "
            "source in square brackets, like [2]. Keep numbers, codes and part numbers exactly as "
            "written. Quote safety steps word for word. If the sources do not answer the question, "
            f"reply exactly: {NOT_FOUND}",
        ),
        ("human", "Sources:\n{context}\n\nQuestion: {question}"),
    ]
)
REPLY_PROMPT = ChatPromptTemplate.from_messages(
    [
        (
            "system",
            "You are a customer service agent at Kestrel Fluid Components. Draft a short, polite "
            "reply to the customer's message using only the numbered sources. End every sentence "
            "that states a fact with the number of its source in square brackets, like [2]. Keep "
            "numbers, part numbers and deadlines exactly as written. If the sources do not cover "
            f"the request, reply exactly: {NOT_FOUND}",
        ),
        ("human", "Sources:\n{context}\n\nCustomer message: {question}"),
    ]
)
REPLY_OPENING = (
    "Draft reply — check it before sending:\n\nDear customer,\n\nThank you for your message."
)
REPLY_CLOSING = "\n\nKind regards,\nCustomer Service, Kestrel Fluid Components"
CONDENSE_PROMPT = ChatPromptTemplate.from_messages(
    [
        (
            "system",
            "Rewrite the last question so it can be understood without the conversation. "
            "Reply with the question only.",
        ),
        ("human", "Conversation:\n{history}\n\nLast question: {question}"),
    ]
)

History = Sequence[tuple[Literal["user", "assistant"], str]]


@dataclass
class ChainEvent:
    """What the chain streams: the sources first, then tokens, then the final answer."""

    kind: Literal["sources", "token", "answer"]
    citations: list[Citation] = field(default_factory=list)
    token: str = ""
    answer: Answer | None = None


@dataclass
class RagChain:
    """Answers questions from the plant documents; `chat_model=None` is the extractive backend.

    Example:
        >>> chain = RagChain(searcher, chat_model=None, abstain_threshold=0.35)  # doctest: +SKIP
        >>> chain.invoke("what does alarm E-114 mean?").text  # doctest: +SKIP
        'E-114 | Coolant level low | ... [1]'
    """

    searcher: Searcher
    chat_model: BaseChatModel | None = None
    backend: str = "extractive"
    answer_k: int = 4
    abstain_threshold: float = 0.35
    max_question_chars: int = 2000
    notice: str | None = None  # shown with every answer, e.g. a backend fallback
    # decides abstention when present; without it a dense-score threshold does
    answerability: AnswerabilityModel | None = None
    search_filter: SearchFilter | None = None  # e.g. only onboarding or customer documents
    style: Literal["answer", "reply"] = "answer"  # "reply": a draft for a customer
    extractive: ExtractiveAnswerer = field(init=False)

    def __post_init__(self) -> None:
        self.extractive = ExtractiveAnswerer(self.searcher.embedder)

    # ------------------------------------------------------------------ public API
    def invoke(self, question: str, history: History = ()) -> Answer:
        answer = None
        for event in self.stream(question, history):
            if event.kind == "answer":
                answer = event.answer
        assert answer is not None
        return answer

    def stream(self, question: str, history: History = ()) -> Iterator[ChainEvent]:
        started = time.perf_counter()
        question, notice = self._clean(question)
        standalone = self.standalone_question(question, history)
        citations, best = self.retrieve(standalone)
        timings = Timings(retrieval=time.perf_counter() - started)
        yield ChainEvent("sources", citations=citations)

        base: dict[str, Any] = {
            "question": question,
            "standalone_question": standalone,
            "backend": self.backend,
            "notice": notice or self.notice,
            "retrieval_score": best,
        }
        unknown = self.unknown_subject(standalone)
        if unknown:
            base["notice"] = unknown
        reason = None
        if self.answerability is not None and citations:
            measured = signals(self.searcher, standalone, citations[: self.answer_k], best)
            probability = self.answerability.probability(measured)
            base["unanswerable_probability"] = probability
            if probability >= self.answerability.threshold:
                reason = "not_answerable"
        elif should_abstain(best, self.abstain_threshold):
            reason = "low_similarity"
        if not citations:
            reason = "no_sources"
        elif unknown:
            reason = "unknown_subject"
        if reason is not None:
            timings.total = time.perf_counter() - started
            yield ChainEvent(
                "answer",
                answer=Answer(
                    **base,
                    text=ABSTAIN_TEXT,
                    citations=citations[:3],
                    abstained=True,
                    abstain_reason=reason,
                    timings=timings,
                ),
            )
            return

        passages = {c.n: c.text for c in citations}
        text, abstained = "", False
        if self.chat_model is None:
            text = self.extractive.answer(standalone, passages)
            timings.first_token = time.perf_counter() - started
            yield ChainEvent("token", token=text)
        else:
            try:
                pieces = []
                for piece in self._generate(standalone, citations):
                    if timings.first_token is None:
                        timings.first_token = time.perf_counter() - started
                    pieces.append(piece)
                    yield ChainEvent("token", token=piece)
                text, abstained = self._ground("".join(pieces), passages)
            except Exception as exc:  # a backend that is down must not take the answer down
                log.warning("%s backend failed: %s", self.backend, exc, exc_info=True)
                base["notice"] = (
                    f"The {self.backend} language model is not available "
                    f"({type(exc).__name__}); here are the relevant passages."
                )
                text = self.extractive.answer(standalone, passages)
                yield ChainEvent("token", token=text)
            if not abstained and not cited_numbers(text):
                base["notice"] = base["notice"] or (
                    "The generated answer could not be tied to the sources; "
                    "here are the relevant passages instead."
                )
                text = self.extractive.answer(standalone, passages)
        if abstained:
            text = ABSTAIN_TEXT
        elif self.style == "reply":
            text = f"{REPLY_OPENING}\n\n{text}{REPLY_CLOSING}"
        elif citations[0].doc_type == "safety" and self.chat_model is not None:
            text += self._safety_quote(citations[0])
        shown = citations if not abstained else citations[:3]
        timings.generation = time.perf_counter() - started - timings.retrieval
        timings.total = time.perf_counter() - started
        yield ChainEvent(
            "answer",
            answer=Answer(
                **base,
                text=text,
                citations=shown,
                abstained=abstained,
                abstain_reason="generator" if abstained else None,
                timings=timings,
            ),
        )

    # ------------------------------------------------------------------ steps
    def _clean(self, question: str) -> tuple[str, str | None]:
        question = " ".join(_CONTROL.sub(" ", question).split())
        if not question:
            raise PlantError("Please type a question.")
        if len(question) > self.max_question_chars:
            return (
                question[: self.max_question_chars],
                f"Your message was long, so only its first {self.max_question_chars} "
                "characters were used.",
            )
        return question, None

    def unknown_subject(self, question: str) -> str | None:
        """Why the documents cannot be about this question, or None.

        A code the documents never mention (a product, part or alarm such as "KV-25"), or a
        question most of whose content words appear nowhere in them, cannot be answered from
        them however similar the closest passage looks.
        """
        codes, words, n_content = self.searcher.bm25.unknown_terms(question)
        if codes:
            return f"The plant documents do not mention {', '.join(codes)}."
        if len(words) >= 2 and len(words) >= 0.5 * n_content:
            return "Most of the words in this question appear nowhere in the plant documents."
        return None

    def standalone_question(self, question: str, history: History) -> str:
        """Make a follow-up ("and on the lathe?") answerable without the conversation."""
        previous = [text for role, text in history if role == "user"]
        if not previous or not self._looks_like_follow_up(question):
            return question
        if self.chat_model is not None:
            try:
                lines = "\n".join(f"{role}: {text}" for role, text in history[-6:])
                message = (CONDENSE_PROMPT | self.chat_model).invoke(
                    {"history": lines, "question": question}
                )
                rewritten = str(message.content).strip()
                if rewritten:
                    return rewritten[: self.max_question_chars]
            except Exception as exc:
                log.warning("condensing failed, using the raw question: %s", exc)
        return f"{previous[-1]} {question}"

    @staticmethod
    def _looks_like_follow_up(question: str) -> bool:
        return len(question.split()) <= 3 or bool(_FOLLOW_UP.search(question))

    def retrieve(self, question: str) -> tuple[list[Citation], float | None]:
        hits = self.searcher.search(
            question, mode="hybrid", k=self.answer_k, search_filter=self.search_filter
        )
        dense = self.searcher.search(question, mode="dense", k=1, search_filter=self.search_filter)
        best = dense[0].score if dense else None
        citations = [
            Citation(
                n=i,
                source=h.chunk.source,
                title=h.chunk.title,
                section=h.chunk.section,
                page=h.chunk.page,
                text=h.chunk.text,
                score=h.score,
                chunk_id=h.chunk.chunk_id,
                doc_type=h.chunk.doc_type,
            )
            for i, h in enumerate(hits, start=1)
        ]
        return citations, best

    def _generate(self, question: str, citations: list[Citation]) -> Iterator[str]:
        assert self.chat_model is not None
        context = "\n\n".join(
            f"[{c.n}] {c.title} > {c.section}"
            + (f" (page {c.page})" if c.page else "")
            + f"\n{c.text}"
            for c in citations
        )
        prompt = REPLY_PROMPT if self.style == "reply" else ANSWER_PROMPT
        chain: Any = prompt | self.chat_model
        for chunk in chain.stream({"context": context, "question": question}):
            if chunk.content:
                yield str(chunk.content)

    @staticmethod
    def _ground(text: str, passages: dict[int, str]) -> tuple[str, bool]:
        if NOT_FOUND.lower() in text.lower():
            return "", True
        text = strip_invalid_citations(text, set(passages))
        text, dropped = drop_unsupported_sentences(text, passages)
        if dropped:
            log.info("dropped %d sentence(s) with numbers not found in the sources", dropped)
        return text, False

    @staticmethod
    def _safety_quote(citation: Citation) -> str:
        quoted = "\n".join(f"> {line}" for line in citation.text.splitlines() if line.strip())
        return (
            f"\n\nFrom {citation.title} ({citation.section}), word for word "
            f"[{citation.n}]:\n{quoted}"
        )


def make_chain(
    settings: Settings, *, backend: str | None = None, searcher: Searcher | None = None
) -> RagChain:
    """Assemble the chain for `backend` (default: settings); a backend that cannot start
    falls back to extractive answers, and every answer then says so."""
    from assistant.llm import BackendUnavailable, make_chat_model
    from retrieval.retriever import make_searcher

    chosen = backend or settings.llm_backend
    notice = None
    try:
        chat_model = make_chat_model(settings, chosen)
    except BackendUnavailable as exc:
        if chosen not in ("embedded", "openai"):
            raise
        log.warning("backend %s unavailable: %s", chosen, exc)
        notice = f"The {chosen} backend is not available ({exc}) Showing extractive answers."
        chat_model, chosen = None, "extractive"
    return RagChain(
        searcher=searcher or make_searcher(settings),
        chat_model=chat_model,
        backend=chosen,
        answer_k=settings.answer_k,
        abstain_threshold=settings.abstain_threshold,
        max_question_chars=settings.max_question_chars,
        notice=notice,
        answerability=load_answerability(settings),
    )


def load_answerability(settings: Settings) -> AnswerabilityModel | None:
    """The model `plant calibrate` fitted for this index, else the one shipped with the code;
    None (a plain similarity threshold) when abstention is set to use the threshold."""
    if settings.abstention == "threshold":
        return None
    fitted = settings.answerability_path
    path = fitted if fitted.exists() else DEFAULT_MODEL_PATH
    try:
        return AnswerabilityModel.load(path)
    except (OSError, ValueError) as exc:
        log.warning("answerability model %s unusable (%s); using the score threshold", path, exc)
        return None
