"""What the helpdesk API takes and returns, beyond the ticket models of the persistence layer."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from assistant.persistence.tickets import Ticket, TicketPublic


class ApiError(BaseModel):
    """Every refusal: one sentence written for whoever reads the helpdesk's log."""

    detail: str


class TicketCreated(TicketPublic):
    """The stored ticket, and whether it was triaged on arrival."""

    triaged: bool = Field(description="Category and urgency were set by the triage model")
    triage_note: str | None = Field(
        default=None, description="Why the ticket was stored untriaged, when it was"
    )


class TicketListItem(BaseModel):
    """A ticket in the queue."""

    id: int
    external_id: str | None
    status: str
    category: str | None
    urgency: str | None
    subject: str
    created_at: dt.datetime

    @classmethod
    def of(cls, ticket: Ticket) -> TicketListItem:
        return cls.model_validate(ticket, from_attributes=True)


class Approval(BaseModel):
    """A person's approval of the reply the customer gets."""

    final_reply: str = Field(min_length=1, description="The text sent to the customer")
    by: str | None = Field(
        default=None, max_length=64, description="Who approved it, for the ticket's history"
    )


class DraftAsk(BaseModel):
    """Who asks for the draft and whose name signs it."""

    agent: str | None = Field(
        default=None, max_length=64, description="The name that signs the draft"
    )
    by: str | None = Field(
        default=None, max_length=64, description="Who asked for it, for the ticket's history"
    )


class TicketDraft(BaseModel):
    """The drafted ticket, and what the agent must check before approving the reply."""

    ticket: TicketPublic
    unanswered: list[str] = Field(description="The customer's questions the documents left open")
    notes: list[str] = Field(description="For the agent: language, flagged instructions, urgency")
    flagged: bool = Field(description="The message addressed instructions to the assistant")
    unsupported_promises: list[str] = Field(
        description="Commitments the draft makes that its sources do not state (none expected)"
    )
