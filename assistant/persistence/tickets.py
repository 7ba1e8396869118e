"""Customer-service tickets and the log of every change made to them (SQLModel)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any, ClassVar

from sqlalchemy import case
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select

from tools.common.errors import PlantError
from tools.common.tickets import CATEGORIES, URGENCIES

STATUSES = ("new", "drafted", "approved", "closed")
# The workflow: a draft is written, a person approves the final text, the ticket is closed.
# Going back is allowed where it asks for a new review (a discarded draft, an approval
# withdrawn); a closed ticket stays closed; tickets that need no reply may be closed at once.
TRANSITIONS: dict[str, frozenset[str]] = {
    "new": frozenset({"drafted", "closed"}),
    "drafted": frozenset({"approved", "new", "closed"}),
    "approved": frozenset({"closed", "drafted"}),
    "closed": frozenset(),
}
# Fields a person or the triage/drafting may change; status only through `transition`, and the
# customer's own text (external id, body, attachments) never.
EDITABLE = (
    "customer", "product", "serial", "channel", "subject", "language", "category", "urgency",
    "triage_confidence", "draft", "final_reply", "citations", "draft_checks", "assignee",
)  # fmt: skip
JSON_FIELDS = ("citations", "draft_checks")  # stored as JSON text


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class TicketBase(SQLModel):
    external_id: str | None = Field(
        default=None, unique=True, index=True, description="The helpdesk's id, unique when given"
    )
    customer: str = ""
    product: str = ""
    serial: str = ""
    channel: str = Field(default="", description="email, web, phone, helpdesk, …")
    subject: str = ""
    body: str = Field(description="The customer's text, stored whole")
    language: str | None = Field(default=None, description="en, de, fr, es, it; None: unknown")


class TicketCreate(TicketBase):
    attachments: list[str] = Field(default_factory=list, description="File names, not parsed")


class TicketUpdate(SQLModel):
    """The editable fields; those left None are not changed."""

    customer: str | None = None
    product: str | None = None
    serial: str | None = None
    channel: str | None = None
    subject: str | None = None
    language: str | None = None
    category: str | None = None
    urgency: str | None = None
    triage_confidence: float | None = None
    draft: str | None = None
    final_reply: str | None = None
    citations: list[dict[str, Any]] | None = None
    draft_checks: dict[str, Any] | None = None
    assignee: str | None = None


class Ticket(TicketBase, table=True):
    __tablename__: ClassVar[str] = "ticket"

    id: int | None = Field(default=None, primary_key=True)
    fingerprint: str = Field(
        index=True, description="sha256 of channel, customer, subject and body: a ticket "
        "without an external id is recognised when imported again",
    )  # fmt: skip
    attachments: str = Field(default="[]", description="JSON: the attachments' file names")
    status: str = Field(default="new", index=True, description="One of STATUSES")
    category: str | None = None
    urgency: str | None = None
    triage_confidence: float | None = None
    draft: str | None = None
    final_reply: str | None = None
    citations: str = Field(default="[]", description="JSON: the draft's sources")
    draft_checks: str = Field(
        default="{}",
        sa_column_kwargs={"server_default": "{}"},
        description="JSON: what the agent must check before sending the draft (flagged, "
        "notes, unanswered, unsupported_promises), as the drafter left it",
    )
    assignee: str | None = None
    created_at: dt.datetime = Field(default_factory=_now, index=True)
    updated_at: dt.datetime = Field(default_factory=_now)


class TicketEvent(SQLModel, table=True):
    """One change: who did what to which field, with the values before and after as JSON."""

    __tablename__: ClassVar[str] = "ticketevent"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    actor: str = Field(description="Who: a user name, `imported` tickets' importer, a service")
    action: str = Field(description="created, imported, edited or status")
    field: str | None = Field(default=None, description="The field an `edited` event changed")
    before: str | None = Field(default=None, description="JSON")
    after: str | None = Field(default=None, description="JSON")
    created_at: dt.datetime = Field(default_factory=_now)


class Triage(SQLModel):
    category: str | None
    urgency: str | None
    confidence: float | None


class TicketEventPublic(SQLModel):
    actor: str
    action: str
    field: str | None
    before: Any
    after: Any
    at: dt.datetime

    @classmethod
    def of(cls, event: TicketEvent) -> TicketEventPublic:
        return cls(
            actor=event.actor, action=event.action, field=event.field, at=event.created_at,
            before=_loads(event.before), after=_loads(event.after),
        )  # fmt: skip


class TicketPublic(TicketBase):
    """A ticket as shown and exported: JSON fields decoded, the triage together, its events."""

    id: int
    status: str
    triage: Triage
    draft: str | None
    final_reply: str | None
    citations: list[dict[str, Any]]
    draft_checks: dict[str, Any] = Field(default_factory=dict)
    attachments: list[str]
    assignee: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    events: list[TicketEventPublic] = Field(default_factory=list)

    @classmethod
    def of(cls, ticket: Ticket, events: list[TicketEvent] | None = None) -> TicketPublic:
        data = ticket.model_dump(exclude={"category", "urgency", "triage_confidence"})
        data |= {
            "triage": Triage(
                category=ticket.category,
                urgency=ticket.urgency,
                confidence=ticket.triage_confidence,
            ),
            "citations": json.loads(ticket.citations),
            "draft_checks": json.loads(ticket.draft_checks or "{}"),
            "attachments": json.loads(ticket.attachments),
            "events": [TicketEventPublic.of(e) for e in events or []],
        }
        return cls.model_validate(data)


def _loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def fingerprint(ticket: TicketBase) -> str:
    import hashlib

    parts = (ticket.channel, ticket.customer, ticket.subject, ticket.body)
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


# ------------------------------------------------------------------------------ reading
def get_ticket(session: Session, *, ticket_id: int) -> Ticket:
    found = session.get(Ticket, ticket_id)
    if found is None:
        raise PlantError(f"No ticket {ticket_id}. `plant tickets list` shows the tickets.")
    return found


def find_ticket(session: Session, *, external_id: str | None = None, fingerprint: str = "") -> (
    Ticket | None
):  # fmt: skip
    """The ticket with this external id, or (without one) with this fingerprint."""
    if external_id:
        query = select(Ticket).where(col(Ticket.external_id) == external_id)
    else:
        query = select(Ticket).where(col(Ticket.fingerprint) == fingerprint)
    return session.exec(query.order_by(col(Ticket.id)).limit(1)).first()


def list_tickets(
    session: Session, *, status: str | None = None, statuses: Sequence[str] = ()
) -> list[Ticket]:
    """Tickets (of one status, or of any of `statuses`) with the urgent first, then normal,
    then untriaged; the oldest first within each."""
    query = select(Ticket)
    if status is not None:
        query = query.where(col(Ticket.status) == _checked(status, STATUSES, "status"))
    if statuses:
        wanted = [_checked(s, STATUSES, "status") for s in statuses]
        query = query.where(col(Ticket.status).in_(wanted))
    rank = case((col(Ticket.urgency) == "urgent", 0), (col(Ticket.urgency) == "normal", 1), else_=2)
    query = query.order_by(rank, col(Ticket.created_at), col(Ticket.id))
    return list(session.exec(query).all())


def ticket_events(session: Session, *, ticket_id: int) -> list[TicketEvent]:
    """The ticket's history, oldest first."""
    get_ticket(session, ticket_id=ticket_id)
    query = select(TicketEvent).where(col(TicketEvent.ticket_id) == ticket_id)
    return list(session.exec(query.order_by(col(TicketEvent.id))).all())


# ------------------------------------------------------------------------------ writing
def _checked(value: str, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise PlantError(f"Unknown {what} {value!r}. Choose one of: {', '.join(allowed)}.")
    return value


def create_ticket(
    session: Session, *, ticket: TicketCreate, actor: str, action: str = "created",
    note: dict[str, Any] | None = None,
) -> Ticket:  # fmt: skip
    """Store a new ticket (status `new`) with its first event (`created`, or `imported` with
    where it came from in `note`). An external id that is taken already is refused."""
    [ticket_id] = create_tickets(session, tickets=[(ticket, note)], actor=actor, action=action)
    return get_ticket(session, ticket_id=ticket_id)


def create_tickets(
    session: Session, *, tickets: Sequence[tuple[TicketCreate, dict[str, Any] | None]],
    actor: str, action: str = "created",
) -> list[int]:  # fmt: skip
    """Store new tickets, each with its first event, all in one transaction (an import's
    batch); their ids. When one external id is taken already, none is stored."""
    if any(not ticket.body.strip() for ticket, _ in tickets):
        raise PlantError("A ticket needs a body: the customer's message is empty.")
    rows = [
        Ticket.model_validate(
            ticket.model_dump(exclude={"attachments"})
            | {"attachments": _dumps(ticket.attachments), "fingerprint": fingerprint(ticket)}
        )
        for ticket, _ in tickets
    ]
    session.add_all(rows)
    try:
        session.flush()  # the ids, for the events, in the same transaction
        ids = [row.id for row in rows if row.id is not None]
        for ticket_id, (ticket, note) in zip(ids, tickets, strict=True):
            after = _dumps({"external_id": ticket.external_id, **(note or {})})
            session.add(TicketEvent(ticket_id=ticket_id, actor=actor, action=action, after=after))
        session.commit()
    except IntegrityError:
        session.rollback()
        taken = ", ".join(repr(t.external_id) for t, _ in tickets if t.external_id)
        which = "external id" if len(tickets) == 1 else "one of the external ids"
        raise PlantError(f"A ticket with {which} {taken} exists already.") from None
    return ids


def _record_changes(
    session: Session, ticket: Ticket, changes: dict[str, Any], *, actor: str
) -> Ticket:
    """The one way a stored ticket changes: each changed field gets an event (`status` or
    `edited`) with its value before and after, written in the same transaction as the change."""
    now, changed = _now(), False
    assert ticket.id is not None
    for field, value in changes.items():
        stored = _dumps(value) if field in JSON_FIELDS else value
        before = getattr(ticket, field)
        if before == stored:
            continue
        shown_before = _loads(before) if field in JSON_FIELDS else before
        session.add(
            TicketEvent(
                ticket_id=ticket.id, actor=actor, field=field,
                action="status" if field == "status" else "edited",
                before=_dumps(shown_before), after=_dumps(value), created_at=now,
            )
        )  # fmt: skip
        setattr(ticket, field, stored)
        changed = True
    if changed:
        ticket.updated_at = now
        session.add(ticket)
        session.commit()
        session.refresh(ticket)
    return ticket


def update_ticket(session: Session, *, ticket_id: int, update: TicketUpdate, actor: str) -> Ticket:
    """Change the fields `update` sets; unchanged values write no event."""
    ticket = get_ticket(session, ticket_id=ticket_id)
    changes = update.model_dump(exclude_unset=True, exclude_none=True)
    if "category" in changes:
        _checked(changes["category"], CATEGORIES, "category")
    if "urgency" in changes:
        _checked(changes["urgency"], URGENCIES, "urgency")
    return _record_changes(session, ticket, changes, actor=actor)


def transition(
    session: Session, *, ticket_id: int, to: str, actor: str, final_reply: str | None = None
) -> Ticket:
    """Move the ticket along the workflow (`TRANSITIONS`). Drafted needs a draft; approved
    needs the final text (given here, or stored before)."""
    ticket = get_ticket(session, ticket_id=ticket_id)
    _checked(to, STATUSES, "status")
    if to not in TRANSITIONS[ticket.status]:
        allowed = ", ".join(sorted(TRANSITIONS[ticket.status])) or "none: it is final"
        raise PlantError(
            f"Ticket {ticket_id} is {ticket.status}: it cannot become {to} (allowed: {allowed})."
        )
    changes: dict[str, Any] = {}
    if final_reply is not None:
        changes["final_reply"] = final_reply
    if to == "drafted" and not (ticket.draft or "").strip():
        raise PlantError(f"Ticket {ticket_id} has no draft yet: write one before it is drafted.")
    if to == "approved" and not (final_reply or ticket.final_reply or "").strip():
        raise PlantError(f"Ticket {ticket_id} is approved with its final text: give the reply.")
    changes["status"] = to
    return _record_changes(session, ticket, changes, actor=actor)
