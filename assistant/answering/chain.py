"""The RAG chain — the one place it is assembled: condense, retrieve, prompt, generate, ground.

A question goes through small steps, each taking what the one before produced: `_clean`,
`standalone_question`, `lookup` (one `Retrieval`: passages, best dense score, the query's
vector), `_abstain_reason`, `_draft` (quote, or generate and ground), `_finish` (style,
safety quote, timings). The query and every candidate sentence are embedded once per question.

Everything a passage or a customer writes is data, never an instruction: passages lose the
text that addresses an AI assistant and their foreign links and images (`passage_guard`), the
prompt marks them as data (`prompts`), generated sentences are shown only once grounded
(`GroundedStream`), and every text the chain returns is safe Markdown (`safe_markdown`).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel

from assistant.answering.answerability import AnswerabilityModel, signals
from assistant.answering.answers import Answer, Citation, Timings
from assistant.answering.asked_value import answer_type_missing
from assistant.answering.composition import (
    append_named_table_row,
    append_pointed_sections,
    merge_citations,
    missing_attribute_text,
    safety_quote,
)
from assistant.answering.document_codes import CodeCatalogue
from assistant.answering.extractive import ExtractiveAnswerer, render
from assistant.answering.follow_up import looks_like_follow_up
from assistant.answering.grounded_stream import GroundedStream
from assistant.answering.grounding import MIN_SUPPORT, cited_numbers, should_abstain
from assistant.answering.line_cues import lists_asked_code, passages_sought
from assistant.answering.passage_guard import clean_passage, strip_instructions
from assistant.answering.procedure import complete_procedure
from assistant.answering.prompts import (
    ABSTAIN_TEXT,
    ANSWER_PROMPT,
    CONDENSE_PROMPT,
    GUARDED_NOTICE,
    NOT_FOUND,
    REPLY_CLOSING,
    REPLY_OPENING,
    REPLY_PROMPT,
    UNTIED_NOTICE,
    as_data,
    format_sources,
)
from assistant.answering.question_cues import subject_codes
from assistant.answering.retrieval_result import Retrieval, TextVectors, cleaned_citations
from assistant.answering.safe_markdown import safe_markdown
from assistant.settings import setting_default
from retrieval.search import Searcher, SearchFilter
from tools.common.errors import PlantError

__all__ = ["ABSTAIN_TEXT", "NOT_FOUND", "ChainEvent", "History", "RagChain"]

log = logging.getLogger(__name__)

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

_UNKNOWN_CODE = "The plant documents do not mention"

History = Sequence[tuple[Literal["user", "assistant"], str]]
AbstainReason = Literal[
    "unknown_subject", "not_answerable", "low_similarity", "no_sources", "attribute_missing"
]
Declined = AbstainReason | Literal["generator"]


@dataclass
class ChainEvent:
    """What the chain streams: the sources first, then tokens, then the final answer."""

    kind: Literal["sources", "token", "answer"]
    citations: list[Citation] = field(default_factory=list)
    token: str = ""
    answer: Answer | None = None


@dataclass
class _Turn:
    """One question on its way through the steps: what they read, and what they add."""

    started: float  # time.perf_counter() when the question arrived
    found: Retrieval
    fields: dict[str, Any]  # the Answer fields every outcome shares (question, notice, ...)
    timings: Timings

    def elapsed(self) -> float:
        return time.perf_counter() - self.started


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
    answer_k: int = setting_default("answer_k")
    abstain_threshold: float = setting_default("abstain_threshold")
    max_question_chars: int = setting_default("max_question_chars")
    # of the conversation, for condensing a follow-up
    history_messages: int = setting_default("history_messages")
    notice: str | None = None  # shown with every answer, e.g. a backend fallback
    # decides abstention when present; without it a dense-score threshold does
    answerability: AnswerabilityModel | None = None
    search_filter: SearchFilter | None = None  # e.g. only onboarding or customer documents
    style: Literal["answer", "reply"] = "answer"  # "reply": a draft for a customer
    # a generated sentence keeps at least this share of its content words in its sources
    min_support: float = MIN_SUPPORT
    extractive: ExtractiveAnswerer = field(init=False)
    codes: CodeCatalogue = field(init=False)  # the codes each document names

    def __post_init__(self) -> None:
        self.extractive = ExtractiveAnswerer(self.searcher.embedder)
        self.codes = CodeCatalogue(self.searcher.chunks)

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
        if self.style == "reply":  # the customer's request, without what it tells the assistant
            standalone = strip_instructions(standalone)[0] or standalone
        found = self.lookup(standalone)
        if found.guarded:
            guarded = GUARDED_NOTICE.format(sources=", ".join(found.guarded))
            notice = f"{notice} {guarded}" if notice else guarded
        turn = _Turn(
            started=started,
            found=found,
            fields={
                "question": question,
                "standalone_question": standalone,
                "backend": self.backend,
                "notice": " ".join(n for n in (notice, self.notice) if n) or None,
                "retrieval_score": found.best_dense,
            },
            timings=Timings(retrieval=time.perf_counter() - started),
        )
        yield ChainEvent("sources", citations=found.citations)
        reason = self._abstain_reason(turn)
        if reason is not None:
            turn.timings.total = turn.elapsed()
            closest = found.citations[:3]
            text = ABSTAIN_TEXT
            if reason == "attribute_missing":
                text = missing_attribute_text(found.question, closest)
            yield self._answer_event(turn, text, closest, abstained=True, reason=reason)
            return
        text, abstained = yield from self._draft(turn)
        yield self._finish(turn, text, abstained)

    def lookup(self, question: str) -> Retrieval:
        """The passages for `question` (a table one names after them; the line defining its
        term, or the row keyed by its code, first), the best dense score and the query's
        vector, from one embedding of the query. Each passage is cleaned (`clean_passage`)."""
        found = self.searcher.hybrid_search(
            question, k=self.answer_k, search_filter=self.search_filter
        )
        hits = self.searcher.with_named_tables(found.hits, question=question)
        for words, holds in passages_sought(question):  # a definition, a code's row first
            hits = self.searcher.with_passage_first(
                hits, words, holds, search_filter=self.search_filter
            )
        citations, guarded = cleaned_citations(hits)
        # keyed by the text as embedded: a question the search cut or re-spaced is another text
        vectors = TextVectors(self.searcher.embedder, {found.query: found.query_vector[0]})
        return Retrieval(question, citations, found.best_dense, vectors, guarded)

    def retrieve(self, query: str) -> tuple[list[Citation], float | None]:
        """The passages for `query` and the best dense score (see `lookup`)."""
        found = self.lookup(query)
        return found.citations, found.best_dense

    # ------------------------------------------------------------------ steps
    def declines(self, found: Retrieval) -> AbstainReason | None:
        """Why the question `found` was retrieved for gets no answer, or None: the decision
        `stream` makes, for callers that compose their own text (a ticket's reply draft)."""
        turn = _Turn(time.perf_counter(), found, fields={}, timings=Timings())
        return self._abstain_reason(turn)

    def _abstain_reason(self, turn: _Turn) -> AbstainReason | None:
        """Why this question gets no answer, or None; notes the probability and the notice.

        A code the documents never mention outranks everything. Passages that hold no value of
        the asked kind for the asked subject (`asked_value.py`, reading the codes each
        document names) decline next, as an `attribute_missing` decline said in one sentence.
        Then the answerability model and the unknown-words test.
        """
        found = turn.found
        unknown = self.unknown_subject(found.question)
        if not found.citations:
            reason: AbstainReason | None = "no_sources"
        elif unknown and unknown.startswith(_UNKNOWN_CODE):
            reason = "unknown_subject"
        else:
            missing = answer_type_missing(
                found.question,
                [f"{c.title} {c.section}\n{c.text}" for c in found.citations],
                self.codes.of([c.source for c in found.citations]),
            )
            if missing:
                reason = "attribute_missing"
            else:
                reason = "unknown_subject" if unknown else self._model_reason(turn)
        if unknown:
            turn.fields["notice"] = unknown
        return reason

    def _model_reason(self, turn: _Turn) -> AbstainReason | None:
        """The answerability model's decision (a similarity threshold without it), on the
        citations with a named table after them (`_abstain_reason` has declined already where
        the asked value is missing). A code the question names that a table of codes lists
        is answered however the question is worded (`line_cues.lists_asked_code`)."""
        found = turn.found
        if self.answerability is None:
            low = should_abstain(found.best_dense, self.abstain_threshold)
            return "low_similarity" if low else None
        found_ = (found.question, found.citations, found.best_dense)
        measured = signals(self.searcher, *found_, vectors=found.vectors, type_missing=False)
        probability = self.answerability.probability(measured)
        turn.fields["unanswerable_probability"] = probability
        listed = lists_asked_code(found.question, found.passages.values())
        declined = probability >= self.answerability.threshold and not listed
        return "not_answerable" if declined else None

    def _draft(self, turn: _Turn) -> Generator[ChainEvent, None, tuple[str, bool]]:
        """Stream the answer's text; returns it, and whether the generator declined."""
        if self.chat_model is None:
            text = self._quote(turn)
            turn.timings.first_token = turn.elapsed()
            yield ChainEvent("token", token=safe_markdown(text))
            return text, False
        text, abstained = yield from self._generate_grounded(turn)
        if not abstained and not cited_numbers(text):
            turn.fields["notice"] = turn.fields["notice"] or UNTIED_NOTICE
            text = self._quote(turn)
        return text, abstained

    def _generate_grounded(self, turn: _Turn) -> Generator[ChainEvent, None, tuple[str, bool]]:
        """Generate with the chat model and stream each sentence once it is grounded (so
        `first_token` is when the first grounded sentence is shown); quotes if the backend
        fails."""
        gate = GroundedStream(turn.found.passages, self.min_support)
        try:
            for shown in gate.run(self._generate(turn.found.question, turn.found.citations)):
                if turn.timings.first_token is None:
                    turn.timings.first_token = turn.elapsed()
                yield ChainEvent("token", token=shown)
            if gate.dropped:
                log.info("dropped %d unsupported sentence(s)", gate.dropped)
            return ("", True) if gate.declined else (gate.text, False)
        except Exception as exc:  # a backend that is down must not take the answer down
            log.warning("%s backend failed: %s", self.backend, exc, exc_info=True)
            turn.fields["notice"] = (
                f"The {self.backend} language model is not available "
                f"({type(exc).__name__}); here are the relevant passages."
            )
            text = self._quote(turn)
            yield ChainEvent("token", token=safe_markdown(text))
            return text, False

    def _quote(self, turn: _Turn) -> str:
        """Quote the best lines (each read under its section's heading), then the section a
        quoted "see T-4" points to."""
        found = turn.found
        headings = {c.n: c.heading for c in found.citations}
        quotes = self.extractive.quotes(found.question, found.passages, found.vectors, headings)
        text = render(quotes, found.passages)
        text = append_named_table_row(text, found.question, quotes, found.citations)
        text = complete_procedure(text, found, quotes, self.searcher.section_of)
        return append_pointed_sections(text, quotes, found.citations, self.searcher.chunks)

    def _finish(self, turn: _Turn, text: str, abstained: bool) -> ChainEvent:
        """Style the text (reply letter, safety quote) and close the timings."""
        citations = turn.found.citations
        if abstained:
            text = ABSTAIN_TEXT
        elif self.style == "reply":
            text = f"{REPLY_OPENING}\n\n{text}{REPLY_CLOSING}"
        elif citations[0].doc_type == "safety" and self.chat_model is not None:
            text += safety_quote(citations[0])
        shown = citations if not abstained else citations[:3]
        turn.timings.generation = turn.elapsed() - turn.timings.retrieval
        turn.timings.total = turn.elapsed()
        reason: Declined | None = "generator" if abstained else None
        return self._answer_event(turn, text, shown, abstained=abstained, reason=reason)

    @staticmethod
    def _answer_event(
        turn: _Turn,
        text: str,
        citations: list[Citation],
        *,
        abstained: bool,
        reason: Declined | None,
    ) -> ChainEvent:
        text, citations = merge_citations(text, citations)
        safe = [  # passages a composition step added come straight from the index
            c.model_copy(update={"text": clean_passage(c.text)[0]}) for c in citations
        ]
        fields = dict(turn.fields)
        if fields.get("notice"):
            fields["notice"] = safe_markdown(fields["notice"])
        answer = Answer(
            **fields,
            text=safe_markdown(text),
            citations=safe,
            abstained=abstained,
            abstain_reason=reason,
            timings=turn.timings,
        )
        return ChainEvent("answer", answer=answer)

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
        them however similar the closest passage looks. A question naming a code the
        documents do mention ("lift the RB3-730ES onto a bench: what does it weigh") is about
        them, however many of its other words they never use.
        """
        codes, words, n_content = self.searcher.bm25.unknown_terms(question)
        if codes:
            return f"{_UNKNOWN_CODE} {', '.join(codes)}."
        # most words by count and by how specific they are: a small corpus lacks many
        # everyday words ("put", "most"), and a long question many of its specific ones
        most = len(words) >= 0.5 * n_content and self.searcher.bm25.unknown_share(question) >= 0.5
        if len(words) >= 2 and most and not subject_codes(question):
            return "Most of the words in this question appear nowhere in the plant documents."
        return None

    def standalone_question(self, question: str, history: History) -> str:
        """Make a follow-up ("and on the lathe?") answerable without the conversation."""
        previous = [text for role, text in history if role == "user"]
        if not previous or not looks_like_follow_up(question):
            return question
        if self.chat_model is not None:
            try:
                lines = "\n".join(
                    f"{role}: {text}" for role, text in history[-self.history_messages :]
                )
                message = (CONDENSE_PROMPT | self.chat_model).invoke(
                    {"history": lines, "question": question}
                )
                rewritten = str(message.content).strip()
                if rewritten:
                    return rewritten[: self.max_question_chars]
            except Exception as exc:
                log.warning("condensing failed, using the raw question: %s", exc)
        return f"{previous[-1]} {question}"

    def _generate(self, question: str, citations: list[Citation]) -> Iterator[str]:
        """The model's raw tokens; the passages and the question go in marked as data."""
        assert self.chat_model is not None
        prompt = REPLY_PROMPT if self.style == "reply" else ANSWER_PROMPT
        chain: Any = prompt | self.chat_model
        inputs = {"context": format_sources(citations), "question": as_data(question)}
        for chunk in chain.stream(inputs):
            if chunk.content:
                yield str(chunk.content)
