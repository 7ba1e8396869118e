"""The command line runs against a data directory and a small corpus of its own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.settings import get_settings


@pytest.fixture
def env(tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """`PLANT_DATA_DIR` under `tmp_path` (returned) and the small corpus as the knowledge."""
    monkeypatch.setenv("PLANT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PLANT_KNOWLEDGE_DIR", str(corpus))
    monkeypatch.setenv("PLANT_CHUNK_SIZE", "400")
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


@pytest.fixture
def data_dir_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """`PLANT_DATA_DIR` under `tmp_path` (returned) and nothing else: the database is the
    suite's (PLANT_DATABASE_URL is set by the PostgreSQL pass, else SQLite there)."""
    monkeypatch.setenv("PLANT_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()
