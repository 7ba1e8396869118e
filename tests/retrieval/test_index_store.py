from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np
import pytest

import retrieval.index_store as index_store
from retrieval.documents import Chunk
from retrieval.errors import IndexBusyError, IndexCorruptError, IndexNotFoundError
from retrieval.index_lock import OWNER_FILE, ingest_lock
from retrieval.index_store import (
    CURRENT_FILE,
    IndexManifest,
    IndexSnapshot,
    load_snapshot,
    save_snapshot,
)
from retrieval.vector_index import IndexParams, build_index


def _snapshot(n: int = 3) -> IndexSnapshot:
    vectors = np.eye(n, 8, dtype=np.float32)
    chunks = [Chunk(f"c{i}", "a.md", "A", ("A", "S"), None, f"text {i}") for i in range(n)]
    manifest = IndexManifest(
        embedding_model="m",
        embedding_dim=8,
        chunk_size=400,
        chunk_overlap=60,
        index_kind="flat",
        loader_version=2,
    )
    return IndexSnapshot(manifest, chunks, vectors, build_index(vectors, IndexParams()))


def test_save_then_load_round_trip_and_old_versions_are_pruned(tmp_path: Path) -> None:
    first = save_snapshot(tmp_path, _snapshot())
    second = save_snapshot(tmp_path, _snapshot(4))
    loaded = load_snapshot(tmp_path)
    assert loaded.version == second != first
    assert [c.chunk_id for c in loaded.chunks] == ["c0", "c1", "c2", "c3"]
    assert loaded.faiss_index.ntotal == 4 and loaded.manifest.n_chunks == 4
    kept = sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".ingest."))
    assert kept == sorted(["CURRENT", second])


def test_missing_index_says_how_to_build_one(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFoundError, match="plant ingest"):
        load_snapshot(tmp_path / "nothing")


def test_damaged_files_are_reported_as_corrupt(tmp_path: Path) -> None:
    version = save_snapshot(tmp_path, _snapshot())
    (tmp_path / version / "vectors.npy").write_bytes(b"not numpy")
    with pytest.raises(IndexCorruptError, match="plant ingest --rebuild"):
        load_snapshot(tmp_path)


def test_inconsistent_counts_are_reported(tmp_path: Path) -> None:
    version = save_snapshot(tmp_path, _snapshot())
    chunks = tmp_path / version / "chunks.jsonl"
    chunks.write_text("\n".join(chunks.read_text().splitlines()[:2]) + "\n", encoding="utf-8")
    with pytest.raises(IndexCorruptError, match="2 chunks, 3 vectors"):
        load_snapshot(tmp_path)


def test_compatibility_names_what_changed() -> None:
    manifest = _snapshot().manifest

    def check(model: str = "m", size: int = 400, overlap: int = 60, loader: int = 2) -> str:
        reason = manifest.compatible_with(
            embedding_model=model, chunk_size=size, chunk_overlap=overlap, loader_version=loader
        )
        return reason or ""

    assert check() == ""
    assert "embedding model" in check(model="x")
    assert "chunking" in check(size=500)
    assert "loaders" in check(loader=3)


def test_a_second_writer_is_refused_naming_the_holder(tmp_path: Path) -> None:
    first = save_snapshot(tmp_path, _snapshot())
    refused: list[Exception] = []

    def write() -> None:
        try:
            save_snapshot(tmp_path, _snapshot(4), lock_timeout_s=0.1)
        except IndexBusyError as exc:
            refused.append(exc)

    with ingest_lock(tmp_path):  # as another ingest holds it
        writer = threading.Thread(target=write)
        writer.start()
        writer.join()
        assert save_snapshot(tmp_path, _snapshot(2))  # the holder itself may write
    assert len(refused) == 1
    message = str(refused[0])
    assert message.startswith(f"Another ingest is running on {tmp_path} (started ")
    assert f"by pid {os.getpid()}); try again when it finishes." in message
    assert load_snapshot(tmp_path).version != first
    assert not (tmp_path / OWNER_FILE).exists()  # released: nobody is named any more


def test_a_reader_whose_version_is_removed_meanwhile_reads_the_new_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = save_snapshot(tmp_path, _snapshot())
    real = index_store._load_version
    calls: list[str] = []

    def racing(index_dir: Path, version: str) -> IndexSnapshot:
        calls.append(version)
        if len(calls) == 1:  # an ingest switches CURRENT and removes `first` right now
            save_snapshot(tmp_path, _snapshot(4))
        return real(index_dir, version)

    monkeypatch.setattr(index_store, "_load_version", racing)
    loaded = load_snapshot(tmp_path)
    assert calls[0] == first and loaded.version == calls[1] != first
    assert loaded.faiss_index.ntotal == 4


def test_cleanup_keeps_what_current_names_and_removes_leftovers(tmp_path: Path) -> None:
    version = save_snapshot(tmp_path, _snapshot())
    (tmp_path / ".staging-v1-dead").mkdir()  # left by a writer that crashed
    (tmp_path / ".CURRENT.999-dead.tmp").write_text("v1", encoding="utf-8")
    (tmp_path / CURRENT_FILE).write_text("v-missing", encoding="utf-8")  # edited by hand
    index_store._remove_old_versions(tmp_path)
    assert (tmp_path / version).is_dir()  # CURRENT names no folder: nothing is removed
    (tmp_path / CURRENT_FILE).write_text(version, encoding="utf-8")
    index_store._remove_old_versions(tmp_path)
    kept = sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".ingest."))
    assert kept == sorted([CURRENT_FILE, version])
