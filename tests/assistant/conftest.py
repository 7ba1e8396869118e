"""Fixtures of the application tests: the chat served for the browser tests (the databases
are the root conftest's)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from retrieval.embeddings import SentenceEmbedder
from retrieval.ingest import IngestConfig
from tests.assistant.browser import prepare_data, serving
from tests.postgres import schema_url


# ------------------------------------------------------------------ the chat in a browser
@pytest.fixture(scope="session")
def failure_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A failure model trained on a small sample (real training code, seconds on 2 cores)."""
    from finetune.failure import main

    out = tmp_path_factory.mktemp("failure-model")
    main(["--output_dir", str(out), "--train_rows", "5000", "--test_rows", "1000",
          "--kinds", "gbt", "--gbt_rounds", "60"])  # fmt: skip
    return out


@pytest.fixture
def server(
    tmp_path: Path,
    corpus: Path,
    ingest_config: IngestConfig,
    embedder: SentenceEmbedder,
    failure_model: Path,
    suite_database: str,
) -> Iterator[str]:
    """The chat on a free port over the small corpus, with the test users, on the suite's
    database (SQLite, or PostgreSQL with `PLANT_TEST_DATABASE=postgresql`)."""
    data_dir = tmp_path / "data"
    prepare_data(data_dir, corpus, ingest_config, embedder, suite_database, failure_model)
    database = {"PLANT_DATABASE_URL": suite_database}
    with serving(data_dir, corpus, database, "chainlit-server.log") as url:
        yield url


@pytest.fixture
def two_servers_on_postgres(
    tmp_path: Path,
    corpus: Path,
    ingest_config: IngestConfig,
    embedder: SentenceEmbedder,
    postgres_url: str,
) -> Iterator[tuple[str, str]]:
    """Two app processes on different ports sharing one PostgreSQL database (a fresh schema)."""
    data_dir = tmp_path / "data"
    for url in schema_url(postgres_url):
        prepare_data(data_dir, corpus, ingest_config, embedder, url)
        shared = {"PLANT_DATABASE_URL": url}
        with (
            serving(data_dir, corpus, shared, "chainlit-server-a.log") as first,
            serving(data_dir, corpus, shared, "chainlit-server-b.log") as second,
        ):
            yield first, second
