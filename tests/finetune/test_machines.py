"""The AI4I simulator: the public columns, the published failure rules, the demo fleet."""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np
import pandas as pd
import pytest

from finetune.data.machines import COLUMNS, DEMO_FLEET, WEAR_PER_PROCESS, fleet_series, simulate
from tools.failure.rules import OSF_LIMIT


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return simulate(20_000, seed=7)


def test_columns_and_reproducibility(data: pd.DataFrame) -> None:
    assert tuple(data.columns) == COLUMNS
    assert data["UDI"].tolist()[:3] == [1, 2, 3]
    pd.testing.assert_frame_equal(simulate(500, seed=7), simulate(500, seed=7))
    assert not simulate(500, seed=8).equals(simulate(500, seed=7))


def test_distributions_follow_the_published_description(data: pd.DataFrame) -> None:
    shares = data["Type"].value_counts(normalize=True)
    assert shares["L"] == pytest.approx(0.5, abs=0.02) and shares["H"] == pytest.approx(
        0.2, abs=0.02
    )
    assert data["Air temperature [K]"].mean() == pytest.approx(300, abs=0.01)
    assert data["Air temperature [K]"].std() == pytest.approx(2, abs=0.01)
    difference = data["Process temperature [K]"] - data["Air temperature [K]"]
    assert difference.mean() == pytest.approx(10, abs=0.01)
    assert (
        data["Torque [Nm]"].mean() == pytest.approx(40, abs=0.5) and data["Torque [Nm]"].min() > 0
    )
    speed = data["Rotational speed [rpm]"]
    assert 1450 < speed.mean() < 1620 and 140 < speed.std() < 230
    assert speed.corr(data["Torque [Nm]"]) < -0.8
    assert product_ids_match_types(data)


def product_ids_match_types(data: pd.DataFrame) -> bool:
    return bool((data["Product ID"].str[0] == data["Type"]).all())


def test_every_failure_mode_follows_its_rule(data: pd.DataFrame) -> None:
    difference = (data["Process temperature [K]"] - data["Air temperature [K]"]).round(1)
    speed = data["Rotational speed [rpm]"]
    hdf = (difference < 8.6) & (speed < 1380)
    assert (data["HDF"] == hdf.astype(int)).all() and hdf.sum() > 0
    power = data["Torque [Nm]"] * speed * 2 * math.pi / 60
    pwf = (power < 3500) | (power > 9000)
    assert (data["PWF"] == pwf.astype(int)).all() and pwf.sum() > 0
    strain = data["Tool wear [min]"] * data["Torque [Nm]"]
    osf = strain > data["Type"].map(OSF_LIMIT)
    assert (data["OSF"] == osf.astype(int)).all() and osf.sum() > 0
    twf = data[data["TWF"] == 1]["Tool wear [min]"]
    assert len(twf) > 0 and twf.between(200, 245).all()
    assert 0 < data["RNF"].sum() < 60  # 0.1 % of 20,000
    modes = data[["TWF", "HDF", "PWF", "OSF", "RNF"]].max(axis=1)
    assert (data["Machine failure"] == modes).all()


def test_tool_wear_grows_by_the_type_rate_until_the_tool_is_changed(data: pd.DataFrame) -> None:
    wear = data["Tool wear [min]"].to_numpy()
    rate = data["Type"].map(WEAR_PER_PROCESS).to_numpy()
    grew = np.diff(wear) > 0
    assert (np.diff(wear)[grew] == rate[1:][grew]).all()
    resets = np.flatnonzero(~grew)
    assert len(resets) > 50 and (wear[resets] >= 200).all() and wear.max() <= 245


def test_one_product_type_and_bad_arguments() -> None:
    assert set(simulate(300, seed=1, product_type="H")["Type"]) == {"H"}
    with pytest.raises(ValueError, match="L, M, H"):
        simulate(10, product_type="X")
    with pytest.raises(ValueError, match="at least 1"):
        simulate(0)


def test_fleet_series_ends_now_for_every_machine() -> None:
    end = datetime(2026, 11, 22, 12, 0)
    fleet = fleet_series(processes=40, seed=3, end=end)
    assert len(fleet) == 40 * len(DEMO_FLEET)
    latest = fleet.groupby("machine_id")["timestamp"].max()
    assert (latest == end).all()
    for machine in DEMO_FLEET:
        rows = fleet[fleet["machine_id"] == machine.machine_id]
        assert set(rows["Type"]) == {machine.product_type}
