"""Every inspection the assistant made, stored (SQLModel): what, by which model, for whom."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Field, SQLModel


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
