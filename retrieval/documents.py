"""Typed records that flow through ingestion: loaded documents, their sections, and chunks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict

from retrieval.tables import plain_tables


@dataclass(frozen=True)
class DocumentMeta:
    """Descriptive metadata of one document, used for filters and citations."""

    title: str
    doc_type: str = "general"
    audience: tuple[str, ...] = ()
    machine: tuple[str, ...] = ()

    @classmethod
    def from_mapping(cls, data: dict[str, Any], default_title: str) -> DocumentMeta:
        """Build from front matter or a manifest entry; lists or single strings both work.
        Raises `ValueError` naming the field when a value has the wrong shape."""
        return cls(
            title=_text(data, "title") or default_title,
            doc_type=_text(data, "doc_type") or "general",
            audience=_names(data, "audience"),
            machine=_names(data, "machine"),
        )


_SCALARS = (str, int, float, date)  # what YAML front matter gives for a plain value


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if value is None or value == "":
        return ""
    if isinstance(value, bool) or not isinstance(value, _SCALARS):
        raise ValueError(f"'{key}' must be text, not {_shown(value)}")
    return str(value)


def _names(data: dict[str, Any], key: str) -> tuple[str, ...]:
    """A name (`operator`) or a list of names (`[operator, new_staff]`)."""
    value = data.get(key)
    if value is None or value == "" or value == []:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple) and all(
        isinstance(v, _SCALARS) and not isinstance(v, bool) for v in value
    ):
        return tuple(str(v) for v in value)
    raise ValueError(f"'{key}' must be a name or a list of names, not {_shown(value)}")


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


@dataclass(frozen=True)
class Section:
    """A run of text under one heading path, on one page where pages exist."""

    text: str
    heading_path: tuple[str, ...] = ()
    page: int | None = None


@dataclass
class Extraction:
    """What a format loader read from one file, before metadata is merged in.

    `pages` is the page count of paged formats (PDF), None otherwise; `ocr_pages` counts the
    pages whose text came from OCR; `notes` name what could not be read and why (for example a
    scanned page left unread because Tesseract is not installed), so nothing is dropped silently.
    """

    sections: list[Section]
    title: str = ""
    front: dict[str, Any] = field(default_factory=dict)
    pages: int | None = None
    ocr_pages: int = 0
    notes: list[str] = field(default_factory=list)


class LoadStats(BaseModel):
    """Per-file counts for `plant ingest --report`, kept in the index manifest."""

    model_config = ConfigDict(frozen=True)

    pages: int | None = None
    sections: int = 0
    tables: int = 0
    ocr_pages: int = 0
    chars: int = 0
    notes: tuple[str, ...] = ()
    # sentences addressed to an AI assistant cut at ingest (None: not screened)
    instructions_cut: int | None = None

    @classmethod
    def of(cls, extraction: Extraction, sections: list[Section]) -> LoadStats:
        from retrieval.tables import split_blocks

        return cls(
            pages=extraction.pages,
            sections=len({s.heading_path for s in sections}),
            tables=sum(b.header is not None for s in sections for b in split_blocks(s.text)),
            ocr_pages=extraction.ocr_pages,
            chars=sum(len(s.text) for s in sections),
            notes=tuple(extraction.notes),
        )


@dataclass
class LoadedDocument:
    """A file read into sections, with its metadata and the hash of its bytes."""

    source: str  # path relative to the ingest root, with forward slashes
    meta: DocumentMeta
    sections: list[Section]
    content_hash: str
    stats: LoadStats = field(default_factory=LoadStats)


_TITLE_CHARS = 60
_HEADING_CHARS = 90
_HEADER_CHARS = 140


def _shortened(text: str, limit: int) -> str:
    """`text` cut at a word boundary to at most about `limit` characters."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"


def _header(title: str, path: tuple[str, ...]) -> str:
    """The title and the deepest headings that fit in about `_HEADER_CHARS` characters.

    Long titles ("Regulation (EU) 2023/1230 of the European Parliament and of the Council of
    14 June 2023 on machinery and repealing …") and deep paths would make every chunk of a
    document look alike and cost more to embed than the passage itself; the deepest heading
    says most about the passage.
    """
    head = _shortened(title, _TITLE_CHARS)
    kept: list[str] = []
    for heading in reversed(path):
        heading = _shortened(heading, _HEADING_CHARS)
        if kept and len(head) + sum(len(k) + 3 for k in kept) + len(heading) + 3 > _HEADER_CHARS:
            break
        kept.insert(0, heading)
    return " > ".join([head, *kept])


@dataclass(frozen=True)
class Screened:
    """A passage after the screen for text addressed to an AI assistant: its text as
    answers use it and how many instruction-like sentences were cut, under the screen's
    `version` (a passage screened by another version is screened again when asked)."""

    version: str
    text: str
    cut: int = 0

    def to_record(self, raw: str) -> dict[str, Any]:
        """Stored beside the chunk; the text only where it differs from the chunk's own."""
        record: dict[str, Any] = {"version": self.version, "cut": self.cut}
        if self.text != raw:
            record["text"] = self.text
        return record

    @classmethod
    def from_record(cls, record: dict[str, Any], raw: str) -> Screened:
        return cls(str(record["version"]), str(record.get("text", raw)), int(record["cut"]))


@dataclass(frozen=True)
class Chunk:
    """One retrievable passage with everything a citation needs."""

    chunk_id: str
    source: str
    title: str
    heading_path: tuple[str, ...]
    page: int | None
    text: str
    doc_type: str = "general"
    audience: tuple[str, ...] = ()
    machine: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)
    # the passage as answers read and show it, from the injection screen run at ingest
    # (`IngestConfig.screen`); None where the index was built without one
    screened: Screened | None = None

    @property
    def section(self) -> str:
        return " > ".join(self.heading_path)

    def embedding_text(self) -> str:
        """Text that is embedded and BM25-indexed: the title and headings give context, and
        table rows are written out with their column names, as a reader would say them."""
        path = self.heading_path
        if path and path[0] == self.title:  # a Markdown H1 usually repeats the title
            path = path[1:]
        return f"{_header(self.title, path)}\n{plain_tables(self.text)}"

    def to_record(self) -> dict[str, Any]:
        return {
            "chunk_id": self.chunk_id,
            "source": self.source,
            "title": self.title,
            "heading_path": list(self.heading_path),
            "page": self.page,
            "text": self.text,
            "doc_type": self.doc_type,
            "audience": list(self.audience),
            "machine": list(self.machine),
            **({"screened": self.screened.to_record(self.text)} if self.screened else {}),
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Chunk:
        return cls(
            chunk_id=record["chunk_id"],
            source=record["source"],
            title=record["title"],
            heading_path=tuple(record["heading_path"]),
            page=record["page"],
            text=record["text"],
            doc_type=record.get("doc_type", "general"),
            audience=tuple(record.get("audience", ())),
            machine=tuple(record.get("machine", ())),
            screened=Screened.from_record(record["screened"], record["text"])
            if "screened" in record
            else None,
        )
