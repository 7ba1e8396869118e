from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from retrieval.documents import Chunk
from retrieval.errors import IndexCorruptError, IndexNotFoundError
from retrieval.index_store import IndexManifest, IndexSnapshot, load_snapshot, save_snapshot
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
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["CURRENT", second])


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
