"""The demo plant's data: control-plan characteristics with measurements, and a machine fleet
with a recent history of readings. Seeded by `plant demo seed` (and `make run`), never while
answering; every step leaves what is already stored as it is, so it can run again."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel
from sqlalchemy import text
from sqlmodel import Session, select

from assistant.persistence.machines import Machine, SensorReading
from assistant.persistence.spc import (
    Characteristic,
    CharacteristicBase,
    add_subgroups,
    seed_characteristics,
    series,
)
from tools.common.errors import PlantError
from tools.spc.analysis import ATTRIBUTE_CHARTS

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

_CHARTS = {
    "X̄-R": "xbar-r",
    "X̄-S": "xbar-s",
    "I-MR": "imr",
    "p chart": "p",
    "np chart": "np",
    "c chart": "c",
    "u chart": "u",
}
DRIFTING = {"BD-16": 2.0, "LK-01": 1.5}  # the demo plant's two processes that wander
SEED_START = dt.datetime(2026, 11, 2, 6, 0, tzinfo=dt.UTC)


class DemoSeeded(BaseModel):
    """What one `plant demo seed` stored (zero where the data was there already)."""

    characteristics: int
    measurements: int
    machines: int


def _number(cell: str) -> float | None:
    cell = cell.strip()
    return None if cell in ("", "—", "-") else float(cell)


def _characteristic(values: dict[str, str]) -> CharacteristicBase:
    chart = next((v for k, v in _CHARTS.items() if values.get("chart", "").startswith(k)), "imr")
    sample = re.match(r"\d+", values.get("sample", ""))
    return CharacteristicBase(
        name=values["id"],
        description=values.get("characteristic", ""),
        unit=values.get("unit", ""),
        lsl=_number(values.get("lsl", "")),
        usl=_number(values.get("usl", "")),
        target=_number(values.get("nominal", "")),
        subgroup_size=int(values.get("subgroup size", "1") or 1),
        chart=chart,
        sample_size=int(sample.group()) if sample else None,
    )


def control_plan_characteristics(path: Path) -> list[CharacteristicBase]:
    """The characteristics in the control plan's two tables (variables and attributes)."""
    from retrieval.tables import cells, split_blocks

    if not path.is_file():
        raise PlantError(
            f"No control plan at {path}: run from the project folder, or set "
            "PLANT_KNOWLEDGE_SRC_DIR to the folder that holds control-plan.md."
        )

    found = []
    for block in split_blocks(path.read_text(encoding="utf-8")):
        if block.header is None:
            continue
        header = [h.lower() for h in cells(block.header)]
        found += [_characteristic(dict(zip(header, cells(row), strict=False)))
                  for row in block.rows]  # fmt: skip
    return found


def _demo_series(item: Characteristic, number: int, n_subgroups: int) -> list[list[float]]:
    from tools.spc.demo import attribute_counts, variable_subgroups

    drift = DRIFTING.get(item.name, 0.0)
    if item.chart in ATTRIBUTE_CHARTS:
        counts = attribute_counts(
            n_samples=n_subgroups,
            sample_size=item.sample_size if item.chart != "c" else None,
            rate={"p": 0.04, "np": 0.02}.get(item.chart, 3.0),
            drift=drift,
            seed=number,
        )
        return [[c] for c in counts]
    return variable_subgroups(
        n_subgroups=n_subgroups,
        size=item.subgroup_size,
        lsl=item.lsl,
        usl=item.usl,
        target=item.target,
        drift=drift,
        seed=number,
    )


SEED_LOCK_KEY = 7_301_117  # PostgreSQL advisory lock: one seeding at a time, on every host


@contextmanager
def seeding_lock(engine: Engine, data_dir: Path, timeout_s: float = 600) -> Iterator[None]:
    """One seeding at a time: a lock file in `data_dir` for processes on this machine and,
    on PostgreSQL, an advisory lock for processes anywhere; without it two seeders both see
    a characteristic without measurements and both store its demo series."""
    from filelock import FileLock

    data_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(str(data_dir / ".demo-seed.lock"), timeout=timeout_s):
        if engine.dialect.name != "postgresql":
            yield
            return
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": SEED_LOCK_KEY})
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": SEED_LOCK_KEY})


def seed_spc(session: Session, control_plan: Path, *, n_subgroups: int = 30) -> tuple[int, int]:
    """The control plan's characteristics, and demo measurements for those without any;
    returns (characteristics added, values stored)."""
    added = seed_characteristics(session, control_plan_characteristics(control_plan))
    stored = 0
    for number, item in enumerate(session.exec(select(Characteristic)).all()):
        if series(session, item):
            continue
        sample_size = item.sample_size if item.chart in ATTRIBUTE_CHARTS else None
        stored += add_subgroups(
            session,
            characteristic=item,
            subgroups=_demo_series(item, number, n_subgroups),
            sample_size=sample_size,
            start=SEED_START,
        )
    return added, stored


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


def seed_demo(session: Session, control_plan: Path, *, processes: int = 200) -> DemoSeeded:
    """Everything the demo plant needs; what is stored already stays as it is."""
    characteristics, measurements = seed_spc(session, control_plan)
    return DemoSeeded(
        characteristics=characteristics,
        measurements=measurements,
        machines=seed_fleet(session, processes=processes),
    )
