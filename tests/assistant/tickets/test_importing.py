"""Imports into a real database: once per ticket, in batches, finished by running again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session

from assistant.persistence.db import make_engine
from assistant.persistence.tickets import list_tickets, ticket_events
from assistant.tickets.importing import import_files
from assistant.tickets.reading import ReadLimits

LIMITS = ReadLimits(max_bytes=2**20, max_rows=1_000, max_body_chars=10_000, min_language_hits=2)
ROWS = [f"HD-{i},Ticket {i} about a leaking valve" for i in range(1, 8)]


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    with Session(make_engine(database_url)) as session:
        yield session


def _csv(path: Path, rows: list[str]) -> Path:
    path.write_text("external_id,body\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_an_interrupted_import_is_finished_by_running_it_again(
    session: Session, tmp_path: Path
) -> None:
    half = _csv(tmp_path / "half.csv", ROWS[:3])  # what a first, interrupted run stored
    first = import_files(session, [half], actor="imp", limits=LIMITS, batch=2, progress=False)
    full = _csv(tmp_path / "full.csv", [*ROWS, ROWS[0], "HD-9,Ticket 9", "HD-9,Ticket 9 again"])
    again = import_files(session, [full], actor="imp", limits=LIMITS, batch=2, progress=False)
    assert (len(first.created), first.already_imported) == (3, 0)
    assert (again.read, len(again.created), again.already_imported) == (10, 5, 5)
    stored = list_tickets(session)
    assert [t.external_id for t in stored] == [f"HD-{i}" for i in (1, 2, 3, 4, 5, 6, 7, 9)]
    assert [t.body for t in stored][-1] == "Ticket 9"  # the first of the two in the file
    for ticket in stored:
        assert ticket.id is not None
        [event] = ticket_events(session, ticket_id=ticket.id)
        assert (event.actor, event.action) == ("imp", "imported")


def test_tickets_without_an_id_are_recognised_by_their_text(
    session: Session, tmp_path: Path
) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text('{"body": "Seal kit missing"}\n{"body": "Seal kit missing"}\n', "utf-8")
    first = import_files(session, [path], actor="a", limits=LIMITS, batch=10, progress=False)
    again = import_files(session, [path], actor="a", limits=LIMITS, batch=10, progress=False)
    assert (len(first.created), first.already_imported) == (1, 1)
    assert (len(again.created), again.already_imported) == (0, 2)
