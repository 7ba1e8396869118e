"""Tickets and their history on a real database (SQLite, and PostgreSQL where there is one)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import inspect
from sqlmodel import Session, select

from assistant.persistence.db import make_engine
from assistant.persistence.tickets import (
    TRANSITIONS,
    Ticket,
    TicketCreate,
    TicketEvent,
    TicketPublic,
    TicketUpdate,
    create_ticket,
    create_tickets,
    find_ticket,
    get_ticket,
    list_tickets,
    ticket_events,
    transition,
    update_ticket,
)
from tools.common.errors import PlantError


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    with Session(make_engine(database_url)) as session:
        yield session


def _new(session: Session, body: str = "The valve leaks.", **fields: str) -> int:
    new = TicketCreate.model_validate({"body": body, **fields})
    ticket = create_ticket(session, ticket=new, actor="anna")
    assert ticket.id is not None
    return ticket.id


def test_the_migration_makes_both_tables(database_url: str) -> None:
    inspector = inspect(make_engine(database_url))
    assert {"ticket", "ticketevent"} <= set(inspector.get_table_names())
    indexes = {i["name"]: i["unique"] for i in inspector.get_indexes("ticket")}
    assert indexes["ix_ticket_external_id"] in (True, 1)
    assert [fk["referred_table"] for fk in inspector.get_foreign_keys("ticketevent")] == ["ticket"]


def test_a_new_ticket_is_new_and_its_creation_is_logged(session: Session) -> None:
    ticket_id = _new(session, external_id="HD-1", customer="Jürgen", subject="Ventil")
    ticket = get_ticket(session, ticket_id=ticket_id)
    assert (ticket.status, ticket.customer, ticket.citations, ticket.attachments) == (
        "new", "Jürgen", "[]", "[]",
    )  # fmt: skip
    assert ticket.created_at.tzinfo is not None
    [event] = ticket_events(session, ticket_id=ticket_id)
    assert (event.actor, event.action, event.field, event.before) == ("anna", "created", None, None)
    assert find_ticket(session, external_id="HD-1") == ticket


def test_updates_log_each_changed_field_with_before_and_after(session: Session) -> None:
    ticket_id = _new(session, subject="Leak")
    update = TicketUpdate(subject="Leak at VB-200", category="warranty", urgency="urgent")
    update_ticket(session, ticket_id=ticket_id, update=update, actor="ben")
    citations = [{"source": "warranty.docx", "section": "Claims"}]
    again = TicketUpdate(subject="Leak at VB-200", draft="Dear customer, …", citations=citations)
    ticket = update_ticket(session, ticket_id=ticket_id, update=again, actor="drafter")
    events = [(e.actor, e.action, e.field) for e in ticket_events(session, ticket_id=ticket_id)]
    assert events == [
        ("anna", "created", None),
        ("ben", "edited", "subject"),
        ("ben", "edited", "category"),
        ("ben", "edited", "urgency"),
        ("drafter", "edited", "draft"),  # the unchanged subject wrote no event
        ("drafter", "edited", "citations"),
    ]
    public = TicketPublic.of(ticket, ticket_events(session, ticket_id=ticket_id))
    subject = public.events[1]
    assert (subject.before, subject.after) == ("Leak", "Leak at VB-200")
    assert (public.events[-1].before, public.events[-1].after) == ([], citations)
    assert public.citations == citations and public.triage.category == "warranty"
    assert ticket.updated_at >= ticket.created_at


def test_history_is_never_overwritten(session: Session) -> None:
    ticket_id = _new(session)
    for draft in ("first", "second", "third"):
        update_ticket(session, ticket_id=ticket_id, update=TicketUpdate(draft=draft), actor="a")
    drafts = [(e.before, e.after) for e in ticket_events(session, ticket_id=ticket_id) if e.field]
    assert drafts == [("null", '"first"'), ('"first"', '"second"'), ('"second"', '"third"')]


def test_unknown_category_or_urgency_is_refused_and_nothing_changes(session: Session) -> None:
    ticket_id = _new(session)
    with pytest.raises(PlantError, match=r"Unknown category 'refund'.*warranty"):
        update_ticket(
            session, ticket_id=ticket_id, update=TicketUpdate(category="refund"), actor="a"
        )
    with pytest.raises(PlantError, match=r"Unknown urgency 'asap'.*urgent, normal"):
        update_ticket(session, ticket_id=ticket_id, update=TicketUpdate(urgency="asap"), actor="a")
    assert len(ticket_events(session, ticket_id=ticket_id)) == 1


def test_the_workflow_and_its_events(session: Session) -> None:
    ticket_id = _new(session)
    update_ticket(session, ticket_id=ticket_id, update=TicketUpdate(draft="Dear …"), actor="bot")
    transition(session, ticket_id=ticket_id, to="drafted", actor="bot")
    transition(session, ticket_id=ticket_id, to="approved", actor="cara", final_reply="Dear Jo")
    ticket = transition(session, ticket_id=ticket_id, to="closed", actor="cara")
    assert (ticket.status, ticket.final_reply) == ("closed", "Dear Jo")
    status = [
        (e.actor, e.action, e.field, e.before, e.after)
        for e in ticket_events(session, ticket_id=ticket_id)[2:]
    ]
    assert status == [
        ("bot", "status", "status", '"new"', '"drafted"'),
        ("cara", "edited", "final_reply", "null", '"Dear Jo"'),
        ("cara", "status", "status", '"drafted"', '"approved"'),
        ("cara", "status", "status", '"approved"', '"closed"'),
    ]


def test_an_illegal_transition_is_refused_with_what_is_allowed(session: Session) -> None:
    ticket_id = _new(session)
    with pytest.raises(PlantError, match=r"is new: it cannot become approved \(allowed: closed, "):
        transition(session, ticket_id=ticket_id, to="approved", actor="a", final_reply="Hi")
    with pytest.raises(PlantError, match="has no draft yet"):
        transition(session, ticket_id=ticket_id, to="drafted", actor="a")
    with pytest.raises(PlantError, match=r"Unknown status 'sent'"):
        transition(session, ticket_id=ticket_id, to="sent", actor="a")
    transition(session, ticket_id=ticket_id, to="closed", actor="a")
    with pytest.raises(PlantError, match=r"is closed: it cannot become new \(allowed: none"):
        transition(session, ticket_id=ticket_id, to="new", actor="a")
    assert get_ticket(session, ticket_id=ticket_id).final_reply is None
    assert TRANSITIONS["closed"] == frozenset()


def test_approval_needs_the_final_text(session: Session) -> None:
    ticket_id = _new(session)
    update_ticket(session, ticket_id=ticket_id, update=TicketUpdate(draft="Dear …"), actor="a")
    transition(session, ticket_id=ticket_id, to="drafted", actor="a")
    with pytest.raises(PlantError, match="approved with its final text"):
        transition(session, ticket_id=ticket_id, to="approved", actor="a")
    assert get_ticket(session, ticket_id=ticket_id).status == "drafted"


def test_an_external_id_is_taken_once_and_tickets_without_one_are_many(session: Session) -> None:
    _new(session, external_id="HD-7")
    with pytest.raises(PlantError, match="external id 'HD-7' exists already"):
        _new(session, body="another", external_id="HD-7")
    _new(session, body="one")
    _new(session, body="one")
    assert len(session.exec(select(Ticket)).all()) == 3
    assert len(session.exec(select(TicketEvent)).all()) == 3


def test_the_queue_is_urgent_first_then_oldest_first(session: Session) -> None:
    ids = {name: _new(session, body=name, subject=name) for name in "abcde"}
    for name, urgency in (("a", "normal"), ("b", "urgent"), ("d", "urgent"), ("e", "normal")):
        update = TicketUpdate(urgency=urgency)
        update_ticket(session, ticket_id=ids[name], update=update, actor="triage")
    assert [t.subject for t in list_tickets(session)] == ["b", "d", "a", "e", "c"]
    transition(session, ticket_id=ids["d"], to="closed", actor="a")
    assert [t.subject for t in list_tickets(session, status="new")] == ["b", "a", "e", "c"]
    assert [t.subject for t in list_tickets(session, status="closed")] == ["d"]
    with pytest.raises(PlantError, match="Unknown status 'open'"):
        list_tickets(session, status="open")


def test_an_unknown_ticket_and_an_empty_body_are_user_errors(session: Session) -> None:
    with pytest.raises(PlantError, match="No ticket 42"):
        ticket_events(session, ticket_id=42)
    with pytest.raises(PlantError, match="needs a body"):
        _new(session, body="   ")


def test_a_batch_is_stored_whole_or_not_at_all(session: Session) -> None:
    batch = [(TicketCreate(body=f"ticket {i}", external_id=f"B-{i}"), {"line": i}) for i in (1, 2)]
    ids = create_tickets(session, tickets=batch, actor="imp", action="imported")
    assert [get_ticket(session, ticket_id=i).external_id for i in ids] == ["B-1", "B-2"]
    assert ticket_events(session, ticket_id=ids[1])[0].after == '{"external_id": "B-2", "line": 2}'
    clash = [(TicketCreate(body="new", external_id="B-3"), None), batch[0]]
    with pytest.raises(PlantError, match="one of the external ids 'B-3', 'B-1' exists already"):
        create_tickets(session, tickets=clash, actor="imp")
    assert find_ticket(session, external_id="B-3") is None
    assert len(session.exec(select(TicketEvent)).all()) == 2
