"""`plant tickets draft`: reply drafts for a batch of tickets, with progress."""

from __future__ import annotations

import json
import sys
import time
from typing import Annotated, Any

import typer

from assistant.cli.common import JsonOption, err, out, user_errors
from assistant.cli.tickets import STATUSES_HELP, ByOption, _actor, _find, _session, tickets_app
from assistant.settings import get_settings


@tickets_app.command("draft")
@user_errors
def draft_command(
    tickets: Annotated[
        list[str] | None, typer.Argument(help="Ticket numbers or external ids (default: --status).")
    ] = None,
    status: Annotated[
        str, typer.Option("--status", help=f"Draft every ticket with this status: {STATUSES_HELP}.")
    ] = "new",
    agent: Annotated[
        str | None, typer.Option("--agent", help="The name that signs the drafts (default: --by).")
    ] = None,
    by: ByOption = None,
    as_json: JsonOption = False,
) -> None:
    """Draft replies from the documents (quoted and cited); each is stored for a person to
    edit and approve, and a `new` ticket becomes `drafted`. Nothing is sent."""
    from rich.progress import track

    from assistant.persistence.tickets import list_tickets
    from assistant.tickets.workflow import draft_stored
    from assistant.wiring import make_drafter

    actor = _actor(by)
    drafter = make_drafter(get_settings())
    started, summary = time.perf_counter(), _Summary()
    with _session() as session:
        rows = (
            [_find(session, key) for key in tickets]
            if tickets
            else list_tickets(session, status=status.strip().lower())
        )
        shown = not as_json and sys.stderr.isatty()
        for ticket in track(rows, description="Drafting", console=err, disable=not shown):
            draft = draft_stored(session, drafter, ticket, agent=agent or actor, actor=actor)
            summary.add(ticket.id, draft.unanswered, draft.flagged, draft.notes)
    summary.seconds = time.perf_counter() - started
    if as_json:
        print(json.dumps(summary.to_json(), ensure_ascii=False))
        return
    summary.print()


@tickets_app.command("prepare")
@user_errors
def prepare_command() -> None:
    """Embed the documents for the reply drafts' multilingual search (multilingual-e5-small;
    about 2 minutes for 600 passages on 2 cores, then only new passages). `make run` does it
    in the background; until then the chat drafts with the English search alone."""
    from assistant.wiring import make_drafter

    settings = get_settings()
    if not settings.draft_multilingual:
        out.print("PLANT_DRAFT_MULTILINGUAL is off: nothing to prepare.")
        return
    drafter = make_drafter(settings, progress=sys.stderr.isatty())
    found = drafter.multilingual.get() if drafter.multilingual is not None else None
    out.print(f"Multilingual search ready: {len(found.chunks) if found else 0} passages.")


class _Summary:
    def __init__(self) -> None:
        self.drafted: list[int] = []
        self.open_questions: dict[int, list[str]] = {}
        self.flagged: list[int] = []
        self.notes: dict[int, list[str]] = {}
        self.seconds = 0.0

    def add(
        self, ticket_id: int | None, unanswered: list[str], flagged: bool, notes: list[str]
    ) -> None:
        assert ticket_id is not None
        self.drafted.append(ticket_id)
        if unanswered:
            self.open_questions[ticket_id] = unanswered
        if flagged:
            self.flagged.append(ticket_id)
        if notes:
            self.notes[ticket_id] = notes

    def to_json(self) -> dict[str, Any]:
        return {
            "drafted": len(self.drafted),
            "ids": self.drafted,
            "unanswered": {str(k): v for k, v in self.open_questions.items()},
            "flagged": self.flagged,
            "notes": {str(k): v for k, v in self.notes.items()},
            "seconds": round(self.seconds, 2),
        }

    def print(self) -> None:
        if not self.drafted:
            out.print("No tickets to draft.")
            return
        out.print(
            f"Drafted {len(self.drafted)} ticket(s) in {self.seconds:.1f} s; review and approve "
            "them in the chat's ticket queue or with the API.",
            highlight=False,
        )
        for ticket_id, questions in self.open_questions.items():
            asked = "; ".join(q[:80] for q in questions)
            out.print(f"  #{ticket_id}: not answered from the documents: {asked}", highlight=False)
        for ticket_id in self.flagged:
            out.print(f"  #{ticket_id}: flagged: instructions to the assistant", highlight=False)
