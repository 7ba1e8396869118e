"""Documents an admin attaches in the chat: kept in the data directory and added to the index.

The upload was screened before (`capabilities/uploads.py`: only admins' documents get here).
The file is stored under a safe name, the folder is ingested incrementally (only the new or
changed file is read and embedded; everything else keeps its vectors), and the new index
version is picked up by every chat session at its next question (`assistant/chat_service.py`).
"""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from assistant.answering.chain import ChainEvent
from assistant.capabilities.base import Request, Upload, answer_event
from assistant.capabilities.uploads import TEXT_DOCUMENTS
from retrieval.ingest import IngestReport
from tools.common.errors import PlantError

# module-level: the chat builds a new router (and Library) when the index changes, and an
# ingest still running for the old one must not overlap one for the new
_INGESTING = threading.Lock()
_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


def stored_name(upload: Upload) -> str:
    """A file name safe to keep: no folders, no odd characters, the right extension.

    Example:
        >>> stored_name(Upload(Path("/tmp/x"), "../../Pump Manual (v2).PDF", kind="document"))
        'Pump Manual _v2_.pdf'
    """
    given = Path(upload.name.replace("\\", "/")).name
    stem, suffix = Path(given).stem, Path(given).suffix.lower()
    if suffix not in (*TEXT_DOCUMENTS, ".pdf", ".docx"):
        with upload.path.open("rb") as file:
            suffix = ".pdf" if file.read(4) == b"%PDF" else ".docx"
    stem = _UNSAFE.sub("_", stem).strip(" .") or "document"
    return f"{stem[:100]}{suffix}"


@dataclass
class Library:
    """Adds attached documents to the plant's documents (admins only, screened before)."""

    folder: Path
    ingest: Callable[[list[Path]], IngestReport]

    def can_handle(self, request: Request) -> bool:
        return any(self.accepts(u) for u in request.uploads)

    def accepts(self, upload: Upload) -> bool:
        return upload.kind == "document"

    def handoff(self, request: Request) -> str | None:
        return None

    def handle(self, request: Request) -> Iterator[ChainEvent]:
        upload = request.uploads[0]
        name = stored_name(upload)
        yield ChainEvent("token", token=f"Adding **{name}** to the plant documents…\n\n")
        with _INGESTING:  # one ingest at a time in this process, whichever router asks
            self.folder.mkdir(parents=True, exist_ok=True)
            target = self.folder / name
            replaced = target.exists()
            previous = self.folder.parent / f".{name}.previous"  # outside the ingested folder
            if replaced:
                shutil.copyfile(target, previous)
            shutil.copyfile(upload.path, target)
            try:
                report = self.ingest([self.folder])
                reason = _failure(report, name)
            except PlantError as exc:  # nothing readable at all: the index is left as it was
                reason = str(exc)
            if reason is not None:  # the earlier copy (if any) comes back, and its passages
                _restore(target, previous if replaced else None)
                if replaced:
                    self.ingest([self.folder])
            previous.unlink(missing_ok=True)
        if reason is not None:
            kept = " The earlier copy is kept." if replaced else ""
            yield answer_event(request, f"{name} could not be added: {reason}{kept}", "library")
            return
        yield answer_event(request, _added(name, report, replaced), "library")


def _failure(report: IngestReport, name: str) -> str | None:
    return next((why for path, why in report.failed if Path(path).name == name), None)


def _restore(target: Path, previous: Path | None) -> None:
    if previous is None:
        target.unlink(missing_ok=True)
    else:
        shutil.copyfile(previous, target)


def _added(name: str, report: IngestReport, replaced: bool) -> str:
    stats = next((s for path, s in report.files.items() if Path(path).name == name), None)
    read = ""
    if stats is not None:
        pages = f"{stats.pages} pages, " if stats.pages else ""
        ocr = f", {stats.ocr_pages} read by OCR" if stats.ocr_pages else ""
        read = f" ({pages}{stats.sections} sections, {stats.tables} tables{ocr})"
        if stats.notes:
            read += ". Notes: " + "; ".join(stats.notes)
    verb = "replaced" if replaced else "added"
    return (
        f"{name} is {verb}{read}: {report.chunks_embedded} passages embedded in "
        f"{report.seconds:.1f} s. Every chat searches it from its next question."
    )
