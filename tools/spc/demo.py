"""Realistic demo measurements for a control-plan characteristic: in control, or drifting.

Deterministic by seed. Variables are normal around the target (or inside a one-sided limit)
with a spread that gives a capable process (Cp about 1.5); a drifting series moves its mean
by `drift` sigmas, linearly, over its second half. Attributes follow binomial or Poisson
counts.
"""

from __future__ import annotations

import numpy as np


def variable_subgroups(
    *,
    n_subgroups: int,
    size: int,
    lsl: float | None,
    usl: float | None,
    target: float | None,
    drift: float = 0.0,
    seed: int = 0,
) -> list[list[float]]:
    rng = np.random.default_rng(seed)
    if lsl is not None and usl is not None:
        center = target if target is not None else (lsl + usl) / 2
        sigma = (usl - lsl) / 9.0  # Cp = 1.5
    elif usl is not None:  # only an upper limit (roughness, flatness): stay well below it
        sigma = usl / 12.0
        center = usl - 4.5 * sigma
    elif lsl is not None:  # only a lower limit (pull strength): stay well above it
        sigma = abs(lsl) / 12.0 or 1.0
        center = lsl + 4.5 * sigma
    else:
        raise ValueError("a characteristic needs at least one specification limit")
    shift = np.zeros(n_subgroups)
    half = n_subgroups // 2
    shift[half:] = np.linspace(0.0, drift, n_subgroups - half)
    data = rng.normal(center + shift[:, None] * sigma, sigma, size=(n_subgroups, size))
    decimals = max(0, -int(np.floor(np.log10(sigma / 10))))  # a gauge resolving sigma/10
    return [[round(float(v), decimals) for v in row] for row in data]


def attribute_counts(
    *, n_samples: int, sample_size: int | None, rate: float, drift: float = 0.0, seed: int = 0
) -> list[int]:
    """Defectives per sample (binomial, `sample_size` given) or defects per unit (Poisson)."""
    rng = np.random.default_rng(seed)
    rates = np.full(n_samples, rate)
    half = n_samples // 2
    rates[half:] *= np.linspace(1.0, 1.0 + drift, n_samples - half)
    if sample_size:
        return [int(v) for v in rng.binomial(sample_size, np.clip(rates, 0, 1))]
    return [int(v) for v in rng.poisson(rates)]
