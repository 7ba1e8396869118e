"""A customer's message pasted into the chat, answered with a reply draft: the same triage
and drafter as a stored ticket (`plant tickets draft`, the helpdesk API), shown with the
notes for the agent below the letter, never inside it. Nothing is stored or sent: the agent
copies the draft, or imports the message as a ticket to keep its history."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.capabilities.base import Request, Upload, answer_event
from assistant.tickets.drafting import Draft, DraftRequest
from assistant.tickets.language import detect_language
from tools.common.errors import ModelMissing

if TYPE_CHECKING:
    from assistant.answering.chain import ChainEvent
    from assistant.tickets.drafting import TicketDrafter
    from assistant.tickets.triage import TicketTriage, TriageResult

MAX_SUBJECT = 120
HEADING = "**Draft reply** — check it before sending:"


@dataclass
class TicketReply:
    """The `ticket_reply` route: triage (when its model is trained), then a cited draft.

    Example:
        >>> reply = TicketReply(drafter=lambda: drafter, triage=lambda: triage)  # doctest: +SKIP
        >>> next(reply.handle(Request("My PH-55 leaks, is it under warranty?")))  # doctest: +SKIP
    """

    drafter: Callable[[], TicketDrafter]
    triage: Callable[[], TicketTriage] | None = None
    min_language_hits: int = 2  # common words a message needs for its language to be known

    def can_handle(self, request: Request) -> bool:
        return bool(request.message.strip())

    def accepts(self, upload: Upload) -> bool:
        return False

    def handoff(self, request: Request) -> str | None:
        return None

    def handle(self, request: Request) -> Iterator[ChainEvent]:
        body = request.message.strip()
        found, triage_note = self._triage(body)
        ticket = DraftRequest(
            subject="",
            body=body,
            category=found.category if found else None,
            language=detect_language(body, min_hits=self.min_language_hits),
            urgency=found.urgency if found else None,
        )
        draft = self.drafter().draft(ticket, agent=request.user or "Customer service")
        notes = [triage_note] if triage_note else []
        yield answer_event(
            request,
            f"{HEADING}\n\n{draft.text}{agent_block(draft, found, notes)}",
            "ticket_draft",
            citations=draft.citations,
            tool_result={
                "triage": None if found is None else found.to_json(),
                **draft.to_json(),
            },
        )

    def _triage(self, body: str) -> tuple[TriageResult | None, str | None]:
        if self.triage is None:
            return None, None
        try:
            return self.triage().triage("", body), None
        except ModelMissing as exc:
            return None, f"Not triaged: {exc}"


def agent_block(draft: Draft, found: TriageResult | None, extra: list[str]) -> str:
    """What the agent must read before sending, set apart from the letter."""
    lines: list[str] = []
    if found is not None:
        lines.append(
            f"Triage: **{found.category.replace('_', ' ')}** "
            f"({found.confidence:.0%}), **{found.urgency}**"
            + (f" (safety words: {', '.join(found.safety_terms)})" if found.safety_terms else "")
        )
    lines += extra + draft.notes
    if draft.unanswered:
        asked = "; ".join(f"“{q[:MAX_SUBJECT]}”" for q in draft.unanswered)
        lines.append(f"The documents do not answer: {asked}. Answer these yourself or ask.")
    if draft.unsupported:
        lines.append("Check before sending, no source states: " + "; ".join(draft.unsupported))
    if not lines:
        return ""
    items = "\n".join(f"- {line}" for line in lines)
    return f"\n\n---\n**For you, not for the customer** (check and edit before sending):\n{items}"
