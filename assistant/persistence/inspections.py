"""Every inspection the assistant made, stored (SQLModel): what, by which model, for whom."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING

from sqlmodel import Field, Session, SQLModel

if TYPE_CHECKING:
    from tools.defects.inspect import InspectionResult


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


def record(session: Session, result: InspectionResult, *, user: str | None = None) -> Inspection:
    """Store the inspection; returns the stored row."""
    row = Inspection(
        image_sha256=result.image_sha256,
        image_name=Path(result.path).name,
        verdict=result.verdict,
        defect_type=result.defect_type,
        probabilities=json.dumps(result.probabilities),
        model_version=result.model_version,
        user=user,
    )
    session.add(row)
    session.commit()
    session.refresh(row)
    return row
