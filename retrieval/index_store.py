"""The index on disk: chunks, vectors, FAISS index and manifest, written atomically.

Layout of `index_dir`::

    CURRENT            # name of the live version directory, replaced atomically
    .ingest.lock       # held by the one ingest that may write (with .ingest.owner: who)
    v<timestamp>-<id>/ # one complete snapshot
        manifest.json  # embedding model, dimension, chunking parameters, per-file hashes
        chunks.jsonl   # one chunk record per line, row i <-> vector i <-> FAISS id i
        vectors.npy    # float32 (n, dim), L2-normalized
        faiss.index

A snapshot is written into a hidden temporary directory, renamed into place, and only then
does `CURRENT` point at it, so a crash at any moment leaves the previous snapshot loadable.
Writers hold the index's ingest lock (`index_lock`); a version is removed only once `CURRENT`
names another.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from retrieval.documents import Chunk, LoadStats
from retrieval.errors import IndexCorruptError, IndexNotFoundError
from retrieval.index_lock import LOCK_TIMEOUT_S, ingest_lock

FORMAT_VERSION = 1
CURRENT_FILE = "CURRENT"


class FileEntry(BaseModel):
    """What the index holds of one source file."""

    root: str
    content_hash: str
    title: str
    doc_type: str
    chunk_ids: list[str]
    stats: LoadStats | None = None  # None in indexes written before stats were kept


class IndexManifest(BaseModel):
    """Everything needed to decide whether stored vectors can be reused."""

    format_version: int = FORMAT_VERSION
    loader_version: int = 0
    embedding_model: str
    embedding_dim: int
    chunk_size: int
    chunk_overlap: int
    index_kind: str
    created_at: str = Field(default_factory=lambda: datetime.now(UTC).isoformat())
    n_chunks: int = 0
    files: dict[str, FileEntry] = Field(default_factory=dict)

    def compatible_with(
        self, *, embedding_model: str, chunk_size: int, chunk_overlap: int, loader_version: int
    ) -> str | None:
        """None when vectors can be reused, else the reason they cannot."""
        if self.format_version != FORMAT_VERSION:
            return f"index format {self.format_version} is not {FORMAT_VERSION}"
        if self.loader_version != loader_version:
            return f"document loaders changed (version {self.loader_version} -> {loader_version})"
        if self.embedding_model != embedding_model:
            return f"embedding model changed ({self.embedding_model} -> {embedding_model})"
        if (self.chunk_size, self.chunk_overlap) != (chunk_size, chunk_overlap):
            return (
                f"chunking changed ({self.chunk_size}/{self.chunk_overlap} -> "
                f"{chunk_size}/{chunk_overlap})"
            )
        return None


@dataclass
class IndexSnapshot:
    """One complete, consistent state of the index."""

    manifest: IndexManifest
    chunks: list[Chunk]
    vectors: np.ndarray
    faiss_index: Any
    version: str = ""


def has_index(index_dir: Path) -> bool:
    return (index_dir / CURRENT_FILE).is_file()


def current_version(index_dir: Path) -> str | None:
    """The name of the live version (what `CURRENT` says), or None without an index: a
    process holding an older version can tell that another one ingested since."""
    try:
        return (index_dir / CURRENT_FILE).read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def save_snapshot(
    index_dir: Path, snapshot: IndexSnapshot, *, lock_timeout_s: float = LOCK_TIMEOUT_S
) -> str:
    """Write a new version and switch `CURRENT` to it. Returns the version name.

    Holds the index's ingest lock (already held when called from `ingest`), so that no other
    writer removes this version or has its own removed."""
    import faiss

    with ingest_lock(index_dir, lock_timeout_s):
        version = f"v{time.time_ns()}-{secrets.token_hex(3)}"
        staging = index_dir / f".staging-{version}"
        staging.mkdir()
        try:
            snapshot.manifest.n_chunks = len(snapshot.chunks)
            with open(staging / "chunks.jsonl", "w", encoding="utf-8") as fh:
                for chunk in snapshot.chunks:
                    fh.write(json.dumps(chunk.to_record(), ensure_ascii=False) + "\n")
            np.save(staging / "vectors.npy", snapshot.vectors)
            faiss.write_index(_cpu_index(snapshot.faiss_index), str(staging / "faiss.index"))
            (staging / "manifest.json").write_text(
                snapshot.manifest.model_dump_json(indent=2), encoding="utf-8"
            )
            _fsync_dir_files(staging)
            os.rename(staging, index_dir / version)
            _write_atomic(index_dir / CURRENT_FILE, version)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        _remove_old_versions(index_dir)
    snapshot.version = version
    return version


def load_snapshot(index_dir: Path) -> IndexSnapshot:
    """Read the live version. Raises `IndexNotFoundError` or `IndexCorruptError`.

    Readers take no lock: when an ingest switches `CURRENT` and removes the version being
    read, the read starts again on the new one."""
    if not has_index(index_dir):
        raise IndexNotFoundError(index_dir)
    version = (index_dir / CURRENT_FILE).read_text(encoding="utf-8").strip()
    try:
        return _load_version(index_dir, version)
    except IndexCorruptError:
        newer = current_version(index_dir)
        if newer is None or newer == version:
            raise
        return _load_version(index_dir, newer)


def _load_version(index_dir: Path, version: str) -> IndexSnapshot:
    import faiss

    folder = index_dir / version
    try:
        manifest = IndexManifest.model_validate_json((folder / "manifest.json").read_bytes())
        with open(folder / "chunks.jsonl", encoding="utf-8") as fh:
            chunks = [Chunk.from_record(json.loads(line)) for line in fh if line.strip()]
        vectors = np.load(folder / "vectors.npy")
        faiss_index = faiss.read_index(str(folder / "faiss.index"))
    except (OSError, ValueError, KeyError, RuntimeError) as exc:
        raise IndexCorruptError(index_dir, f"{type(exc).__name__}: {exc}") from exc
    if not (len(chunks) == len(vectors) == faiss_index.ntotal == manifest.n_chunks):
        raise IndexCorruptError(
            index_dir,
            f"{len(chunks)} chunks, {len(vectors)} vectors, {faiss_index.ntotal} indexed",
        )
    return IndexSnapshot(manifest, chunks, vectors, faiss_index, version)


def _cpu_index(index: Any) -> Any:
    import faiss

    if type(index).__name__.startswith("Gpu"):
        return faiss.index_gpu_to_cpu(index)
    return index


def _write_atomic(path: Path, text: str) -> None:
    # a name of its own (not tempfile's, whose files only their owner may read: a chat server
    # running as another user must read CURRENT)
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "x", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _fsync_dir_files(folder: Path) -> None:
    for file in folder.iterdir():
        with open(file, "rb") as fh:
            os.fsync(fh.fileno())


def _remove_old_versions(index_dir: Path) -> None:
    """Remove every version but the one `CURRENT` names, and what crashed writers left behind.
    Called with the ingest lock held, so no other writer is staging a version now."""
    live = current_version(index_dir)
    if live is None or not (index_dir / live).is_dir():
        return  # never guess which version is live
    for entry in index_dir.iterdir():
        if entry.name == live:
            continue
        if entry.is_dir() and entry.name.startswith(("v", ".staging-")):
            shutil.rmtree(entry, ignore_errors=True)
        elif entry.name.startswith(f".{CURRENT_FILE}.") and entry.name.endswith(".tmp"):
            entry.unlink(missing_ok=True)
