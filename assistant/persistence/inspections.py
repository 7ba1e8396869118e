"""Every inspection the assistant made, stored (SQLModel): what, as which product, by which
model, for whom; a learnt product's verdict with its score, thresholds and defect region."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Column
from sqlmodel import Field, Session, SQLModel

if TYPE_CHECKING:
    from tools.defects.inspect import InspectionResult
    from tools.defects.product_inspect import ProductInspection


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Inspection(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    image_sha256: str = Field(index=True)
    image_name: str = ""
    verdict: str = Field(description="ok, minor or severe")
    defect_type: str | None = None
    probabilities: str = Field(description="JSON: ok, minor, severe")
    model_version: str = ""
    user: str | None = None
    created_at: dt.datetime = Field(default_factory=_now, index=True)
    # revision 0007: the product inspected as, and a learnt product's measurements
    product: str | None = Field(default=None, index=True)
    anomaly_score: float | None = None
    threshold: float | None = Field(default=None, description="The product's ok/minor limit.")
    severe_threshold: float | None = Field(default=None, description="Its minor/severe limit.")
    area_px: int | None = Field(default=None, description="The defect's area, photo pixels.")
    area_share: float | None = Field(default=None, description="Its share of the photo.")
    bbox: list[int] | None = Field(
        default=None, sa_column=Column(JSON, nullable=True),
        description="The defect's box: x0, y0, x1, y1 (exclusive), photo pixels.",
    )  # fmt: skip


def _store(session: Session, row: Inspection) -> Inspection:
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


def record(
    session: Session, result: InspectionResult, *, user: str | None = None,
    product: str | None = None,
) -> Inspection:  # fmt: skip
    """Store a demo-model inspection (`product`: the demo product's name); returns the row."""
    return _store(session, Inspection(
        image_sha256=result.image_sha256, image_name=Path(result.path).name,
        verdict=result.verdict, defect_type=result.defect_type,
        probabilities=json.dumps(result.probabilities), model_version=result.model_version,
        user=user, product=product,
    ))  # fmt: skip


def record_product(
    session: Session, result: ProductInspection, *, user: str | None = None
) -> Inspection:
    """Store a learnt product's inspection with its score, thresholds and defect region."""
    width, height = result.image_size
    return _store(session, Inspection(
        image_sha256=result.image_sha256, image_name=Path(result.path).name,
        verdict=result.verdict, probabilities="{}", model_version=result.model_version,
        user=user, product=result.product, anomaly_score=result.anomaly_score,
        threshold=result.threshold, severe_threshold=result.severe_threshold,
        area_px=result.area_px, area_share=result.area_px / max(1, width * height),
        bbox=list(result.bbox) if result.bbox is not None else None,
    ))  # fmt: skip
