"""Stored characteristics from the control plan, demo data and phase II against frozen limits."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlmodel import Session

from assistant.capabilities.spc.service import analyse_characteristic
from assistant.demo import control_plan_characteristics, seed_spc
from assistant.persistence.db import make_engine
from assistant.persistence.spc import freeze_limits, get_characteristic, series
from tests.conftest import ROOT
from tools.common.errors import PlantError

PLAN = ROOT / "knowledge" / "src" / "control-plan.md"


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    with Session(make_engine(database_url)) as session:
        yield session


def test_the_control_plan_is_read_into_characteristics() -> None:
    plan = {c.name: c for c in control_plan_characteristics(PLAN)}
    assert len(plan) == 14
    od = plan["OD-12"]
    assert (od.lsl, od.usl, od.target, od.subgroup_size, od.chart) == (
        11.985, 12.015, 12.0, 5, "xbar-r")  # fmt: skip
    assert plan["RA-01"].lsl is None and plan["RA-01"].usl == 0.8 and plan["RA-01"].chart == "imr"
    assert plan["LK-01"].chart == "np" and plan["LK-01"].sample_size == 200


def test_demo_data_is_seeded_once_and_tells_in_control_from_drifting(session: Session) -> None:
    added, stored = seed_spc(session, PLAN)
    assert added == 14 and stored > 0
    assert seed_spc(session, PLAN) == (0, 0)  # idempotent
    od = get_characteristic(session, "od-12")  # names match case-insensitively
    assert len(series(session, od)) == 30 and all(len(g) == 5 for g in series(session, od))
    steady = analyse_characteristic(session, "OD-12")
    drifting = analyse_characteristic(session, "BD-16")
    assert steady.in_control and not any(p.violations for p in steady.charts[0].points)
    assert steady.capability is not None and (steady.capability.cpk or 0) > 1.33
    late = [p.index for p in drifting.charts[0].points if p.violations]
    # the drift starts half-way; estimated from all 30, the limits flag mostly the late points
    assert sum(i > 15 for i in late) > sum(i <= 15 for i in late) > 0 or min(late) > 15
    with pytest.raises(PlantError, match=r"No characteristic 'XX-9'\. Known: BD-16"):
        get_characteristic(session, "XX-9")
    for pattern in ("OD-1_", "%", "od-%"):  # LIKE wildcards are plain characters in a name
        with pytest.raises(PlantError, match="No characteristic"):
            get_characteristic(session, pattern)


def test_frozen_limits_judge_later_data(session: Session) -> None:
    seed_spc(session, PLAN)
    od = get_characteristic(session, "OD-12")
    freeze_limits(session, characteristic=od, center=11.995, sigma=0.002)
    result = analyse_characteristic(session, "OD-12")
    xbar = result.charts[0]
    assert result.characteristic is not None and result.characteristic.frozen
    assert xbar.center == 11.995
    assert xbar.ucl == pytest.approx(11.995 + 3 * 0.002 / 5**0.5)
    assert any(p.violations for p in xbar.points)  # the real centre is 12.000
