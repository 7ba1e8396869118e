"""`plant tickets import`: tickets from CSV, JSONL and .eml files into the database, once each."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.persistence.tickets import create_tickets, find_ticket, fingerprint
from assistant.tickets.mail import read_eml
from assistant.tickets.reading import (
    FileRead,
    Incoming,
    Problem,
    ReadLimits,
    decode,
    read_csv,
    read_jsonl,
    ticket_files,
)
from tools.common.errors import PlantError

if TYPE_CHECKING:
    from sqlmodel import Session

    from assistant.settings import Settings


def read_limits(settings: Settings) -> ReadLimits:
    return ReadLimits(
        max_bytes=int(settings.ticket_file_max_mb * 2**20),
        max_rows=settings.ticket_file_max_rows,
        max_body_chars=settings.ticket_body_max_chars,
        min_language_hits=settings.ticket_language_min_stopwords,
    )


def read_file(path: Path, limits: ReadLimits) -> FileRead:
    """The tickets of one checked file (`reading.checked_file`), with what was skipped or
    noticed; the format goes by the file's extension."""
    read = FileRead()
    try:
        data = path.read_bytes()
    except OSError as exc:
        read.problems.append(Problem(path, None, f"cannot be read ({exc.strerror or exc})"))
        return read
    suffix = path.suffix.lower()
    if suffix == ".eml":
        read_eml(data, path, limits, read)
    elif suffix == ".csv":
        read_csv(decode(data, path, read), path, limits, read)
    else:
        read_jsonl(decode(data, path, read), path, limits, read)
    return read


@dataclass
class ImportSummary:
    """What one import did: tickets read, created, found imported before, and what it skipped
    (`problems`) or only noticed (`notices`)."""

    files: int = 0
    read: int = 0
    created: list[int] = field(default_factory=list)
    already_imported: int = 0
    problems: list[Problem] = field(default_factory=list)
    notices: list[Problem] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        def listed(items: list[Problem]) -> list[dict[str, Any]]:
            return [{"file": str(p.file), "line": p.line, "message": p.message} for p in items]

        return {
            "files": self.files,
            "read": self.read,
            "created": len(self.created),
            "already_imported": self.already_imported,
            "skipped": len(self.problems),
            "ticket_ids": self.created,
            "problems": listed(self.problems),
            "notices": listed(self.notices),
        }


def _store(session: Session, item: Incoming, *, actor: str) -> int | None:
    """The new ticket's id, or None when it was imported before: by its external id, or by its
    content when it has none."""
    ticket = item.ticket
    if find_ticket(session, external_id=ticket.external_id, fingerprint=fingerprint(ticket)):
        return None
    try:
        [ticket_id] = create_tickets(
            session, tickets=[(ticket, _note(item))], actor=actor, action="imported"
        )
    except PlantError:  # imported by someone else since the look-up
        if find_ticket(session, external_id=ticket.external_id) is None:
            raise
        return None
    return ticket_id


def _note(item: Incoming) -> dict[str, Any]:
    return {"file": str(item.file), "line": item.line}


def _store_batch(session: Session, batch: list[Incoming], *, actor: str) -> list[int]:
    """The ids of the batch's tickets not imported before (nor twice in the batch), stored
    in one transaction; should another import store one of them meanwhile, one at a time."""
    new, seen = [], set()
    for item in batch:
        ticket = item.ticket
        key = ("id", ticket.external_id) if ticket.external_id else ("text", fingerprint(ticket))
        if key in seen or find_ticket(
            session, external_id=ticket.external_id, fingerprint=fingerprint(ticket)
        ):
            continue
        seen.add(key)
        new.append(item)
    if not new:
        return []
    try:
        pairs = [(item.ticket, _note(item)) for item in new]
        return create_tickets(session, tickets=pairs, actor=actor, action="imported")
    except PlantError:
        return [i for i in (_store(session, item, actor=actor) for item in new) if i is not None]


def import_files(
    session: Session, paths: list[Path], *, actor: str, limits: ReadLimits, batch: int,
    progress: bool,
) -> ImportSummary:  # fmt: skip
    """Read every file (folders: the ticket files in them) and store the tickets not imported
    before, `batch` to a transaction: an interrupted import is finished by running it again.
    A path that is missing, unreadable, too large or of an unknown kind is a PlantError
    before anything is stored."""
    from tqdm import tqdm

    files = ticket_files(paths, limits)
    summary = ImportSummary(files=len(files))
    with tqdm(total=0, desc="Importing", unit="ticket", disable=not progress) as bar:
        for path in files:
            read = read_file(path, limits)
            summary.problems += read.problems
            summary.notices += read.notices
            summary.read += len(read.tickets)
            bar.total = (bar.total or 0) + len(read.tickets)
            bar.refresh()
            for start in range(0, len(read.tickets), batch):
                chunk = read.tickets[start : start + batch]
                created = _store_batch(session, chunk, actor=actor)
                summary.created += created
                summary.already_imported += len(chunk) - len(created)
                bar.update(len(chunk))
    return summary
