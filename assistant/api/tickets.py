"""The ticket endpoints: a helpdesk sends tickets in, reads the queue and one ticket, approves
a reply. Plain `def`s: FastAPI runs them in its thread pool, off the chat's event loop."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from sqlmodel import Session

from assistant.api.auth import actor, require
from assistant.api.deps import Context, DbSession
from assistant.api.schemas import (
    ApiError,
    Approval,
    DraftAsk,
    TicketCreated,
    TicketDraft,
    TicketListItem,
)
from assistant.persistence.tickets import (
    STATUSES,
    Ticket,
    TicketCreate,
    TicketPublic,
    create_ticket,
    find_ticket,
    get_ticket,
    list_tickets,
    ticket_events,
    transition,
)
from assistant.persistence.tokens import ApiToken
from tools.common.errors import PlantError

log = logging.getLogger(__name__)
READ, WRITE = "tickets:read", "tickets:write"

router = APIRouter(prefix="/tickets", tags=["tickets"])
Reader = Annotated[ApiToken, require(READ)]
Writer = Annotated[ApiToken, require(WRITE)]
REFUSALS: dict[int | str, dict[str, Any]] = {
    401: {"model": ApiError, "description": "No API token, or not a valid one"},
    403: {"model": ApiError, "description": "The token lacks the scope"},
}


def _public(session: Session, ticket: Ticket) -> TicketPublic:
    assert ticket.id is not None
    return TicketPublic.of(ticket, ticket_events(session, ticket_id=ticket.id))


def _stored(session: Session, ticket_id: int) -> Ticket:
    try:
        return get_ticket(session, ticket_id=ticket_id)
    except PlantError as exc:
        raise HTTPException(404, str(exc)) from None


def _triage(session: Session, context: Context, ticket: Ticket, by: str) -> str | None:
    """Triage the new ticket; why it stays untriaged (no model, a failure) when it does: the
    ticket is stored either way, and `plant tickets triage` can triage it later."""
    from assistant.tickets.triage import TriageModelMissing
    from assistant.tickets.workflow import triage_stored

    try:
        triage_stored(session, context.load_triage(), [ticket], actor=by)
    except TriageModelMissing as exc:
        return str(exc)
    except Exception:  # the ticket is stored: a failing model must not lose the answer
        log.exception("triage of the new ticket %s failed", ticket.id)
        return "The triage failed (see the server's log); the ticket is stored untriaged."
    return None


@router.post(
    "",
    status_code=201,
    responses={
        **REFUSALS,
        409: {"model": ApiError, "description": "A ticket with this external id exists"},
        413: {"model": ApiError, "description": "The body is longer than the import takes"},
    },
)
def create(
    ticket: TicketCreate, token: Writer, session: DbSession, context: Context
) -> TicketCreated:
    """Store a customer's ticket (status `new`) and triage it at once when the triage model
    is trained; `triaged` says whether it was."""
    most = context.settings.ticket_body_max_chars
    if len(ticket.body) > most:
        raise HTTPException(413, f"The body has {len(ticket.body)} characters; at most {most}.")
    if not ticket.body.strip():
        raise HTTPException(422, "A ticket needs a body: the customer's message is empty.")
    if ticket.external_id and find_ticket(session, external_id=ticket.external_id):
        raise HTTPException(409, f"A ticket with external id {ticket.external_id!r} exists.")
    by = actor(token)
    if ticket.language is None:  # as an import does: the drafter's notes depend on it
        from assistant.tickets.language import detect_language

        hits = context.settings.ticket_language_min_stopwords
        found = detect_language(f"{ticket.subject}\n{ticket.body}", min_hits=hits)
        ticket = ticket.model_copy(update={"language": found})
    try:
        row = create_ticket(session, ticket=ticket, actor=by, note={"via": "api"})
    except PlantError as exc:  # sent twice at once: the other request stored it
        raise HTTPException(409, str(exc)) from None
    note = _triage(session, context, row, by)
    session.refresh(row)
    data = _public(session, row).model_dump()
    return TicketCreated.model_validate(data | {"triaged": note is None, "triage_note": note})


@router.get("", responses={**REFUSALS, 422: {"model": ApiError}})
def queue(
    token: Reader,
    session: DbSession,
    status: Annotated[str | None, Query(description=f"One of: {', '.join(STATUSES)}")] = None,
) -> list[TicketListItem]:
    """The tickets (of one status), urgent first, then normal, then untriaged; the oldest
    first within each."""
    try:
        return [TicketListItem.of(t) for t in list_tickets(session, status=status)]
    except PlantError as exc:  # an unknown status: the message lists the statuses
        raise HTTPException(422, str(exc)) from None


@router.get("/{ticket_id}", responses={**REFUSALS, 404: {"model": ApiError}})
def one(ticket_id: int, token: Reader, session: DbSession) -> TicketPublic:
    """One ticket with its triage, draft, citations and the history of its changes."""
    return _public(session, _stored(session, ticket_id))


@router.post(
    "/{ticket_id}/approve",
    responses={
        **REFUSALS,
        404: {"model": ApiError},
        409: {"model": ApiError, "description": "Not drafted: nothing to approve yet"},
    },
)
def approve(ticket_id: int, approval: Approval, token: Writer, session: DbSession) -> TicketPublic:
    """Approve the reply the customer gets: the ticket, drafted, becomes `approved`."""
    _stored(session, ticket_id)
    try:
        row = transition(
            session, ticket_id=ticket_id, to="approved", actor=actor(token, approval.by),
            final_reply=approval.final_reply,
        )  # fmt: skip
    except PlantError as exc:
        raise HTTPException(409, str(exc)) from None
    return _public(session, row)


@router.post(
    "/{ticket_id}/draft",
    responses={
        **REFUSALS,
        404: {"model": ApiError},
        409: {"model": ApiError, "description": "Approved or closed: no new draft"},
        503: {"model": ApiError, "description": "The documents are not indexed yet"},
    },
)
def draft(
    ticket_id: int, request: DraftAsk, token: Writer, session: DbSession, context: Context
) -> TicketDraft:
    """Draft the reply from the plant's documents, quoted and cited, and store it for a person
    to approve; a `new` ticket becomes `drafted`. Nothing is sent to the customer."""
    from assistant.tickets.workflow import draft_stored

    ticket = _stored(session, ticket_id)
    if ticket.status not in ("new", "drafted"):
        raise HTTPException(409, f"Ticket {ticket_id} is {ticket.status}: it is not redrafted.")
    try:
        drafter = context.load_drafter()
    except PlantError as exc:
        raise HTTPException(503, str(exc)) from None
    by = actor(token, request.by)
    result = draft_stored(session, drafter, ticket, agent=request.agent or by, actor=by)
    return TicketDraft(
        ticket=_public(session, _stored(session, ticket_id)),
        unanswered=result.unanswered,
        notes=result.notes,
        flagged=result.flagged,
        unsupported_promises=result.unsupported,
    )
