"""The ticket queue customer-service staff work through in the chat: the open tickets, one
ticket with its recent history, and the steps taken on it (edit the draft, approve, reassign,
close), each stored with who took it. Nothing here knows Chainlit; the chat renders it.

Every step names the version of the ticket the person saw (`version_of`): a ticket someone
else changed in the meantime is refused and shown again, so nobody approves a draft they have
not read.

Example:
    >>> actions_for("drafted")
    ('edit', 'approve', 'reassign', 'close')
    >>> actions_for("closed")
    ()
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from assistant.persistence.tickets import (
    TRANSITIONS,
    Ticket,
    TicketPublic,
    TicketUpdate,
    get_ticket,
    list_tickets,
    ticket_events,
    transition,
    update_ticket,
)
from assistant.persistence.users import get_user, list_users
from assistant.profiles import profiles_for
from tools.common.errors import PlantError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

SERVICE_PROFILE = "Customer service"
OPEN_STATUSES = ("new", "drafted", "approved")
ACTIONS = ("edit", "approve", "reassign", "close")
# what a person types (or a starter sends) to see the queue; anything else is a question
QUEUE_WORDS = frozenset(
    {"queue", "tickets", "ticket queue", "open tickets", "show the ticket queue", "/tickets"}
)
MAX_ASSIGNEE_CHARS = 200  # a typed answer longer than any user name is not a name


def may_use_tickets(role: str | None) -> bool:
    """Whether `role` may see the Customer service profile, and so work on tickets."""
    return any(p.name == SERVICE_PROFILE for p in profiles_for(role))


def wants_queue(text: str) -> bool:
    """Whether a chat message asks for the queue ("tickets", "queue", …), not a question."""
    return " ".join(text.lower().split()).rstrip(".!?") in QUEUE_WORDS


def ticket_number(text: str) -> int | None:
    """The ticket number a message gives ("12", "#12"), else None."""
    found = re.fullmatch(r"\s*#?\s*(\d{1,9})\s*", text)
    return int(found.group(1)) if found else None


def actions_for(status: str) -> tuple[str, ...]:
    """The steps offered for a ticket in `status`, in `ACTIONS` order. Editing a new ticket's
    draft makes it drafted; editing an approved one withdraws the approval (drafted again)."""
    allowed = TRANSITIONS.get(status, frozenset())
    offered = {
        "edit": "drafted" in allowed or status == "drafted",
        "approve": "approved" in allowed,
        "reassign": bool(allowed),  # a closed ticket stays as it was closed
        "close": "closed" in allowed,
    }
    return tuple(a for a in ACTIONS if offered[a])


def _utc(moment: dt.datetime) -> dt.datetime:
    """SQLite gives back naive times (stored in UTC), PostgreSQL aware ones."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def age_label(created_at: dt.datetime, now: dt.datetime) -> str:
    """How long ago a ticket arrived: "12 min", "3 h", "2 d".

    Example:
        >>> t = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        >>> age_label(t, t + dt.timedelta(hours=3, minutes=40))
        '3 h'
        >>> age_label(t, t + dt.timedelta(days=2, hours=5))
        '2 d'
    """
    seconds = max((_utc(now) - _utc(created_at)).total_seconds(), 0.0)
    if seconds < 3600:
        return f"{int(seconds // 60)} min"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h"
    return f"{int(seconds // 86400)} d"


def version_of(ticket: Ticket | TicketPublic) -> str:
    """The ticket's version as a step names it: when it last changed, in UTC."""
    return _utc(ticket.updated_at).isoformat()


def ticket_id_of(payload: Any) -> int:
    """The ticket number a button carries; the browser sends the payload, so anything that
    is not a positive whole number is refused."""
    ticket_id = payload.get("ticket_id") if isinstance(payload, Mapping) else None
    if isinstance(ticket_id, bool) or not isinstance(ticket_id, int) or ticket_id < 1:
        raise PlantError("That button is out of date or not valid here.")
    return ticket_id


def seen_of(payload: Any) -> str:
    """The version of the ticket shown with the button (see `version_of`)."""
    seen = payload.get("seen") if isinstance(payload, Mapping) else None
    if not isinstance(seen, str) or not seen:
        raise PlantError("That button is out of date or not valid here.")
    return seen


@dataclass(frozen=True)
class QueueView:
    """The open tickets shown (urgent first, then oldest) and how many more there are."""

    tickets: list[TicketPublic]
    more: int


@dataclass(frozen=True)
class TicketView:
    """One ticket with its latest events, and how many earlier events are not shown."""

    ticket: TicketPublic
    earlier_events: int


@dataclass(frozen=True)
class TicketDesk:
    """The queue and the steps on one ticket, on the plant's database."""

    engine: Engine
    queue_shown: int = 20
    history_shown: int = 8
    max_draft_chars: int = 1_000_000

    def queue(self) -> QueueView:
        """The open tickets (new, drafted, approved), at most `queue_shown` of them."""
        with Session(self.engine) as session:
            rows = list_tickets(session, statuses=OPEN_STATUSES)
            shown = [TicketPublic.of(t) for t in rows[: self.queue_shown]]
        return QueueView(shown, max(len(rows) - self.queue_shown, 0))

    def ticket(self, ticket_id: int) -> TicketView:
        """One ticket with its latest `history_shown` events (a missing one: `PlantError`)."""
        with Session(self.engine) as session:
            return self._view(session, ticket_id)

    def assignees(self) -> list[str]:
        """The enabled users who may work on tickets, by name."""
        with Session(self.engine) as session:
            users = list_users(session)
        return [u.name for u in users if not u.disabled and may_use_tickets(u.role)]

    def _view(self, session: Session, ticket_id: int) -> TicketView:
        ticket = get_ticket(session, ticket_id=ticket_id)
        events = ticket_events(session, ticket_id=ticket_id)
        latest = events[-self.history_shown :]
        return TicketView(TicketPublic.of(ticket, latest), len(events) - len(latest))

    def _open(self, session: Session, ticket_id: int, seen: str, action: str) -> Ticket:
        """The ticket, if `action` may be taken on it and it is still as the person saw it."""
        ticket = get_ticket(session, ticket_id=ticket_id)
        if action not in actions_for(ticket.status):
            raise PlantError(
                f"Ticket {ticket_id} is {ticket.status}: it cannot be {_DONE[action]}."
            )
        if version_of(ticket) != seen:
            raise PlantError(
                f"Ticket {ticket_id} was changed since it was shown to you: here it is as it is "
                "now. Check it and try again."
            )
        return ticket

    def edit_draft(self, ticket_id: int, text: str, *, actor: str, seen: str) -> TicketView:
        """Store a new draft; a new ticket becomes drafted, an approved one drafted again
        (its approval withdrawn: the changed text needs a new one)."""
        draft = text.strip()
        if not draft:
            raise PlantError("The new draft is empty: nothing was changed.")
        if len(draft) > self.max_draft_chars:
            raise PlantError(f"The draft is longer than {self.max_draft_chars:,} characters.")
        with Session(self.engine) as session:
            ticket = self._open(session, ticket_id, seen, "edit")
            update_ticket(session, ticket_id=ticket_id, update=TicketUpdate(draft=draft),
                          actor=actor)  # fmt: skip
            if ticket.status != "drafted":
                transition(session, ticket_id=ticket_id, to="drafted", actor=actor)
            return self._view(session, ticket_id)

    def approve(self, ticket_id: int, *, actor: str, seen: str) -> TicketView:
        """Approve the draft as it was shown: it becomes the final reply."""
        with Session(self.engine) as session:
            ticket = self._open(session, ticket_id, seen, "approve")
            if not (ticket.draft or "").strip():
                raise PlantError(f"Ticket {ticket_id} has no draft to approve: edit it first.")
            transition(session, ticket_id=ticket_id, to="approved", actor=actor,
                       final_reply=ticket.draft)  # fmt: skip
            return self._view(session, ticket_id)

    def reassign(self, ticket_id: int, assignee: str, *, actor: str, seen: str) -> TicketView:
        """Give the ticket to an enabled user who may work on tickets."""
        name = assignee.strip()
        if not name or len(name) > MAX_ASSIGNEE_CHARS:
            raise PlantError("Type the user name of the person who should take the ticket.")
        with Session(self.engine) as session:
            self._open(session, ticket_id, seen, "reassign")
            user = get_user(session, name=name)
            if user.disabled or not may_use_tickets(user.role):
                raise PlantError(f"{user.name} cannot work on tickets: choose someone else.")
            update = TicketUpdate(assignee=user.name)
            update_ticket(session, ticket_id=ticket_id, update=update, actor=actor)
            return self._view(session, ticket_id)

    def close(self, ticket_id: int, *, actor: str, seen: str) -> TicketView:
        """Close the ticket (final: a closed ticket is not reopened)."""
        with Session(self.engine) as session:
            self._open(session, ticket_id, seen, "close")
            transition(session, ticket_id=ticket_id, to="closed", actor=actor)
            return self._view(session, ticket_id)


_DONE = {"edit": "edited", "approve": "approved", "reassign": "reassigned", "close": "closed"}
