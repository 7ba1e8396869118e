"""Answers from the plant documents: manuals, onboarding material, customer-reply drafts."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from assistant.answering.chain import ChainEvent, RagChain
from assistant.capabilities.base import Capability, Request, Upload
from retrieval.search import SearchFilter


@dataclass
class Documents:
    """The RAG chain, within a scope (an audience) and in a style (an answer or a reply draft);
    a scope that no indexed document is in, or whose documents decline the question, widens
    to all documents.

    Example:
        >>> onboarding = Documents(chain, SearchFilter(audience=["new_staff"]))  # doctest: +SKIP
    """

    chain: RagChain
    search_filter: SearchFilter | None = None
    style: Literal["answer", "reply"] = "answer"
    # who drafts a reply when the chat profile asks for one (the ticket drafter); None: the
    # chain, in its reply style
    replies: Capability | None = None

    def can_handle(self, request: Request) -> bool:
        return True  # the documents always have something to say, if only a decline

    def accepts(self, upload: Upload) -> bool:
        return False

    def handoff(self, request: Request) -> str | None:
        return None

    def handle(self, request: Request) -> Iterator[ChainEvent]:
        scope = self.search_filter
        if scope is None and request.audience:  # the chat profile's documents first
            scope = SearchFilter(audience=list(request.audience))
        if scope is not None and not self.chain.searcher.covers(scope):
            scope = None  # a plant without documents for this audience: search them all
        style = self.style if self.search_filter is not None else request.style or self.style
        if style == "reply" and self.replies is not None and self.replies.can_handle(request):
            yield from self.replies.handle(request)
            return
        chain = self.chain
        if scope is not None or style != chain.style:
            chain = dataclasses.replace(chain, search_filter=scope, style=style)
        if scope is None:
            yield from chain.stream(request.message, request.history)
            return
        # The decline comes before any token: hold the events until then, and if the scope's
        # documents decline, ask all of them instead.
        held: list[ChainEvent] = []
        events = chain.stream(request.message, request.history)
        for event in events:
            held.append(event)
            if event.kind == "answer" and event.answer is not None and event.answer.abstained:
                wide = dataclasses.replace(chain, search_filter=None)
                yield from wide.stream(request.message, request.history)
                return
            if event.kind != "sources":
                break
        yield from held
        yield from events
