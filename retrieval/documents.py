"""Typed records that flow through ingestion: loaded documents, their sections, and chunks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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
        """Build from front matter or a manifest entry; lists or single strings both work."""

        def as_tuple(value: Any) -> tuple[str, ...]:
            if value is None or value == "":
                return ()
            if isinstance(value, str):
                return (value,)
            return tuple(str(v) for v in value)

        return cls(
            title=str(data.get("title") or default_title),
            doc_type=str(data.get("doc_type") or "general"),
            audience=as_tuple(data.get("audience")),
            machine=as_tuple(data.get("machine")),
        )


@dataclass(frozen=True)
class Section:
    """A run of text under one heading path, on one page where pages exist."""

    text: str
    heading_path: tuple[str, ...] = ()
    page: int | None = None


@dataclass
class LoadedDocument:
    """A file read into sections, with its metadata and the hash of its bytes."""

    source: str  # path relative to the ingest root, with forward slashes
    meta: DocumentMeta
    sections: list[Section]
    content_hash: str


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

    @property
    def section(self) -> str:
        return " > ".join(self.heading_path)

    def embedding_text(self) -> str:
        """Text that is embedded and BM25-indexed: the title and headings give context, and
        table rows are written out with their column names, as a reader would say them."""
        path = self.heading_path
        if path and path[0] == self.title:  # a Markdown H1 usually repeats the title
            path = path[1:]
        header = " > ".join((self.title, *path))
        return f"{header}\n{plain_tables(self.text)}"

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
        )
