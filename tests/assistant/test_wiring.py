"""The router is built from the one settings object: its limits reach every capability; the
ticket drafter follows the index's versions."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.settings import Settings
from assistant.wiring import drafter_loader, make_router
from retrieval.embeddings import SentenceEmbedder
from retrieval.ingest import IngestConfig, ingest


@pytest.fixture
def plant(
    tmp_path: Path, corpus: Path, ingest_config: IngestConfig, embedder: SentenceEmbedder
) -> IngestConfig:
    """The test corpus ingested into `tmp_path/data/index`; its ingest settings."""
    config = IngestConfig(**{**ingest_config.__dict__, "index_dir": tmp_path / "data" / "index"})
    ingest([corpus], config, embedder)
    return config


def _settings(tmp_path: Path, database: str, **extra: object) -> Settings:
    return Settings(
        data_dir=tmp_path / "data", database_url=database, chunk_size=400, chunk_overlap=50,
        llm_backend="extractive", **extra,  # type: ignore[arg-type]
    )  # fmt: skip


def test_limits_in_the_settings_reach_the_chat_tools(
    tmp_path: Path, plant: IngestConfig, suite_database: str
) -> None:
    settings = _settings(
        tmp_path, suite_database, max_numbers_per_paste=10, max_rows_per_file=20,
        max_photo_pixels=1_000_000, photo_working_pixels=250_000,
    )  # fmt: skip
    tools = make_router(settings).capabilities
    spc = tools["spc_analysis"]
    assert spc.limits.max_numbers_per_paste == 10 and spc.limits.max_rows_per_file == 20  # type: ignore[attr-defined]
    assert tools["defect_inspection"].pixels == (1_000_000, 250_000)  # type: ignore[attr-defined]


def test_the_ticket_drafter_searches_a_new_index_version_without_a_restart(
    tmp_path: Path, plant: IngestConfig, corpus: Path, embedder: SentenceEmbedder,
    suite_database: str,
) -> None:  # fmt: skip
    load = drafter_loader(_settings(tmp_path, suite_database, draft_multilingual=False))
    first = load()
    assert load() is first  # built once per version
    added = tmp_path / "added"
    added.mkdir()
    (added / "tray-credits.md").write_text(
        "# Tray credits\n\nReturned trays are credited at 4.50 EUR each.\n", encoding="utf-8"
    )
    ingest([corpus, added], plant, embedder)
    second = load()
    assert second is not first and load() is second
    assert any("4.50 EUR" in c.text for c in second.chain.searcher.chunks)
    assert not any("4.50 EUR" in c.text for c in first.chain.searcher.chunks)
