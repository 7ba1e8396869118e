"""Heading-aware chunking: each section is split on its own, and chunk ids are stable."""

from __future__ import annotations

import hashlib

from langchain_text_splitters import RecursiveCharacterTextSplitter

from retrieval.documents import Chunk, LoadedDocument
from retrieval.tables import Block, split_blocks

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


def split_section(text: str, splitter: RecursiveCharacterTextSplitter, size: int) -> list[str]:
    """Pieces of one section: text split by `splitter`; Markdown tables split between rows,
    every piece repeating the header so a row is never read without its column names.

    The last piece of one block and the first of the next are joined when they fit together,
    so a short lead-in sentence stays with its table.
    """
    pieces: list[str] = []
    for block in split_blocks(text):
        if block.header is None:
            parts = splitter.split_text(block.text)
        else:
            parts = _table_pieces(block, splitter, size)
        parts = [p for p in parts if p.strip()]
        if pieces and parts and len(pieces[-1]) + 1 + len(parts[0]) <= size:
            pieces[-1] = pieces[-1] + "\n" + parts.pop(0)
        pieces.extend(parts)
    return pieces


def _table_pieces(block: Block, splitter: RecursiveCharacterTextSplitter, size: int) -> list[str]:
    head = block.text.splitlines()[:2]
    if len(block.text) <= size or not block.rows:
        return [block.text]
    pieces: list[str] = []
    if len("\n".join(head)) > size * 2 // 3:  # too long to repeat: once, as text, then the rows
        pieces, head = splitter.split_text(head[0]), []
    group: list[str] = []
    for row in block.rows:
        if len("\n".join([*head, *group, row])) > size and group:
            pieces.append("\n".join([*head, *group]))
            group = []
        if len("\n".join([*head, row])) > size:  # one row longer than a chunk
            pieces.extend(splitter.split_text(row))
            continue
        group.append(row)
    if group:
        pieces.append("\n".join([*head, *group]))
    return pieces


def chunk_document(doc: LoadedDocument, chunk_size: int, chunk_overlap: int) -> list[Chunk]:
    """Split every section of a document into chunks no longer than `chunk_size` characters."""
    splitter = make_splitter(chunk_size, chunk_overlap)
    chunks: list[Chunk] = []
    for section_index, section in enumerate(doc.sections):
        pieces = split_section(section.text, splitter, chunk_size)
        for piece_index, piece in enumerate(pieces):
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
