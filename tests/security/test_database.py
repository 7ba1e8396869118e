"""Issue 17, database findings: a broken database must not take document answers with it, and
lookups are exact."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlmodel import Session

from assistant.settings import Settings
from assistant.wiring import make_router
from retrieval.embeddings import SentenceEmbedder
from retrieval.ingest import IngestConfig, ingest


def test_document_answers_keep_working_when_the_database_is_corrupt(
    tmp_path: Path,
    corpus: Path,
    ingest_config: IngestConfig,
    embedder: SentenceEmbedder,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Finding: a locked or corrupt database breaks plain document answers too (the router
    could not be built, so every question failed)."""
    data = tmp_path / "data"
    ingest([corpus], IngestConfig(**{**ingest_config.__dict__, "index_dir": data / "index"}),
           embedder)  # fmt: skip
    broken = data / "plant.db"
    broken.write_bytes(b"this is not a database" * 500)
    settings = Settings(
        data_dir=data, database_url=f"sqlite:///{broken}", chunk_size=400, chunk_overlap=50,
        llm_backend="extractive",
    )  # fmt: skip
    with caplog.at_level(logging.ERROR):
        router = make_router(settings)
    assert router.engine is None
    assert "cannot be used" in caplog.text and "document answers go on" in caplog.text
    answer = router.answer("What does press alarm H-310 mean?")
    assert "Hydraulic oil too hot" in answer.text and answer.citations
    assert answer.message_id is None  # nothing stored, nothing to correct
    assert broken.read_bytes().startswith(b"this is not a database")  # left for an admin


def test_characteristic_names_are_matched_exactly_not_as_patterns(database_url: str) -> None:
    """Finding: the characteristic lookup used LIKE, so `%` or `_` matched other
    characteristics (also with `--freeze`)."""
    from assistant.persistence.db import make_engine
    from assistant.persistence.spc import Characteristic, get_characteristic
    from tools.common.errors import PlantError

    with Session(make_engine(database_url)) as session:
        session.add(Characteristic(name="OD-12", unit="mm", subgroup_size=5, sample_size=None))
        session.commit()
        assert get_characteristic(session, "od-12").name == "OD-12"
        for pattern in ("OD%", "OD_12", "%"):
            with pytest.raises(PlantError, match="No characteristic"):
                get_characteristic(session, pattern)


def test_two_seeders_at_once_store_the_demo_series_once(database_url: str, tmp_path: Path) -> None:
    """Finding: demo seeding could race into duplicate subgroups (two seeders both saw a
    characteristic without measurements and both stored its series)."""
    import threading

    from sqlmodel import func, select

    from assistant.demo import seed_spc, seeding_lock
    from assistant.persistence.db import make_engine
    from assistant.persistence.spc import Measurement
    from tests.conftest import ROOT

    engine = make_engine(database_url)
    plan = ROOT / "knowledge" / "src" / "control-plan.md"
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def seed() -> None:
        try:
            start.wait()
            with seeding_lock(engine, tmp_path), Session(engine) as session:
                seed_spc(session, plan)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=seed) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    with Session(engine) as session:
        stored = session.exec(select(func.count()).select_from(Measurement)).one()
        _, again = seed_spc(session, plan)
    with Session(make_engine(f"sqlite:///{tmp_path / 'once.db'}")) as session:
        _, once = seed_spc(session, plan)
    assert again == 0 and stored == once
