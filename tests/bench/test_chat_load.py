from __future__ import annotations

from pathlib import Path

import pytest

from bench.chat_load import main
from retrieval.embeddings import SentenceEmbedder
from retrieval.ingest import IngestConfig, ingest


def test_signed_in_sessions_get_every_reply_over_the_websocket(
    tmp_path: Path,
    corpus: Path,
    ingest_config: IngestConfig,
    embedder: SentenceEmbedder,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data_dir = tmp_path / "data"
    ingest([corpus], IngestConfig(**{**ingest_config.__dict__, "index_dir": data_dir / "index"}),
           embedder)  # fmt: skip
    monkeypatch.setenv("PLANT_DATA_DIR", str(data_dir))
    monkeypatch.setenv("PLANT_CHUNK_SIZE", "400")
    monkeypatch.setenv("PLANT_CHUNK_OVERLAP", "50")
    main(["--sessions", "3", "--messages", "2", "--no-write"])
    printed = capsys.readouterr().out
    assert "| replies | 6 of 6 | all |" in printed
    assert "| errors | 0 | 0 |" in printed
