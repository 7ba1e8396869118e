from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant.settings import Settings


def test_env_prefix_overrides_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANT_CHUNK_SIZE", "512")
    monkeypatch.setenv("PLANT_RETRIEVAL_MODE", "bm25")
    settings = Settings()
    assert settings.chunk_size == 512
    assert settings.retrieval_mode == "bm25"


def test_dotenv_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("PLANT_RETRIEVAL_K=9\n", encoding="utf-8")
    assert Settings().retrieval_k == 9


def test_invalid_value_names_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANT_RETRIEVAL_MODE", "fuzzy")
    with pytest.raises(ValueError, match="retrieval_mode"):
        Settings()


def test_default_embedding_model_is_the_bundled_copy() -> None:
    path = Path(Settings().resolved_embedding_model())
    assert (path / "model.safetensors").is_file()
    assert Settings(embedding_model="/models/other").resolved_embedding_model() == "/models/other"


def test_apply_environment_turns_hub_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    Settings().apply_environment()
    assert os.environ["HF_HUB_OFFLINE"] == "1"


def test_database_url_defaults_to_sqlite_under_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PLANT_DATABASE_URL", raising=False)  # as a PostgreSQL run sets it
    settings = Settings(data_dir=Path("/tmp/x"))
    assert settings.resolved_database_url == "sqlite:////tmp/x/plant.db"
    assert Settings(database_url="postgresql://h/db").resolved_database_url.startswith("postgresql")


def test_ocr_settings_reach_the_ingest_config() -> None:
    from assistant.wiring import ingest_config

    options = ingest_config(
        Settings(ocr_language="eng+deu", ocr_timeout_s=30, ocr_max_pages=3)
    ).load_options
    assert options.max_ocr_pages == 3
    limited = ingest_config(
        Settings(max_document_mb=1, max_pdf_pages=9, max_docx_compression_ratio=20,
                 ingest_lock_timeout_s=5)
    )  # fmt: skip
    assert limited.load_options.max_file_bytes == 1024 * 1024  # a chat upload's megabyte
    assert (limited.load_options.max_pdf_pages, limited.load_options.max_docx_ratio) == (9, 20)
    assert limited.lock_timeout_s == 5
    assert (options.ocr.language, options.ocr.timeout_s) == ("eng+deu", 30)
