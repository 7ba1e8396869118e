"""The chat benchmarks run against a small index of their own (`PLANT_DATA_DIR`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.embeddings import SentenceEmbedder
from retrieval.ingest import IngestConfig, ingest


@pytest.fixture
def chat_data_dir(
    tmp_path: Path,
    corpus: Path,
    ingest_config: IngestConfig,
    embedder: SentenceEmbedder,
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    """The small corpus indexed in a data directory the chat the benchmark starts will use."""
    data_dir = tmp_path / "data"
    ingest([corpus], IngestConfig(**{**ingest_config.__dict__, "index_dir": data_dir / "index"}),
           embedder)  # fmt: skip
    monkeypatch.setenv("PLANT_DATA_DIR", str(data_dir))
    monkeypatch.setenv("PLANT_CHUNK_SIZE", "400")
    monkeypatch.setenv("PLANT_CHUNK_OVERLAP", "50")
    return data_dir
