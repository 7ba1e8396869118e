"""The ticket queue's steps on a real database (SQLite, and PostgreSQL where there is one)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from assistant.persistence.db import make_engine
from assistant.persistence.tickets import (
    TRANSITIONS,
    TicketCreate,
    TicketUpdate,
    create_ticket,
    get_ticket,
    ticket_events,
    transition,
    update_ticket,
)
from assistant.persistence.users import add_user, set_disabled
from assistant.tickets.queue import (
    ACTIONS,
    TicketDesk,
    actions_for,
    age_label,
    may_use_tickets,
    seen_of,
    ticket_id_of,
    ticket_number,
    version_of,
    wants_queue,
)
from tools.common.errors import PlantError

NOW = dt.datetime.now(dt.UTC)


@pytest.fixture
def engine(database_url: str) -> Engine:
    return make_engine(database_url)


def add_ticket(
    engine: Engine, subject: str, *, hours_old: float = 1.0, urgency: str | None = None,
    draft: str | None = None, status: str = "new",
) -> int:  # fmt: skip
    """A ticket received `hours_old` ago, triaged, drafted and moved to `status` as asked."""
    with Session(engine) as session:
        ticket = create_ticket(
            session, ticket=TicketCreate(subject=subject, body="The valve leaks."), actor="import"
        )
        assert ticket.id is not None
        ticket.created_at = NOW - dt.timedelta(hours=hours_old)
        session.add(ticket)
        session.commit()
        update = TicketUpdate(urgency=urgency, draft=draft)
        update_ticket(session, ticket_id=ticket.id, update=update, actor="triage")
        path = {"new": [], "drafted": ["drafted"], "approved": ["drafted", "approved"]}
        for step in path.get(status, [status]):
            reply = draft if step == "approved" else None
            transition(session, ticket_id=ticket.id, to=step, actor="bot", final_reply=reply)
        return ticket.id


def seen(engine: Engine, ticket_id: int) -> str:
    with Session(engine) as session:
        return version_of(get_ticket(session, ticket_id=ticket_id))


def test_the_queue_lists_open_tickets_urgent_first_then_oldest(engine: Engine) -> None:
    old = add_ticket(engine, "old normal", hours_old=50, urgency="normal")
    new_urgent = add_ticket(engine, "new urgent", hours_old=1, urgency="urgent", draft="Hi")
    old_urgent = add_ticket(engine, "old urgent", hours_old=30, urgency="urgent", draft="Hi",
                            status="approved")  # fmt: skip
    add_ticket(engine, "closed urgent", hours_old=90, urgency="urgent", status="closed")
    untriaged = add_ticket(engine, "untriaged", hours_old=100)
    queue = TicketDesk(engine, queue_shown=3).queue()
    assert [t.id for t in queue.tickets] == [old_urgent, new_urgent, old]
    assert queue.more == 1  # the untriaged one, beyond the three shown; closed never counts
    assert [t.id for t in TicketDesk(engine).queue().tickets][-1] == untriaged


def test_each_offered_step_is_one_the_workflow_allows() -> None:
    assert actions_for("new") == ("edit", "reassign", "close")  # no draft to approve yet
    assert actions_for("drafted") == ACTIONS
    assert actions_for("approved") == ("edit", "reassign", "close")
    assert actions_for("closed") == actions_for("nonsense") == ()
    for status, allowed in TRANSITIONS.items():
        assert ("approve" in actions_for(status)) == ("approved" in allowed)
        assert ("close" in actions_for(status)) == ("closed" in allowed)


def test_approving_stores_the_shown_draft_as_the_final_reply_with_an_event(engine: Engine) -> None:
    ticket_id = add_ticket(engine, "Leak", draft="Dear Jo, a new seal is on its way [1].",
                           status="drafted")  # fmt: skip
    shown = TicketDesk(engine).approve(ticket_id, actor="sam", seen=seen(engine, ticket_id))
    assert shown.ticket.status == "approved"
    assert shown.ticket.final_reply == "Dear Jo, a new seal is on its way [1]."
    latest = [(e.actor, e.field, e.after) for e in shown.ticket.events[-2:]]
    assert latest == [
        ("sam", "final_reply", "Dear Jo, a new seal is on its way [1]."),
        ("sam", "status", "approved"),
    ]


def test_a_step_on_a_ticket_changed_since_it_was_shown_is_refused(engine: Engine) -> None:
    ticket_id = add_ticket(engine, "Leak", draft="First draft", status="drafted")
    was = seen(engine, ticket_id)
    with Session(engine) as session:  # a colleague rewrites the draft meanwhile
        update_ticket(session, ticket_id=ticket_id, update=TicketUpdate(draft="Other"), actor="x")
    with pytest.raises(PlantError, match="changed since it was shown"):
        TicketDesk(engine).approve(ticket_id, actor="sam", seen=was)
    with Session(engine) as session:
        assert get_ticket(session, ticket_id=ticket_id).status == "drafted"


def test_a_step_on_a_missing_ticket_says_so(engine: Engine) -> None:
    desk = TicketDesk(engine)
    with pytest.raises(PlantError, match="No ticket 999"):
        desk.ticket(999)
    with pytest.raises(PlantError, match="No ticket 999"):
        desk.close(999, actor="sam", seen="2026-01-01T00:00:00+00:00")


def test_editing_drafts_a_new_ticket_and_withdraws_an_approval(engine: Engine) -> None:
    desk = TicketDesk(engine)
    fresh = add_ticket(engine, "New one")
    shown = desk.edit_draft(fresh, "  Dear Jo, …  ", actor="sam", seen=seen(engine, fresh))
    assert (shown.ticket.status, shown.ticket.draft) == ("drafted", "Dear Jo, …")
    approved = add_ticket(engine, "Done", draft="Old text", status="approved")
    shown = desk.edit_draft(approved, "New text", actor="sam", seen=seen(engine, approved))
    assert (shown.ticket.status, shown.ticket.draft) == ("drafted", "New text")
    with pytest.raises(PlantError, match="empty"):
        desk.edit_draft(approved, "   ", actor="sam", seen=seen(engine, approved))


def test_a_closed_ticket_takes_no_more_steps(engine: Engine) -> None:
    desk = TicketDesk(engine)
    ticket_id = add_ticket(engine, "Spam")
    closed = desk.close(ticket_id, actor="sam", seen=seen(engine, ticket_id))
    assert closed.ticket.status == "closed"
    with pytest.raises(PlantError, match="is closed: it cannot be edited"):
        desk.edit_draft(ticket_id, "Hi", actor="sam", seen=seen(engine, ticket_id))
    with pytest.raises(PlantError, match="is closed: it cannot be closed"):
        desk.close(ticket_id, actor="sam", seen=seen(engine, ticket_id))


def test_a_ticket_goes_only_to_an_enabled_user_who_works_on_tickets(engine: Engine) -> None:
    with Session(engine) as session:
        for name, role in (("Sam", "service"), ("otto", "operator"), ("gone", "service")):
            add_user(session, name=name, role=role, password="a long enough password")
        set_disabled(session, name="gone", disabled=True)
    desk = TicketDesk(engine)
    ticket_id = add_ticket(engine, "Leak")
    for name, error in (("nobody", "No user 'nobody'"), ("otto", "otto cannot work on tickets"),
                        ("gone", "gone cannot"), ("", "Type the user name")):  # fmt: skip
        with pytest.raises(PlantError, match=error):
            desk.reassign(ticket_id, name, actor="ann", seen=seen(engine, ticket_id))
    assert desk.assignees() == ["sam"]
    shown = desk.reassign(ticket_id, " SAM ", actor="ann", seen=seen(engine, ticket_id))
    assert shown.ticket.assignee == "sam"
    with Session(engine) as session:
        last = ticket_events(session, ticket_id=ticket_id)[-1]
    assert (last.actor, last.field, last.after) == ("ann", "assignee", '"sam"')


def test_the_history_shown_is_the_latest_with_a_count_of_the_rest(engine: Engine) -> None:
    ticket_id = add_ticket(engine, "Leak", urgency="urgent", draft="Hi", status="drafted")
    shown = TicketDesk(engine, history_shown=2).ticket(ticket_id)
    assert [e.field for e in shown.ticket.events] == ["draft", "status"]
    assert shown.earlier_events == 2  # created, urgency


@pytest.mark.parametrize("payload", [
    None, [], {}, {"ticket_id": "3"}, {"ticket_id": True}, {"ticket_id": 0},
    {"ticket_id": -4}, {"ticket_id": 2.5}, {"ticket_id": {"$gt": 1}},
])  # fmt: skip
def test_a_payload_without_a_ticket_number_is_refused(payload: object) -> None:
    with pytest.raises(PlantError, match="out of date or not valid"):
        ticket_id_of(payload)


def test_a_payload_names_the_ticket_and_the_version_shown() -> None:
    assert ticket_id_of({"ticket_id": 3, "seen": "v"}) == 3
    assert seen_of({"ticket_id": 3, "seen": "v"}) == "v"
    for payload in ({"ticket_id": 3}, {"seen": 5}, {"seen": ""}, "seen"):
        with pytest.raises(PlantError):
            seen_of(payload)


def test_who_may_use_the_queue_and_what_opens_it() -> None:
    assert may_use_tickets("service") and may_use_tickets("admin")
    assert not any(may_use_tickets(r) for r in ("operator", "quality", "trainee", None, "x"))
    assert wants_queue("tickets") and wants_queue(" Show the  ticket queue. ")
    assert not wants_queue("How long is the warranty on tickets?")
    assert ticket_number(" #12 ") == ticket_number("12") == 12
    assert ticket_number("1 2") is ticket_number("ticket twelve") is ticket_number("") is None


def test_ages_read_in_minutes_hours_or_days() -> None:
    start = dt.datetime(2026, 1, 1, 8, 0)  # naive, as SQLite gives it back: UTC
    assert age_label(start, dt.datetime(2026, 1, 1, 8, 12, tzinfo=dt.UTC)) == "12 min"
    assert age_label(start, dt.datetime(2026, 1, 1, 11, 59, tzinfo=dt.UTC)) == "3 h"
    assert age_label(start, dt.datetime(2026, 1, 3, 9, 0, tzinfo=dt.UTC)) == "2 d"
    assert age_label(start, dt.datetime(2025, 12, 31, tzinfo=dt.UTC)) == "0 min"  # clock skew
