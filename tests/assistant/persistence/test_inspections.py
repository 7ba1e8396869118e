"""Inspections stored as a product (revision 0007): rows from before it get their product
back from the model version (learnt products) or the demo product's name, and a learnt
product's verdict is stored with its score, thresholds and defect region."""

from __future__ import annotations

import json

from alembic import command
from sqlalchemy import create_engine, text
from sqlmodel import Session, select

from assistant.persistence.db import alembic_config, make_engine
from assistant.persistence.inspections import Inspection, record, record_product
from tools.defects.inspect import InspectionResult
from tools.defects.product_inspect import ProductInspection

OLD_ROWS = [("a" * 64, "surface-v3"), ("b" * 64, "product:pump-impeller:20261130T120000")]


def _rows(url: str) -> list[tuple[str, str | None]]:
    with create_engine(url).connect() as connection:
        found = connection.execute(text("SELECT model_version, product FROM inspection"))
        return sorted((str(r[0]), r[1]) for r in found)


def test_rows_from_before_0007_get_their_product_and_keep_it_on_downgrade(
    database_url: str,
) -> None:
    engine = create_engine(database_url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0006")
        for digest, version in OLD_ROWS:
            connection.execute(
                text("INSERT INTO inspection (image_sha256, image_name, verdict, probabilities, "
                     "model_version, created_at) VALUES (:d, 'p.png', 'ok', '{}', :v, "
                     "CURRENT_TIMESTAMP)"),
                {"d": digest, "v": version},
            )  # fmt: skip
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    assert _rows(database_url) == [("20261130T120000", "pump-impeller"), ("surface-v3", "surface")]
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0006")
    with engine.connect() as connection:
        versions = connection.execute(text("SELECT model_version FROM inspection")).scalars()
        assert sorted(versions) == ["product:pump-impeller:20261130T120000", "surface-v3"]
    engine.dispose()


def test_a_product_verdict_is_stored_in_its_columns(database_url: str) -> None:
    found = ProductInspection(
        path="/tmp/part.png", product="casting", verdict="minor", anomaly_score=2.5,
        threshold=2.0, severe_threshold=4.0, area_px=300, bbox=(10, 20, 30, 40),
        image_size=(100, 60), image_sha256="c" * 64, model_version="20261130T130000",
    )  # fmt: skip
    demo = InspectionResult(
        path="d.png", verdict="ok", defect_type=None, confidence=0.9,
        probabilities={"ok": 0.9, "minor": 0.1, "severe": 0.0}, type_probabilities={},
        image_sha256="d" * 64, model_version="demo-1",
    )  # fmt: skip
    with Session(make_engine(database_url)) as session:
        stored = record_product(session, found, user="ana")
        record(session, demo, product="surface")
        rows = session.exec(select(Inspection).order_by(Inspection.id)).all()  # type: ignore[arg-type]
    assert stored.id == rows[0].id
    product, shown = rows
    assert (product.product, product.model_version, product.image_name) == (
        "casting", "20261130T130000", "part.png")  # fmt: skip
    assert (product.anomaly_score, product.threshold, product.severe_threshold) == (2.5, 2.0, 4.0)
    assert product.area_px == 300 and product.area_share == 300 / 6000
    assert product.bbox == [10, 20, 30, 40] and product.user == "ana"
    assert shown.product == "surface" and shown.bbox is None and shown.anomaly_score is None
    assert json.loads(shown.probabilities)["ok"] == 0.9
