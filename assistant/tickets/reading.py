"""Tickets read from CSV and JSONL files; each bad row is reported by file and line, not fatal."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.persistence.tickets import TicketCreate
from assistant.tickets.language import detect_language
from tools.common.errors import PlantError

FIELDS = ("external_id", "customer", "product", "serial", "channel", "subject", "body")
SUFFIXES = (".csv", ".jsonl", ".eml")


@dataclass(frozen=True)
class ReadLimits:
    """How much one import may read (from the settings: `ticket_*`)."""

    max_bytes: int
    max_rows: int
    max_body_chars: int
    min_language_hits: int


@dataclass(frozen=True)
class Problem:
    """Something in a file the import skipped (a row, a message) or only noticed."""

    file: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else str(self.file)
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Incoming:
    """A ticket read from a file, and where it came from."""

    ticket: TicketCreate
    file: Path
    line: int | None


@dataclass
class FileRead:
    tickets: list[Incoming] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # skipped: not imported
    notices: list[Problem] = field(default_factory=list)  # imported anyway


def checked_file(path: Path, limits: ReadLimits) -> Path:
    """`path` when it is a readable ticket file within the size limit, else a PlantError that
    names it."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise PlantError(f"{path}: cannot be read ({exc.strerror or exc}).") from None
    if path.suffix.lower() not in SUFFIXES or not path.is_file():
        raise PlantError(
            f"{path}: not a ticket file. Import {', '.join(SUFFIXES)} files (or a folder of them)."
        )
    if size > limits.max_bytes:
        raise PlantError(
            f"{path}: {size / 2**20:.1f} MB, over the limit of {limits.max_bytes / 2**20:.0f} MB "
            "(PLANT_TICKET_FILE_MAX_MB)."
        )
    return path


def ticket_files(paths: list[Path], limits: ReadLimits) -> list[Path]:
    """The files named and the ticket files inside the folders named, each checked."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES)
            if not found:
                raise PlantError(f"{path}: holds no {', '.join(SUFFIXES)} files.")
            files += [checked_file(p, limits) for p in found if p.is_file()]
        else:
            files.append(checked_file(path, limits))
    return list(dict.fromkeys(files))  # a file named twice is read once


def make_ticket(
    values: dict[str, str], *, file: Path, line: int | None, limits: ReadLimits,
    attachments: list[str] | None = None,
) -> Incoming | Problem:  # fmt: skip
    """The ticket of one row or message, or why it is skipped (no body, too long a body)."""
    clean = {key: (values.get(key) or "").strip() for key in FIELDS}
    if not clean["body"]:
        return Problem(file, line, "no body: the customer's message is missing")
    if len(clean["body"]) > limits.max_body_chars:
        return Problem(
            file, line, f"the body has {len(clean['body']):,} characters, over the limit of "
            f"{limits.max_body_chars:,} (PLANT_TICKET_BODY_MAX_CHARS)",
        )  # fmt: skip
    language = detect_language(
        f"{clean['subject']}\n{clean['body']}", min_hits=limits.min_language_hits
    )
    ticket = TicketCreate.model_validate(
        {**clean, "external_id": clean["external_id"] or None, "language": language,
         "attachments": attachments or []}
    )  # fmt: skip
    return Incoming(ticket, file, line)


def decode(data: bytes, file: Path, read: FileRead) -> str:
    """UTF-8 (with or without a byte-order mark); anything else is read as Windows-1252, the
    usual encoding of a spreadsheet's CSV export, and noticed."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        read.notices.append(
            Problem(file, None, f"not UTF-8 (byte {exc.start}): read as Windows-1252")
        )
        return data.decode("cp1252", errors="replace")


def _unknown(columns: list[str] | set[str], file: Path, read: FileRead) -> None:
    unknown = sorted(c or "(no name)" for c in set(columns) if c not in FIELDS)
    if unknown:
        read.notices.append(Problem(file, None, f"unknown columns ignored: {', '.join(unknown)}"))


def _too_many(count: int, file: Path, line: int, limits: ReadLimits, read: FileRead) -> bool:
    if count <= limits.max_rows:
        return False
    read.problems.append(
        Problem(file, line, f"more than {limits.max_rows:,} tickets in one file "
                "(PLANT_TICKET_FILE_MAX_ROWS): this one and the rest were not read")
    )  # fmt: skip
    return True


@contextmanager
def _csv_field_limit(chars: int) -> Iterator[None]:
    """csv's field size limit is process-wide (131,072 by default): raised while one file is
    read, so that a long body fits, and put back after."""
    previous = csv.field_size_limit(chars)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def read_csv(text: str, file: Path, limits: ReadLimits, read: FileRead) -> None:
    """A header row naming the columns (any order, any case), then one ticket per row."""
    with _csv_field_limit(limits.max_body_chars + 1):
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        header = next(reader, None)
        if header is None:
            read.problems.append(Problem(file, None, "empty: no header row"))
            return
        columns = [name.strip().lower() for name in header]
        if "body" not in columns:
            read.problems.append(
                Problem(file, 1, f"no `body` column (columns: {', '.join(columns)})")
            )
            return
        _unknown(columns, file, read)
        _csv_rows(text.splitlines(keepends=True), reader.line_num, columns, file, limits, read)


def _csv_rows(
    lines: list[str], skip: int, columns: list[str], file: Path, limits: ReadLimits,
    read: FileRead,
) -> None:  # fmt: skip
    """The rows after the first `skip` lines. A malformed record that spans several lines (a
    quote opened and never closed, or closed rows later) is reported on its first line and
    the reading starts again on the next one, so the rows it swallowed are read as rows."""
    count = 0
    while skip < len(lines):
        reader = csv.reader(io.StringIO("".join(lines[skip:]), newline=""), strict=True)
        start = 1  # the line of this reader's text a record starts on
        resync = None
        while resync is None:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                read.problems.append(Problem(file, skip + start, f"malformed row ({exc})"))
                resync = skip + start
                break
            line, end = skip + start, reader.line_num
            start = end + 1
            if not any(cell.strip() for cell in row):
                continue  # a blank line
            count += 1
            if _too_many(count, file, line, limits, read):
                return
            if len(row) != len(columns):
                spans = end - (line - skip) + 1
                hint = "an unclosed quote?" if spans > 1 else "an unquoted comma?"
                read.problems.append(
                    Problem(file, line, f"malformed row: {len(row)} fields where the header "
                            f"has {len(columns)} ({hint})")
                )  # fmt: skip
                if spans > 1:
                    resync = line
                continue
            _add(make_ticket(dict(zip(columns, row, strict=True)), file=file, line=line,
                             limits=limits), read)  # fmt: skip
        skip = resync  # the lines after the malformed record's first


def _add(made: Incoming | Problem, read: FileRead) -> None:
    if isinstance(made, Problem):
        read.problems.append(made)
    else:
        read.tickets.append(made)


def _json_values(value: dict[str, Any]) -> dict[str, str] | str:
    """The ticket's fields as text, or what is wrong with one."""
    values: dict[str, str] = {}
    for key in FIELDS:
        item = value.get(key)
        if item is None:
            continue
        if isinstance(item, bool) or not isinstance(item, str | int | float):
            return f"`{key}` must be text, not {type(item).__name__}"
        values[key] = str(item)
    return values


def read_jsonl(text: str, file: Path, limits: ReadLimits, read: FileRead) -> None:
    """One JSON object per line."""
    keys: set[str] = set()
    count = 0
    # not str.splitlines(): a JSON string may hold U+2028 and other Unicode line breaks
    for line, raw in enumerate(text.split("\n"), start=1):
        if not raw.strip():
            continue
        count += 1
        if _too_many(count, file, line, limits, read):
            break
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            read.problems.append(
                Problem(file, line, f"not valid JSON ({exc.msg}, column {exc.colno})")
            )
            continue
        if not isinstance(value, dict):
            what = type(value).__name__
            read.problems.append(Problem(file, line, f"not a JSON object ({what})"))
            continue
        keys |= set(value)
        values = _json_values(value)
        if isinstance(values, str):
            read.problems.append(Problem(file, line, values))
            continue
        _add(make_ticket(values, file=file, line=line, limits=limits), read)
    _unknown(keys, file, read)
