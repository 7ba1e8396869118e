"""Readings, physical features and the margins to each failure rule."""

from __future__ import annotations

import math

import numpy as np
import pytest
from pydantic import ValidationError

from tools.failure.readings import (
    FEATURES,
    Reading,
    features,
    frame_from_readings,
    margins,
    risk_level,
)


def reading(**changes: object) -> Reading:
    values: dict[str, object] = {
        "product_type": "M",
        "air_temperature": 300.0,
        "process_temperature": 310.0,
        "rotational_speed": 1500.0,
        "torque": 40.0,
        "tool_wear": 100.0,
    }
    values.update(changes)
    return Reading.model_validate(values)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"air_temperature": 27.0}, "looks like °C"),
        ({"process_temperature": 37.5}, "looks like °C"),
        ({"torque": -3.0}, "greater than or equal to 0"),
        ({"rotational_speed": 0.0}, "greater than 0"),
        ({"tool_wear": -1.0}, "greater than or equal to 0"),
        ({"product_type": "X"}, "'L', 'M' or 'H'"),
        ({"air_temperature": 312.0, "process_temperature": 300.0}, "swapped"),
        ({"air_temperature": float("nan")}, "must be a number"),
    ],
)
def test_impossible_readings_are_refused_with_a_reason(
    changes: dict[str, object], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        reading(**changes)


def test_product_type_is_read_case_insensitively() -> None:
    assert reading(product_type=" h ").product_type == "H"


def test_features_compute_the_physical_quantities() -> None:
    x = features(frame_from_readings([reading(), reading(product_type="L", tool_wear=250.0)]))
    assert x.shape == (2, len(FEATURES))
    row = dict(zip(FEATURES, x[0], strict=True))
    assert row["temperature_difference"] == pytest.approx(10.0)
    assert row["power"] == pytest.approx(40 * 1500 * 2 * math.pi / 60, rel=1e-5)
    assert row["strain"] == pytest.approx(4000) and row["strain_share"] == pytest.approx(
        4000 / 12000
    )
    assert row["type_code"] == 1
    assert x[1, FEATURES.index("strain_share")] == pytest.approx(250 * 40 / 11000, rel=1e-5)
    heat = FEATURES.index("heat_margin")
    hot = features(frame_from_readings([reading(process_temperature=308.0, rotational_speed=1300)]))
    assert x[0, heat] > 1 > hot[0, heat]
    assert np.isfinite(x).all()


def test_margins_say_how_close_each_rule_is() -> None:
    weak = {m.mode: m for m in margins(reading(torque=20.0, rotational_speed=1600))}
    assert weak["PWF"].tripped and weak["PWF"].text == "power 3,351 W is below the 3,500 W floor"
    hot = {m.mode: m for m in margins(reading(process_temperature=308.1, rotational_speed=1350))}
    assert hot["HDF"].tripped and "cannot shed its heat" in hot["HDF"].text
    strained = {m.mode: m for m in margins(reading(tool_wear=200.0, torque=59.0))}
    assert strained["OSF"].text.startswith("tool wear x torque 11,800 min·Nm is 98% of the 12,000")
    assert not strained["OSF"].tripped and strained["TWF"].tripped
    fine = margins(reading())
    assert not any(m.tripped for m in fine)
    assert [m.closeness for m in fine] == sorted((m.closeness for m in fine), reverse=True)


def test_risk_levels() -> None:
    assert risk_level(0.7, 0.6) == "high"
    assert risk_level(0.3, 0.6) == "elevated"
    assert risk_level(0.1, 0.6) == "low"
