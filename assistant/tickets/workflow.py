"""The ticket steps a person or a helpdesk asks for, shared by the CLI, the chat and the API:
triage stored tickets and draft their replies."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from assistant.persistence.tickets import Ticket, TicketUpdate, update_ticket

if TYPE_CHECKING:
    from sqlmodel import Session

    from assistant.tickets.drafting import Draft, DraftRequest, TicketDrafter
    from assistant.tickets.triage import TicketTriage, TriageResult


def triage_stored(
    session: Session, triage: TicketTriage, tickets: Sequence[Ticket], *, actor: str
) -> list[TriageResult]:
    """Triage `tickets` and store category, urgency and confidence, each change logged as an
    event by `actor`; the results in input order."""
    results = triage.triage_many([(t.subject, t.body) for t in tickets])
    for ticket, result in zip(tickets, results, strict=True):
        assert ticket.id is not None
        update = TicketUpdate(
            category=result.category,
            urgency=result.urgency,
            triage_confidence=round(result.confidence, 4),
        )
        update_ticket(session, ticket_id=ticket.id, update=update, actor=actor)
    return results


def draft_stored(
    session: Session, drafter: TicketDrafter, ticket: Ticket, *, agent: str, actor: str
) -> Draft:
    """Draft `ticket`'s reply and store it with its citations and what the agent must check
    (flagged, notes, unanswered questions, unsupported promises); a `new` ticket becomes
    `drafted` (an approved one is not: its approval stands until a person withdraws it)."""
    from assistant.persistence.tickets import transition
    from assistant.tickets.drafting import citation_json

    assert ticket.id is not None
    draft = drafter.draft(draft_request(ticket), agent)
    checks = {
        "flagged": draft.flagged, "notes": draft.notes, "unanswered": draft.unanswered,
        "unsupported_promises": draft.unsupported,
    }  # fmt: skip
    update = TicketUpdate(
        draft=draft.text, citations=[citation_json(c) for c in draft.citations],
        draft_checks=checks,
    )  # fmt: skip
    update_ticket(session, ticket_id=ticket.id, update=update, actor=actor)
    if ticket.status == "new":
        transition(session, ticket_id=ticket.id, to="drafted", actor=actor)
    return draft


def draft_request(ticket: Ticket) -> DraftRequest:
    from assistant.tickets.drafting import DraftRequest

    return DraftRequest(
        subject=ticket.subject,
        body=ticket.body,
        customer=ticket.customer,
        category=ticket.category,
        language=ticket.language,
        urgency=ticket.urgency,
        external_id=ticket.external_id,
    )
