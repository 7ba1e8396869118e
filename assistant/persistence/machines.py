"""Machines and their sensor readings (SQLModel)."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Field, Session, SQLModel, col, select

from tools.common.errors import PlantError
from tools.failure.readings import Reading


class Machine(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    machine_id: str = Field(index=True, unique=True, description="Asset tag, e.g. M1-01")
    name: str = ""
    product_type: str = Field(description="Quality variant it makes: L, M or H")
    line: str = ""
    model: str = Field("", description="Machine model, e.g. VMC-850 (finds its manual)")


class SensorReading(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    machine_id: str = Field(foreign_key="machine.machine_id", index=True)
    recorded_at: dt.datetime = Field(index=True)
    air_temperature: float
    process_temperature: float
    rotational_speed: float
    torque: float
    tool_wear: float


def machine_ids(session: Session) -> list[str]:
    return list(session.exec(select(Machine.machine_id)).all())


def machines(session: Session) -> list[Machine]:
    return list(session.exec(select(Machine).order_by(col(Machine.machine_id))).all())


def find_machine(session: Session, machine_id: str) -> Machine:
    found = session.exec(
        select(Machine).where(col(Machine.machine_id) == machine_id.strip().upper())
    ).first()
    if found is None:
        known = ", ".join(m.machine_id for m in machines(session)) or "none yet (plant demo seed)"
        raise PlantError(f"No machine {machine_id!r}. Machines: {known}.")
    return found


def latest_reading(session: Session, machine: Machine) -> tuple[Reading, dt.datetime]:
    """The machine's most recent readings as a `Reading`, with their time."""
    row = session.exec(
        select(SensorReading)
        .where(col(SensorReading.machine_id) == machine.machine_id)
        .order_by(col(SensorReading.recorded_at).desc())
    ).first()
    if row is None:
        raise PlantError(f"Machine {machine.machine_id} has no readings yet.")
    reading = Reading(
        product_type=machine.product_type,
        air_temperature=row.air_temperature,
        process_temperature=row.process_temperature,
        rotational_speed=row.rotational_speed,
        torque=row.torque,
        tool_wear=row.tool_wear,
    )
    return reading, row.recorded_at
