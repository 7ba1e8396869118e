"""Heading-aware chunking: each section is split on its own, and chunk ids are stable."""

from __future__ import annotations

import hashlib

from langchain_text_splitters import RecursiveCharacterTextSplitter

from retrieval.documents import Chunk, LoadedDocument

# Separators ordered so that splits fall between table rows, list items and sentences
# before they fall inside them.
_SEPARATORS = ["\n\n", "\n", ". ", "; ", ", ", " ", ""]


def make_splitter(chunk_size: int, chunk_overlap: int) -> RecursiveCharacterTextSplitter:
    if chunk_overlap >= chunk_size:
        raise ValueError(
            f"chunk_overlap ({chunk_overlap}) must be smaller than chunk_size ({chunk_size})"
        )
    return RecursiveCharacterTextSplitter(
        chunk_size=chunk_size,
        chunk_overlap=chunk_overlap,
        separators=_SEPARATORS,
        keep_separator="end",
        strip_whitespace=True,
    )


def chunk_id(source: str, section_index: int, piece_index: int, text: str) -> str:
    """Same file, same place, same text -> same id, across runs and machines."""
    key = f"{source}\x00{section_index}\x00{piece_index}\x00{text}".encode()
    return hashlib.sha1(key, usedforsecurity=False).hexdigest()[:16]


def chunk_document(doc: LoadedDocument, chunk_size: int, chunk_overlap: int) -> list[Chunk]:
    """Split every section of a document into chunks no longer than `chunk_size` characters."""
    splitter = make_splitter(chunk_size, chunk_overlap)
    chunks: list[Chunk] = []
    for section_index, section in enumerate(doc.sections):
        for piece_index, piece in enumerate(splitter.split_text(section.text)):
            if not piece.strip():
                continue
            chunks.append(
                Chunk(
                    chunk_id=chunk_id(doc.source, section_index, piece_index, piece),
                    source=doc.source,
                    title=doc.meta.title,
                    heading_path=section.heading_path,
                    page=section.page,
                    text=piece,
                    doc_type=doc.meta.doc_type,
                    audience=doc.meta.audience,
                    machine=doc.meta.machine,
                )
            )
    return chunks
