"""Incremental ingest: embed only added or changed files, drop deleted ones, save atomically."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from retrieval.chunking import chunk_document
from retrieval.documents import Chunk, LoadStats, Screened
from retrieval.embeddings import SentenceEmbedder
from retrieval.errors import DocumentLoadError, IndexCorruptError, NoDocumentsError, PlantError
from retrieval.index_lock import LOCK_TIMEOUT_S, ingest_lock
from retrieval.index_store import (
    FileEntry,
    IndexManifest,
    IndexSnapshot,
    has_index,
    load_snapshot,
    save_snapshot,
)
from retrieval.loaders import (
    LOADER_VERSION,
    SUPPORTED_SUFFIXES,
    LoadOptions,
    fingerprint,
    iter_document_paths,
    load_document,
    read_manifest,
    source_name,
)
from retrieval.vector_index import IndexParams, build_index

log = logging.getLogger(__name__)
Screen = Callable[[list[str]], list[tuple[str, int]]]


@dataclass(frozen=True)
class IngestConfig:
    """The parts of the settings that shape an index."""

    index_dir: Path
    embedding_model: str
    chunk_size: int
    chunk_overlap: int
    index_params: IndexParams = field(default_factory=IndexParams)
    load_options: LoadOptions = field(default_factory=LoadOptions)
    lock_timeout_s: float = LOCK_TIMEOUT_S  # how long to wait for another ingest to finish
    # run once per passage at ingest so that questions need not: each text as answers will
    # use it, and how many instruction-like sentences it lost (assistant's passage guard)
    screen: Screen | None = None
    screen_version: str = ""  # stored with each result; another version screens again


@dataclass
class IngestReport:
    """What one ingest run did, for the CLI and for tests."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    # what was read from every indexed file walked this run (unchanged ones: as last read)
    files: dict[str, LoadStats] = field(default_factory=dict)
    chunks_embedded: int = 0
    total_chunks: int = 0
    seconds: float = 0.0
    full_rebuild_reason: str | None = None
    version: str = ""

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed or self.full_rebuild_reason)


@dataclass
class _NextSnapshot:
    """What the new snapshot will hold: chunks carried over with their stored vectors,
    chunks still to embed, and an entry for every file."""

    previous: IndexSnapshot | None
    kept_chunks: list[Chunk] = field(default_factory=list)
    kept_vectors: list[np.ndarray] = field(default_factory=list)
    new_chunks: list[Chunk] = field(default_factory=list)
    files: dict[str, FileEntry] = field(default_factory=dict)

    def __post_init__(self) -> None:
        previous = self.previous
        self.previous_rows = (
            {c.chunk_id: i for i, c in enumerate(previous.chunks)} if previous else {}
        )
        self.previous_files = previous.manifest.files if previous else {}

    def keep(self, source: str, entry: FileEntry) -> None:
        """Carry a file's stored chunks and vectors into the new snapshot unchanged."""
        assert self.previous is not None
        rows = [self.previous_rows[cid] for cid in entry.chunk_ids]
        self.kept_chunks.extend(self.previous.chunks[r] for r in rows)
        self.kept_vectors.append(self.previous.vectors[rows])
        self.files[source] = entry


def ingest(
    paths: Sequence[Path],
    config: IngestConfig,
    embedder: SentenceEmbedder,
    *,
    rebuild: bool = False,
    show_progress: bool = False,
) -> IngestReport:
    """Bring the index in line with the files under `paths`.

    Files whose bytes are unchanged keep their stored vectors; files that fail to load are
    reported and skipped (a previously indexed version of such a file is kept). Files that
    disappeared from a given folder are removed. Nothing is written unless something changed
    (a file, or, with `config.screen`, the screen's version: stored chunks are then screened).
    One ingest runs at a time on an index: another waits up to `config.lock_timeout_s`, then
    is refused with `IndexBusyError`. A path without documents raises `NoDocumentsError`, a
    broken `manifest.json` `ManifestError`, before anything is read.
    """
    started = time.perf_counter()
    candidates = document_candidates(paths)
    manifests = {root: read_manifest(root) for root in {root for _, root in candidates}}
    with ingest_lock(config.index_dir, config.lock_timeout_s):
        report = IngestReport()
        previous = _previous_snapshot(config, rebuild, report)
        plan = _NextSnapshot(previous)
        seen_roots = _read_files(candidates, manifests, config, plan, report, show_progress)
        _carry_unwalked_files(plan, seen_roots, report)
        if not report.changed and previous is not None and not _unscreened(previous, config):
            report.total_chunks = len(previous.chunks)
            report.version = previous.version
            report.seconds = time.perf_counter() - started
            return report
        _screen(plan, config, report)
        snapshot = _embed_snapshot(plan, paths, config, embedder, report, show_progress)
        report.version = save_snapshot(config.index_dir, snapshot)
    report.total_chunks = len(snapshot.chunks)
    report.seconds = time.perf_counter() - started
    return report


def document_candidates(paths: Sequence[Path]) -> list[tuple[Path, Path]]:
    """(file, root) for every file under `paths`. Raises `NoDocumentsError` naming a path that
    does not exist, a folder that holds no file of a supported type, or files none of which
    is one: a mistyped path is never a run that quietly ingests nothing. (A file of another
    type given among documents is reported as skipped, as in a folder.)"""
    formats = ", ".join(SUPPORTED_SUFFIXES)
    found: list[tuple[Path, Path]] = []
    for given in map(Path, paths):
        if not given.exists():
            raise NoDocumentsError(f"Not found: {given}. Give files or folders of {formats}.")
        files = list(iter_document_paths([given]))
        if given.is_dir() and not any(_supported(file) for file, _ in files):
            raise NoDocumentsError(
                f"{given} holds no documents to ingest: the formats read are {formats}."
            )
        found += files
    if not any(_supported(file) for file, _ in found):
        names = ", ".join(str(p) for p in paths) or "(no paths given)"
        raise NoDocumentsError(
            f"No documents to ingest in {names}: the formats read are {formats}."
        )
    return found


def _supported(file: Path) -> bool:
    return file.suffix.lower() in SUPPORTED_SUFFIXES


def _read_files(
    candidates: list[tuple[Path, Path]],
    manifests: dict[Path, dict[str, Any]],
    config: IngestConfig,
    plan: _NextSnapshot,
    report: IngestReport,
    show_progress: bool,
) -> set[str]:
    """Walk the candidate files into `plan`; returns the roots walked (resolved)."""
    seen_roots: set[str] = set()
    for file, root in tqdm(candidates, desc="Reading", unit="file", disable=not show_progress):
        seen_roots.add(str(root.resolve()))
        _read_file(file, root, manifests[root], config, plan, report)
    return seen_roots


def _read_file(
    file: Path,
    root: Path,
    manifest: dict[str, Any],
    config: IngestConfig,
    plan: _NextSnapshot,
    report: IngestReport,
) -> None:
    """Keep an unchanged file's stored chunks, or load and chunk a new or changed one."""
    root_key = str(root.resolve())
    source = source_name(file, root)
    old = plan.previous_files.get(source)
    try:
        # Compare fingerprints before parsing: unchanged files are never re-read.
        if old is not None and old.content_hash == fingerprint(
            file, root, manifest, config.load_options
        ):
            plan.keep(source, old.model_copy(update={"root": root_key}))
            report.unchanged.append(source)
            if old.stats is not None:
                report.files[source] = old.stats
            return
        doc = load_document(file, root, manifest, config.load_options)
    except DocumentLoadError as exc:
        report.failed.append((str(exc.path), exc.reason))
        log.warning("skipped %s", exc)
        if old is not None:  # keep its last good version
            plan.keep(source, old)
        return
    chunks = chunk_document(doc, config.chunk_size, config.chunk_overlap)
    plan.new_chunks.extend(chunks)
    plan.files[doc.source] = FileEntry(
        root=root_key,
        content_hash=doc.content_hash,
        title=doc.meta.title,
        doc_type=doc.meta.doc_type,
        chunk_ids=[c.chunk_id for c in chunks],
        stats=doc.stats,
    )
    report.files[doc.source] = doc.stats
    (report.updated if old is not None else report.added).append(doc.source)


def _carry_unwalked_files(plan: _NextSnapshot, seen_roots: set[str], report: IngestReport) -> None:
    """Files of other roots stay; files that vanished from a root just walked go."""
    for source, entry in plan.previous_files.items():
        if source in plan.files:
            continue
        if entry.root in seen_roots:
            report.removed.append(source)
        elif plan.previous is not None:
            plan.keep(source, entry)


def _unscreened(snapshot: IndexSnapshot, config: IngestConfig) -> bool:
    """Whether some stored chunk was not screened by this version (an index built before):
    then an ingest that changes no file still screens it and saves the index."""
    return config.screen is not None and any(
        c.screened is None or c.screened.version != config.screen_version for c in snapshot.chunks
    )


def _screen(plan: _NextSnapshot, config: IngestConfig, report: IngestReport) -> None:
    """Screen every chunk not yet screened by this version, in one batch, and count per
    file the sentences cut (in the file's stats and, where there were any, a note)."""
    if config.screen is None:
        return
    chunks = [*plan.kept_chunks, *plan.new_chunks]
    todo = [
        i
        for i, c in enumerate(chunks)
        if c.screened is None or c.screened.version != config.screen_version
    ]
    if not todo:
        return
    for i, (text, cut) in zip(todo, config.screen([chunks[i].text for i in todo]), strict=True):
        chunks[i] = replace(chunks[i], screened=Screened(config.screen_version, text, cut))
    plan.kept_chunks, plan.new_chunks = (
        chunks[: len(plan.kept_chunks)],
        chunks[len(plan.kept_chunks) :],
    )
    screened = {chunks[i].source for i in todo}
    cut_by_file = dict.fromkeys(screened, 0)
    for chunk in chunks:
        if chunk.source in screened and chunk.screened is not None:
            cut_by_file[chunk.source] += chunk.screened.cut
    for source in screened & plan.files.keys():
        entry, cut = plan.files[source], cut_by_file[source]
        stats = entry.stats or LoadStats()
        notes = tuple(n for n in stats.notes if not n.endswith(_CUT_NOTE))
        if cut:
            notes += (f"{cut} {'sentence' if cut == 1 else 'sentences'}{_CUT_NOTE}",)
        stats = stats.model_copy(update={"instructions_cut": cut, "notes": notes})
        plan.files[source] = entry.model_copy(update={"stats": stats})
        if source in report.files:
            report.files[source] = stats


_CUT_NOTE = " addressed to an AI assistant left out of the passages"


def _embed_snapshot(
    plan: _NextSnapshot,
    paths: Sequence[Path],
    config: IngestConfig,
    embedder: SentenceEmbedder,
    report: IngestReport,
    show_progress: bool,
) -> IndexSnapshot:
    """Embed the new chunks and assemble the snapshot: kept rows first, then new ones."""
    new_vectors = embedder.encode(
        [c.embedding_text() for c in plan.new_chunks], show_progress=show_progress
    )
    report.chunks_embedded = len(plan.new_chunks)
    all_chunks = plan.kept_chunks + plan.new_chunks
    if not all_chunks:
        raise PlantError(
            "Nothing could be ingested: no readable documents were found in "
            + ", ".join(str(p) for p in paths)
            + ". The existing index (if any) was left as it was."
        )
    dim = new_vectors.shape[1] if len(new_vectors) else plan.kept_vectors[0].shape[1]
    vectors = np.concatenate([*plan.kept_vectors, new_vectors.reshape(-1, dim)])
    vectors = vectors.astype(np.float32)
    manifest = IndexManifest(
        loader_version=LOADER_VERSION,
        embedding_model=config.embedding_model,
        embedding_dim=dim,
        chunk_size=config.chunk_size,
        chunk_overlap=config.chunk_overlap,
        index_kind=config.index_params.concrete_kind(len(vectors)),
        files=plan.files,
    )
    return IndexSnapshot(manifest, all_chunks, vectors, build_index(vectors, config.index_params))


def _previous_snapshot(
    config: IngestConfig, rebuild: bool, report: IngestReport
) -> IndexSnapshot | None:
    if rebuild:
        report.full_rebuild_reason = "rebuild requested"
        return None
    if not has_index(config.index_dir):
        return None
    try:
        previous = load_snapshot(config.index_dir)
    except IndexCorruptError as exc:
        report.full_rebuild_reason = str(exc)
        return None
    reason = previous.manifest.compatible_with(
        embedding_model=config.embedding_model,
        chunk_size=config.chunk_size,
        chunk_overlap=config.chunk_overlap,
        loader_version=LOADER_VERSION,
    )
    if reason:
        report.full_rebuild_reason = reason
        return None
    return previous
