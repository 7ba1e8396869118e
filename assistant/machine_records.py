"""Machines and their sensor readings (SQLModel), and seeding the demo fleet."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Field, Session, SQLModel, col, select

from retrieval.errors import PlantError
from tools.failure import Reading


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


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def seed_fleet(
    session: Session, *, processes: int = 200, seed: int = 0, end: dt.datetime | None = None
) -> int:
    """Add the demo plant's machines with a recent simulated history; returns how many were
    added. Machines already stored are left as they are, readings included."""
    from finetune.data.machines import DEMO_FLEET, fleet_series

    stored = set(session.exec(select(Machine.machine_id)).all())
    new = tuple(m for m in DEMO_FLEET if m.machine_id not in stored)
    if not new:
        return 0
    series = fleet_series(new, processes=processes, seed=seed, end=end)
    for machine in new:
        session.add(
            Machine(
                machine_id=machine.machine_id,
                name=machine.name,
                product_type=machine.product_type,
                line=machine.line,
                model=machine.model,
            )
        )
    session.flush()
    for values in series.to_dict("records"):
        session.add(
            SensorReading(
                machine_id=str(values["machine_id"]),
                recorded_at=_aware(values["timestamp"].to_pydatetime()),
                air_temperature=float(values["Air temperature [K]"]),
                process_temperature=float(values["Process temperature [K]"]),
                rotational_speed=float(values["Rotational speed [rpm]"]),
                torque=float(values["Torque [Nm]"]),
                tool_wear=float(values["Tool wear [min]"]),
            )
        )
    session.commit()
    return len(new)


def machines(session: Session) -> list[Machine]:
    return list(session.exec(select(Machine).order_by(col(Machine.machine_id))).all())


def find_machine(session: Session, machine_id: str) -> Machine:
    found = session.exec(
        select(Machine).where(col(Machine.machine_id) == machine_id.strip().upper())
    ).first()
    if found is None:
        known = (
            ", ".join(m.machine_id for m in machines(session)) or "none yet (plant machines seed)"
        )
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
