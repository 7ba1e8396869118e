"""A ticket's reply draft: quoted, cited policy from the documents in the plant's letter
template, with what it could not answer and what the agent must check listed apart.

The customer's text is data: sentences that address the assistant are cut before anything
searches with it, and the ticket is flagged. The reply quotes the documents word for word
(the extractive reader), so it states no refund, discount, date or replacement they do not;
`promises.py` checks that for every draft. A person approves every draft before it is sent.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.answering.answers import Citation
from assistant.answering.composition import merge_citations
from assistant.answering.extractive import (
    ExtractiveAnswerer,
    Quote,
    passage_lines,
    prose_sentences,
    render,
)
from assistant.answering.passage_guard import strip_instructions
from assistant.answering.retrieval_result import Retrieval, TextVectors, cleaned_citations
from assistant.answering.safe_markdown import safe_markdown
from assistant.answering.sections import Sections, widened
from assistant.tickets.asks import asks, greeting_name, request_text
from assistant.tickets.language import unrecognised
from assistant.tickets.promises import unsupported_promises

if TYPE_CHECKING:
    from assistant.answering.chain import RagChain
    from retrieval.multilingual import MultilingualSource

# words that lead retrieval to the documents of the ticket's category (the triage's labels)
CATEGORY_HINTS = {
    "warranty": "warranty claim",
    "returns": "return RMA",
    "technical_fault": "fault",
    "delivery": "delivery order",
    "billing": "invoice billing",
    "spare_parts": "spare parts",
}
LANGUAGE_NAMES = {"de": "German", "fr": "French", "es": "Spanish", "it": "Italian"}
FUSION_K = 10  # reciprocal-rank fusion constant (see `fuse`)
# "[date]", "[RMA-YYYY-NNNN]", "[customer name]": a reply template's blank, not a fact; a
# template line quoted as it stands reads as a promise ("collect on [date] at our cost")
PLACEHOLDER = re.compile(
    r"\[(?!\d+(?:\s*,\s*\d+)*\])[^\]\n]{2,40}\]|<[A-Za-z ]{2,30}>|\{[A-Za-z_ ]{2,30}\}"
)


@dataclass(frozen=True)
class DraftRequest:
    """What the drafter reads of a ticket."""

    subject: str
    body: str
    customer: str = ""
    category: str | None = None
    language: str | None = None
    urgency: str | None = None
    external_id: str | None = None


@dataclass
class Draft:
    """A reply for a person to check: the letter, its sources, and the agent's notes."""

    text: str
    citations: list[Citation]
    unanswered: list[str] = field(default_factory=list)  # asks the documents do not answer
    notes: list[str] = field(default_factory=list)  # language, injection, safety
    flagged: bool = False  # the message tried to instruct the assistant
    unsupported: list[str] = field(default_factory=list)  # promises no source states

    def to_json(self) -> dict[str, Any]:
        return {
            "draft": self.text,
            "citations": [citation_json(c) for c in self.citations],
            "unanswered": self.unanswered,
            "notes": self.notes,
            "flagged": self.flagged,
            "unsupported_promises": self.unsupported,
        }


def citation_json(c: Citation) -> dict[str, Any]:
    return {"n": c.n, "source": c.source, "section": c.section, "page": c.page, "text": c.text}


@dataclass
class TicketDrafter:
    """Drafts replies with the chain's search, decline decision and extractive reader.

    Example:
        >>> drafter = TicketDrafter(chain, company="Kestrel Fluid Components")  # doctest: +SKIP
        >>> drafter.draft(DraftRequest("Claim", "How long until you decide?"), "Ana").text
        ... # doctest: +SKIP
        'Dear customer, ... within 5 working days ... [1] ... Ana'
    """

    chain: RagChain
    company: str
    passages: int = 8
    # each search (hybrid and multilingual, per query) returns this many before fusion: a
    # passage 12th for the whole request still counts where a question's search ranks it high
    search_depth: int = 20
    max_body_chars: int = 4_000  # of a long message, the start is read (it is stored whole)
    quoted_passages: int = 8  # the best lines of each of the best passages are quoted
    lines_per_passage: int = 2
    # the best passages are quoted whole when they are prose this short: a policy's
    # paragraph read to its end (development tickets: 0.850 -> 0.867 of the key facts;
    # longer limits and the best passage of every search as well gave the same) ...
    whole_passage_chars: int = 600
    # ... or a table this short, every row, among all the quoted passages (terms, codes,
    # surcharges: the row the customer needs is rarely the one most like the message;
    # 0.867 -> 0.885 with the 2 best passages, 0.894 -> 0.903 with all 8)
    whole_table_chars: int = 900
    whole_passages: int = 2
    # sentence vectors kept from ticket to ticket: a batch quotes the same policies again and
    # again, and each sentence is embedded once (dropped whole past `max_cached` of them)
    max_cached: int = 50_000
    # the same chunks embedded by a multilingual model: a German or French message finds
    # the English policy it shares no word with (None: the chain's search alone)
    multilingual: MultilingualSource | None = None
    # a passage is read with the rest of its section when the section holds at most this
    # many characters: a table or list the chunker split is read whole, each chunk's best
    # lines quoted (development tickets 0.885 -> 0.894; 1,200 the same; 0: chunks alone)
    section_chars: int = 2_400
    per_passage: ExtractiveAnswerer = field(init=False)
    vectors: TextVectors = field(init=False)
    sections: Sections = field(init=False)

    def __post_init__(self) -> None:
        self.chain = dataclasses.replace(self.chain, answer_k=self.search_depth, style="answer")
        self.per_passage = ExtractiveAnswerer(
            self.chain.searcher.embedder, max_quotes=self.lines_per_passage
        )
        self.vectors = TextVectors(self.chain.searcher.embedder)
        self.sections = Sections(self.chain.searcher.chunks, self.section_chars)

    def _lookup(self, query: str) -> Retrieval:
        """The chain's retrieval, its vectors drawn from (and added to) the shared cache."""
        if len(self.vectors) > self.max_cached:
            self.vectors = TextVectors(self.chain.searcher.embedder)
        found = self.chain.lookup(query)
        return dataclasses.replace(found, vectors=self.vectors.absorb(found.vectors))

    def draft(self, ticket: DraftRequest, agent: str) -> Draft:
        """The reply draft of `ticket`, signed by `agent`."""
        body, cut = strip_instructions(ticket.body[: self.max_body_chars])
        subject = strip_instructions(ticket.subject[:300])[0]
        request = request_text(body) or subject
        questions = asks(body)
        hint = CATEGORY_HINTS.get(ticket.category or "", "")
        queries = [" ".join(p for p in (hint, subject, request) if p)[:2000]]
        queries += [f"{subject}. {q}" for q in questions]
        main, *found = [self._lookup(q) for q in queries]
        unanswered = [q for q, f in zip(questions, found, strict=True) if self._declines(f)]
        if not questions and self._declines(main):
            unanswered = [subject or request[:200]]
        fused = fuse([main, *found, *self._across(queries)], 2 * self.passages)
        citations, pieces = widened(fused, self.sections, self.passages)
        passages = {c.n: c.text for c in citations}
        # a person reads every draft: the best lines are quoted even where the reader
        # declines, and the agent is told which questions those are
        headings = {c.n: c.heading for c in citations}
        quotes = self._quotes(main, questions, passages, pieces, headings)
        answer, cited = merge_citations(render(quotes, passages), citations)
        cited = [c for c in cited if f"[{c.n}]" in answer]
        text = letter(ticket, answer, unanswered, agent=agent, company=self.company,
                      sources=sources_list(cited))  # fmt: skip
        return Draft(
            text=text,
            citations=cited,
            unanswered=unanswered,
            notes=agent_notes(ticket, flagged=bool(cut)),
            flagged=bool(cut),
            unsupported=unsupported_promises(text, {c.n: c.text for c in cited}),
        )

    def _declines(self, found: Retrieval) -> bool:
        """Whether the reader declines `found` as it would an answer from its best passages."""
        best = dataclasses.replace(found, citations=found.citations[: self.passages])
        return self.chain.declines(best) is not None

    def _across(self, queries: list[str]) -> list[Retrieval]:
        """What the multilingual view finds for each query (nothing without it)."""
        view = self.multilingual.get() if self.multilingual is not None else None
        if view is None:
            return []
        scope = self.chain.search_filter
        mask = None
        if scope is not None:
            mask = np.fromiter((scope.matches(c) for c in view.chunks), dtype=bool)
        found = []
        for query, hits in zip(
            queries, view.search_many(queries, self.search_depth, mask), strict=True
        ):
            citations, guarded = cleaned_citations(hits)
            found.append(Retrieval(query, citations, None, self.vectors, guarded))
        return found

    def _quotes(
        self, main: Retrieval, questions: list[str], passages: dict[int, str],
        pieces: dict[int, list[str]], headings: dict[int, str],
    ) -> list[Quote]:  # fmt: skip
        """The reader's best lines for the whole request and for each of its questions, and
        the best `lines_per_passage` lines of each of the `quoted_passages` best passages (a
        reply quotes more than an answer: a person reads it before it is sent, and deleting a
        line costs less than searching for a missing one)."""
        vectors = main.vectors
        reader = self.chain.extractive
        chosen = reader.quotes(main.question, passages, vectors, headings)
        for question in questions:
            chosen += reader.quotes(question, passages, vectors, headings)[:2]
        for n in sorted(passages)[: self.quoted_passages]:
            for piece in pieces.get(n, [passages[n]]):  # a section read whole: each chunk
                chosen += self.per_passage.quotes(main.question, {n: piece}, vectors, headings)
        whole = self._whole(passages)
        if whole:  # the best passages in their own order, instead of lines picked from them
            quoted_whole = {q.n for q in whole}
            chosen = [q for q in chosen if q.n not in quoted_whole] + whole
        return distinct([q for q in chosen if not PLACEHOLDER.search(q.text)])

    def _whole(self, passages: dict[int, str]) -> list[Quote]:
        """Every sentence and table row, in order, of each of the `whole_passages` best
        passages that is prose of at most `whole_passage_chars`, and of each quoted passage
        that holds a table of at most `whole_table_chars` (the reader picks lines by
        likeness to the message, and a policy's next sentence often holds what the customer
        needs: "The invoice is issued on the day of shipment." before "Payment terms are 30
        days net ..."; the row of a reason-code table is rarely the one most like it)."""
        quotes: list[Quote] = []
        for rank, n in enumerate(sorted(passages)[: self.quoted_passages]):
            text = passages[n]
            table = not prose_sentences(text)
            if rank >= self.whole_passages and not table:
                continue
            if len(text) > (self.whole_table_chars if table else self.whole_passage_chars):
                continue
            lines = passage_lines(text)
            quotes += [Quote(n, line, float(len(lines) - i)) for i, line in enumerate(lines)]
        return quotes


def distinct(quotes: list[Quote]) -> list[Quote]:
    """`quotes` without repeats: the same line twice, or a line another one holds whole
    (overlapping chunk windows quote a sentence alone and with its neighbour)."""
    unique: dict[tuple[int, str], Quote] = {}
    for quote in quotes:
        unique.setdefault((quote.n, quote.text), quote)
    kept = list(unique.values())
    return [
        q
        for q in kept
        if not any(o is not q and q.text.strip() in o.text and q.text != o.text for o in kept)
    ]


def fuse(results: list[Retrieval], k: int) -> list[Citation]:
    """The passages of several searches, ranked by reciprocal-rank fusion, renumbered 1..k;
    the first search (the whole request) wins ties. `FUSION_K` is 10, not the usual 60: with
    20 passages a search, a passage first in one search (often the multilingual one, for a
    German or French message) then outranks one that sits deep in all of them (development
    tickets: 0.823 -> 0.850 of the key facts in the 6 best fused passages)."""
    score: dict[str, float] = {}
    first: dict[str, Citation] = {}
    for result in results:
        for rank, citation in enumerate(result.citations):
            key = citation.chunk_id or citation.text
            score[key] = score.get(key, 0.0) + 1.0 / (FUSION_K + rank)
            first.setdefault(key, citation)
    ranked = sorted(score, key=lambda key: -score[key])[:k]
    return [first[key].model_copy(update={"n": i}) for i, key in enumerate(ranked, 1)]


def sources_list(citations: list[Citation]) -> str:
    """What the reply's [n] marks point to, for the customer: each document's title and the
    section quoted ("[2] KV Valve Body Installation and Handling Guide, "Before assembly"")."""
    lines = []
    for c in citations:
        title = " ".join((c.title or c.source).split())
        heading = " ".join(c.heading.split())
        where = f', "{heading}"' if heading and heading != title else ""
        lines.append(f"- [{c.n}] {safe_markdown(title)}{safe_markdown(where)}")
    return "\n".join(lines)


def letter(
    ticket: DraftRequest, answer: str, unanswered: list[str], *, agent: str, company: str,
    sources: str = "",
) -> str:  # fmt: skip
    """The plant's reply template: greeting, the cited answer and the documents it quotes,
    next steps, sign-off."""
    # the customer's words are not repeated: they are not the plant's to state
    parts = [
        f"Dear {safe_markdown(greeting_name(ticket.customer))},",
        "Thank you for your message.",
    ]
    if answer:
        parts.append(f"Our documents say:\n\n{answer}")
        if sources:
            parts.append(f"Sources:\n{sources}")
    if unanswered:
        parts.append(
            "We are checking the rest of your request with the team concerned and will come "
            "back to you on it."
        )
    reference = (
        f" (your reference {safe_markdown(ticket.external_id)})" if ticket.external_id else ""
    )
    parts.append(
        f"If anything is unclear, or you need more help, please reply to this message{reference}."
    )
    parts.append(f"Kind regards,\n{safe_markdown(agent)}\nCustomer Service, {company}")
    return "\n\n".join(parts)


def agent_notes(ticket: DraftRequest, *, flagged: bool) -> list[str]:
    """What the agent must know before sending: never part of the reply."""
    notes = []
    if flagged:
        notes.append(
            "The message contains instructions addressed to the assistant (e.g. to approve a "
            "refund); they were ignored. Check the request yourself."
        )
    language = LANGUAGE_NAMES.get(ticket.language or "")
    if language:
        notes.append(
            f"The customer wrote in {language}; this draft is in English. Translate it, or "
            "say why it is in English, before sending."
        )
    elif ticket.language is None and unrecognised(ticket.body[:2000]):
        notes.append(
            "The customer's language was not recognised (not English, German, French, "
            "Spanish or Italian): this draft is in English and was searched with words it may "
            "not share. Check what is asked, and translate the reply, before sending."
        )
    if ticket.urgency == "urgent":
        notes.append("Urgent ticket: follow the safety and escalation steps before replying.")
    return notes
