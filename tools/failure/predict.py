"""Failure predictions with their explanations: the trained model applied to readings."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tools.failure.model import FailureModel, top_drivers
from tools.failure.readings import (
    FEATURE_LABELS,
    MODE_NAMES,
    FailurePrediction,
    Reading,
    features,
    frame_from_readings,
    margins,
    risk_level,
)
from tools.failure.rules import MODES

_UNITS = {
    "air_temperature": "{:.1f} K",
    "process_temperature": "{:.1f} K",
    "rotational_speed": "{:,.0f} rpm",
    "torque": "{:.1f} Nm",
    "tool_wear": "{:.0f} min",
    "temperature_difference": "{:.1f} K",
    "power": "{:,.0f} W",
    "strain": "{:,.0f} min·Nm",
    "strain_share": "{:.0%} of the type's limit",
    "heat_margin": "{:.2f} (the rule trips below 1)",
    "power_margin": "{:.2f} (the rule trips below 1)",
    "type_code": "{:.0f}",
}
_TYPES = {0: "L", 1: "M", 2: "H"}


def _value_text(feature: str, value: float) -> str:
    if feature == "type_code":
        return f"type {_TYPES.get(round(value), '?')}"
    return _UNITS.get(feature, "{:g}").format(value)


def driver_text(feature: str, push: float, value: float) -> str:
    """One SHAP driver in words: "tool wear 215 min raised the risk"."""
    direction = "raised" if push > 0 else "lowered"
    return f"{FEATURE_LABELS[feature]} {_value_text(feature, value)} {direction} the risk"


def predict(model: FailureModel, readings: Sequence[Reading]) -> list[FailurePrediction]:
    """Calibrated probabilities, risk level, likely mode and explanation for each reading."""
    if not readings:
        return []
    x = features(frame_from_readings(list(readings)))
    probabilities = model.predict(x)
    pushes = model.contributions(x)
    results = []
    for i, reading in enumerate(readings):
        probability = float(probabilities["failure"][i])
        modes = {mode: round(float(probabilities[mode][i]), 4) for mode in MODES}
        risk = risk_level(probability, model.threshold)
        likely = max(modes, key=lambda m: modes[m]) if risk != "low" else None
        found = margins(reading)
        explanation = [driver_text(*d) for d in top_drivers(pushes[i], x[i]) if abs(d[1]) > 0.05]
        if likely is not None:
            explanation.insert(
                0, f"most likely: {MODE_NAMES[likely]} ({likely}, p = {modes[likely]:.2f})"
            )
        explanation += [m.text for m in found if m.tripped or m.closeness >= 0.9][:2]
        results.append(
            FailurePrediction(
                probability=round(probability, 4),
                label=probability >= model.threshold,
                threshold=round(model.threshold, 4),
                risk=risk,
                modes=modes,
                likely_mode=likely,
                explanation=explanation or ["all readings are far from every failure limit"],
                margins=found,
            )
        )
    return results


def rank(predictions: Sequence[FailurePrediction]) -> list[int]:
    """Indices of `predictions`, highest failure probability first."""
    return [int(i) for i in np.argsort([-p.probability for p in predictions], kind="stable")]
