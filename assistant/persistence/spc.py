"""Characteristics of the control plan, their measurements and frozen limits (SQLModel)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func
from sqlmodel import Field, Session, SQLModel, col, select

from tools.common.errors import PlantError


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class CharacteristicBase(SQLModel):
    name: str = Field(index=True, unique=True, description="Control-plan id, e.g. OD-12")
    description: str = ""
    unit: str = ""
    lsl: float | None = None
    usl: float | None = None
    target: float | None = None
    subgroup_size: int = 1
    chart: str = "imr"
    sample_size: int | None = Field(None, description="Parts per sample, attribute charts")


class Characteristic(CharacteristicBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    frozen_center: float | None = None
    frozen_sigma: float | None = None
    frozen_at: dt.datetime | None = None
    frozen_by: str | None = None


class Measurement(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    characteristic_id: int = Field(foreign_key="characteristic.id", index=True)
    subgroup: int = Field(index=True)
    value: float
    sample_size: int | None = None
    measured_at: dt.datetime = Field(default_factory=_now)


def seed_characteristics(session: Session, plan: list[CharacteristicBase]) -> int:
    """Add the control plan's characteristics that are not stored yet; returns how many."""
    existing = set(session.exec(select(Characteristic.name)).all())
    added = [Characteristic.model_validate(c) for c in plan if c.name not in existing]
    session.add_all(added)
    session.commit()
    return len(added)


def characteristic_names(session: Session) -> list[str]:
    return list(session.exec(select(Characteristic.name).order_by(Characteristic.name)).all())


def get_characteristic(session: Session, name: str) -> Characteristic:
    # equality on lower case, not LIKE: "%" or "_" in a name must not match other names
    wanted = name.strip().lower()
    found = session.exec(
        select(Characteristic).where(func.lower(col(Characteristic.name)) == wanted)
    ).first()
    if found is None:
        names = ", ".join(characteristic_names(session)) or (
            "none stored yet (`plant demo seed` adds the demo plant's)"
        )
        raise PlantError(f"No characteristic '{name}'. Known: {names}.")
    return found


def add_subgroups(
    session: Session,
    *,
    characteristic: Characteristic,
    subgroups: list[list[float]],
    sample_size: int | None = None,
    start: dt.datetime | None = None,
    every: dt.timedelta = dt.timedelta(hours=1),
) -> int:
    """Append subgroups after the last stored one; returns the number of values stored."""
    assert characteristic.id is not None
    last = session.exec(
        select(Measurement.subgroup)
        .where(Measurement.characteristic_id == characteristic.id)
        .order_by(col(Measurement.subgroup).desc())
    ).first()
    first = (last or 0) + 1
    begin = start or _now()
    rows = [
        Measurement(
            characteristic_id=characteristic.id,
            subgroup=first + i,
            value=value,
            sample_size=sample_size,
            measured_at=begin + i * every,
        )
        for i, group in enumerate(subgroups)
        for value in group
    ]
    session.add_all(rows)
    session.commit()
    return len(rows)


def series(session: Session, characteristic: Characteristic) -> list[list[float]]:
    """The stored subgroups in order."""
    rows = session.exec(
        select(Measurement)
        .where(Measurement.characteristic_id == characteristic.id)
        .order_by(col(Measurement.subgroup), col(Measurement.id))
    ).all()
    groups: dict[int, list[float]] = {}
    for row in rows:
        groups.setdefault(row.subgroup, []).append(row.value)
    return list(groups.values())


def freeze_limits(
    session: Session, *, characteristic: Characteristic, center: float, sigma: float,
    user: str | None = None,
) -> Characteristic:  # fmt: skip
    """Store phase I limits, and who stored them: later data are judged against them."""
    characteristic.frozen_center, characteristic.frozen_sigma = center, sigma
    characteristic.frozen_at, characteristic.frozen_by = _now(), user
    session.add(characteristic)
    session.commit()
    session.refresh(characteristic)
    return characteristic
