"""Machine failure prediction: readings, physical features and the margins to each failure rule.

Pure functions and typed contracts; the trained model lives in `tools/failure/model.py` and is
loaded at the edges (CLI, chat tool). The physical rules are those of the AI4I 2020 process
(`finetune/data/machines.py`): heat dissipation, power and overstrain have published
thresholds, so each prediction can say how far the machine is from each of them.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field, field_validator, model_validator

from tools.failure.rules import (
    HDF_MAX_SPEED,
    HDF_MAX_TEMPERATURE_DIFFERENCE,
    MODES,
    OSF_LIMIT,
    PWF_MAX_POWER,
    PWF_MIN_POWER,
    TWF_WINDOW,
)

ProductType = Literal["L", "M", "H"]
FEATURES = (
    "type_code",
    "air_temperature",
    "process_temperature",
    "rotational_speed",
    "torque",
    "tool_wear",
    "temperature_difference",
    "power",
    "strain",
    "strain_share",
    "heat_margin",
    "power_margin",
)
FEATURE_LABELS = {
    "type_code": "product type",
    "air_temperature": "air temperature",
    "process_temperature": "process temperature",
    "rotational_speed": "rotational speed",
    "torque": "torque",
    "tool_wear": "tool wear",
    "temperature_difference": "process-air temperature difference",
    "power": "mechanical power",
    "strain": "tool wear x torque",
    "strain_share": "overstrain load",
    "heat_margin": "heat-dissipation margin",
    "power_margin": "power margin",
}
MODE_NAMES = {
    "TWF": "tool wear failure",
    "HDF": "heat dissipation failure",
    "PWF": "power failure",
    "OSF": "overstrain failure",
    "RNF": "random failure",
}
TYPE_CODES = {"L": 0, "M": 1, "H": 2}
KELVIN_FLOOR = 200.0  # below this a "temperature in K" is surely in °C


class Reading(BaseModel):
    """One process's readings, in the units of the AI4I data set."""

    product_type: ProductType = Field(description="Product quality variant: L, M or H.")
    air_temperature: float = Field(description="Air temperature in kelvin.")
    process_temperature: float = Field(description="Process temperature in kelvin.")
    rotational_speed: float = Field(gt=0, description="Spindle speed in rpm.")
    torque: float = Field(ge=0, description="Torque in Nm.")
    tool_wear: float = Field(ge=0, description="Tool wear in minutes.")

    @field_validator("product_type", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("air_temperature", "process_temperature")
    @classmethod
    def _kelvin(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError("must be a number")
        if value < KELVIN_FLOOR:
            raise ValueError(
                f"{value:g} looks like °C, not kelvin: add 273.15 (e.g. {value + 273.15:.1f} K)"
            )
        if value > 500:
            raise ValueError(f"{value:g} K is not a plausible machine temperature")
        return value

    @model_validator(mode="after")
    def _process_not_colder(self) -> Reading:
        if self.process_temperature < self.air_temperature - 5:
            raise ValueError(
                f"process temperature {self.process_temperature:g} K is more than 5 K below "
                f"the air temperature {self.air_temperature:g} K: are the two swapped?"
            )
        return self


class Margin(BaseModel):
    """How close one physical failure rule is to tripping, in words and as a share."""

    mode: str
    tripped: bool
    closeness: float = Field(description="1.0 at the threshold, above 1 beyond it.")
    text: str


class FailurePrediction(BaseModel):
    """What the model says about one reading."""

    probability: float = Field(ge=0.0, le=1.0, description="P(machine failure), calibrated.")
    label: bool = Field(description="At or above the decision threshold.")
    threshold: float
    risk: Literal["low", "elevated", "high"]
    modes: dict[str, float] = Field(description="Calibrated probability per failure mode.")
    likely_mode: str | None = Field(description="The most probable mode when at risk.")
    explanation: list[str] = Field(description="What drove the prediction, most important first.")
    margins: list[Margin] = Field(default_factory=list)


def frame_from_readings(readings: list[Reading]) -> pd.DataFrame:
    return pd.DataFrame([r.model_dump() for r in readings])


def features(frame: pd.DataFrame) -> np.ndarray:
    """The model's inputs (`FEATURES`) from readings: raw values plus physical quantities.

    Besides temperature difference, mechanical power and wear x torque, three features put a
    quantity against its published operating limit (the machine maker's numbers in
    `tools/failure/rules.py`): a share of the overstrain limit for the product type, and
    margins to the heat-dissipation and power limits that fall below 1 where they trip.
    """
    speed = frame["rotational_speed"].to_numpy(float)
    torque = frame["torque"].to_numpy(float)
    wear = frame["tool_wear"].to_numpy(float)
    air = frame["air_temperature"].to_numpy(float)
    process = frame["process_temperature"].to_numpy(float)
    types = frame["product_type"].astype(str)
    strain = wear * torque
    limit = types.map(OSF_LIMIT).to_numpy(float)
    power = torque * speed * 2 * math.pi / 60
    difference = np.round(process - air, 1)  # the readings' 0.1 K resolution
    columns = [
        types.map(TYPE_CODES).to_numpy(float),
        air,
        process,
        speed,
        torque,
        wear,
        difference,
        power,
        strain,
        strain / limit,
        # below 1 when the rule trips: the published operating limits as shares
        np.maximum(difference / HDF_MAX_TEMPERATURE_DIFFERENCE, speed / HDF_MAX_SPEED),
        np.minimum(power / PWF_MIN_POWER, PWF_MAX_POWER / np.maximum(power, 1e-9)),
    ]
    return np.column_stack(columns).astype(np.float32)


def margins(reading: Reading) -> list[Margin]:
    """Each physical rule's margin in words, closest to tripping first."""
    power = reading.torque * reading.rotational_speed * 2 * math.pi / 60
    difference = round(reading.process_temperature - reading.air_temperature, 1)
    strain = reading.tool_wear * reading.torque
    limit = OSF_LIMIT[reading.product_type]
    found: list[Margin] = []

    if power < PWF_MIN_POWER:
        text = f"power {power:,.0f} W is below the {PWF_MIN_POWER:,.0f} W floor"
        found.append(Margin(mode="PWF", tripped=True, closeness=PWF_MIN_POWER / power, text=text))
    elif power > PWF_MAX_POWER:
        text = f"power {power:,.0f} W is above the {PWF_MAX_POWER:,.0f} W ceiling"
        found.append(Margin(mode="PWF", tripped=True, closeness=power / PWF_MAX_POWER, text=text))
    else:
        near_floor = PWF_MIN_POWER / power
        near_ceiling = power / PWF_MAX_POWER
        if near_floor >= near_ceiling:
            text = f"power {power:,.0f} W is above the {PWF_MIN_POWER:,.0f} W floor"
        else:
            text = f"power {power:,.0f} W is below the {PWF_MAX_POWER:,.0f} W ceiling"
        found.append(
            Margin(mode="PWF", tripped=False, closeness=max(near_floor, near_ceiling), text=text)
        )

    hot = difference < HDF_MAX_TEMPERATURE_DIFFERENCE
    slow = reading.rotational_speed < HDF_MAX_SPEED
    heat_text = (
        f"temperature difference {difference:.1f} K is "
        f"{'below' if hot else 'above'} {HDF_MAX_TEMPERATURE_DIFFERENCE} K and speed "
        f"{reading.rotational_speed:,.0f} rpm is {'below' if slow else 'above'} "
        f"{HDF_MAX_SPEED:,.0f} rpm"
    )
    if hot and slow:
        heat_text += ": the process cannot shed its heat"
    heat_closeness = min(
        HDF_MAX_TEMPERATURE_DIFFERENCE / max(difference, 1e-6),
        HDF_MAX_SPEED / reading.rotational_speed,
    )
    found.append(Margin(mode="HDF", tripped=hot and slow, closeness=heat_closeness, text=heat_text))

    share = strain / limit
    strain_text = (
        f"tool wear x torque {strain:,.0f} min·Nm is {share:.0%} of the {limit:,.0f} min·Nm "
        f"limit for type {reading.product_type}"
    )
    found.append(Margin(mode="OSF", tripped=share > 1.0, closeness=share, text=strain_text))

    low, high = TWF_WINDOW
    in_window = reading.tool_wear >= low
    wear_text = f"tool wear {reading.tool_wear:.0f} min is " + (
        f"in the {low:.0f}-{high:.0f} min range where tools are replaced or fail"
        if in_window
        else f"below the {low:.0f} min at which tools start to fail"
    )
    found.append(
        Margin(mode="TWF", tripped=in_window, closeness=reading.tool_wear / low, text=wear_text)
    )
    return sorted(found, key=lambda m: -m.closeness)


def risk_level(probability: float, threshold: float) -> Literal["low", "elevated", "high"]:
    """High at or above the decision threshold; elevated from a third of it."""
    if probability >= threshold:
        return "high"
    if probability >= threshold / 3:
        return "elevated"
    return "low"


__all__ = [
    "FEATURES",
    "FEATURE_LABELS",
    "MODES",
    "MODE_NAMES",
    "FailurePrediction",
    "Margin",
    "Reading",
    "features",
    "frame_from_readings",
    "margins",
    "risk_level",
]
