"""The router is built from the one settings object: its limits reach every capability."""

from __future__ import annotations

from pathlib import Path

from assistant.settings import Settings
from assistant.wiring import make_router
from retrieval.embeddings import SentenceEmbedder
from retrieval.ingest import IngestConfig, ingest


def test_limits_in_the_settings_reach_the_chat_tools(
    tmp_path: Path,
    corpus: Path,
    ingest_config: IngestConfig,
    embedder: SentenceEmbedder,
    suite_database: str,
) -> None:
    data = tmp_path / "data"
    ingest([corpus], IngestConfig(**{**ingest_config.__dict__, "index_dir": data / "index"}),
           embedder)  # fmt: skip
    settings = Settings(
        data_dir=data, database_url=suite_database, chunk_size=400, chunk_overlap=50,
        llm_backend="extractive", max_numbers_per_paste=10, max_rows_per_file=20,
        max_photo_pixels=1_000_000, photo_working_pixels=250_000,
    )  # fmt: skip
    tools = make_router(settings).capabilities
    spc = tools["spc_analysis"]
    assert spc.limits.max_numbers_per_paste == 10 and spc.limits.max_rows_per_file == 20  # type: ignore[attr-defined]
    assert tools["defect_inspection"].pixels == (1_000_000, 250_000)  # type: ignore[attr-defined]
