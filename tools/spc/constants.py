"""Control-chart constants computed from their definitions, not typed in from a table.

d2(n) is the expected range of n standard normal values, d3(n) the standard deviation of
that range, c4(n) the bias of the sample standard deviation; A2, A3, B3, B4, D3, D4 follow
from them (Montgomery, *Introduction to Statistical Quality Control*, appendix VI).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np

MIN_N, MAX_N = 2, 25
_GRID = np.linspace(-9.0, 9.0, 3601)  # the normal tails beyond ±9 do not move 4 decimals


def _phi(x: np.ndarray) -> np.ndarray:
    from scipy.special import ndtr

    return np.asarray(ndtr(x))


@dataclass(frozen=True)
class Constants:
    n: int
    d2: float
    d3: float
    c4: float

    @property
    def a2(self) -> float:
        return 3.0 / (self.d2 * math.sqrt(self.n))

    @property
    def a3(self) -> float:
        return 3.0 / (self.c4 * math.sqrt(self.n))

    @property
    def d3_lower(self) -> float:  # D3
        return max(0.0, 1.0 - 3.0 * self.d3 / self.d2)

    @property
    def d4(self) -> float:
        return 1.0 + 3.0 * self.d3 / self.d2

    @property
    def b3(self) -> float:
        return max(0.0, 1.0 - 3.0 * math.sqrt(1.0 - self.c4**2) / self.c4)

    @property
    def b4(self) -> float:
        return 1.0 + 3.0 * math.sqrt(1.0 - self.c4**2) / self.c4


def c4(n: int) -> float:
    """E[s] / sigma for samples of n: sqrt(2/(n-1)) * Gamma(n/2) / Gamma((n-1)/2)."""
    return math.sqrt(2.0 / (n - 1)) * math.exp(math.lgamma(n / 2) - math.lgamma((n - 1) / 2))


def d2(n: int) -> float:
    """E[range of n standard normals] = integral of 1 - Phi(x)^n - (1 - Phi(x))^n."""
    phi = _phi(_GRID)
    return float(np.trapezoid(1.0 - phi**n - (1.0 - phi) ** n, _GRID))


def range_cdf(n: int, r: np.ndarray) -> np.ndarray:
    """P(range of n standard normals <= r) = n * integral phi(x) (Phi(x + r) - Phi(x))^(n-1)."""
    x = _GRID[::2]
    density = np.exp(-0.5 * x**2) / math.sqrt(2.0 * math.pi)
    inner = (_phi(x[None, :] + r[:, None]) - _phi(x)[None, :]) ** (n - 1)
    return np.asarray(n * np.trapezoid(density[None, :] * inner, x, axis=1))


def d3(n: int) -> float:
    """Standard deviation of that range: E[R^2] = integral of 2 r P(R > r) dr, minus d2^2."""
    r = np.linspace(0.0, 14.0, 1401)
    second_moment = float(np.trapezoid(2.0 * r * (1.0 - range_cdf(n, r)), r))
    return math.sqrt(max(0.0, second_moment - d2(n) ** 2))


@cache
def constants(n: int) -> Constants:
    """All constants for subgroup size n (2..25)."""
    if not MIN_N <= n <= MAX_N:
        raise ValueError(f"subgroup size {n} is outside {MIN_N}..{MAX_N}")
    return Constants(n=n, d2=d2(n), d3=d3(n), c4=c4(n))
