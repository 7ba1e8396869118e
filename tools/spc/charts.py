"""Statistical process control: Shewhart charts, run rules and capability, as pure functions.

Every chart returns a `ControlChart`: centre line, per-point limits (they vary when subgroup
sizes do), the sigma used, and every plotted point with the run rules it breaks. Limits
follow Montgomery and R's qcc: X-bar from R-bar/d2 or S-bar/c4, I-MR from the average moving
range, attribute charts from the pooled proportion or rate.

Example:
    >>> chart = imr([33.75, 33.05, 34.0, 33.81, 33.46, 34.02, 33.68, 33.27])
    >>> round(chart.center, 3), chart.chart
    (33.63, 'i')
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from tools.spc.constants import MAX_N, MIN_N, constants
from tools.spc.control_chart import ChartPoint as ChartPoint  # callers import SPC from here
from tools.spc.control_chart import ControlChart, Subgroups, Values
from tools.spc.errors import SpcInputError
from tools.spc.rules import RuleSet, rule_flags
from tools.spc.rules import parse_rules as parse_rules  # callers use tools.spc for all of SPC
from tools.spc.rules import run_rules as run_rules


# ----------------------------------------------------------------------------- validation
def _finite(values: Values, what: str) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    bad = np.flatnonzero(~np.isfinite(array))
    if bad.size:
        raise SpcInputError(f"{what}: value {bad[0] + 1} is not a number")
    return array


def _subgroups(data: Subgroups, *, equal: bool) -> list[np.ndarray] | np.ndarray:
    """The subgroups checked: one 2-D array when they all have the same size (fast on long
    series), else one array each."""
    rectangular = _rectangular(data)
    groups: list[np.ndarray] | np.ndarray = (
        [_finite(row, f"subgroup {i}") for i, row in enumerate(data, start=1)]
        if rectangular is None
        else rectangular
    )
    if len(groups) < 2:
        raise SpcInputError(f"need at least two subgroups, got {len(groups)}")
    sizes = _sizes(groups)
    wrong = np.flatnonzero((sizes < MIN_N) | (sizes > MAX_N))
    if wrong.size:
        i = int(wrong[0])
        raise SpcInputError(
            f"subgroup {i + 1} has {sizes[i]} values; subgroup size must be {MIN_N}..{MAX_N}"
        )
    if equal and len(set(sizes.tolist())) > 1:
        raise SpcInputError(
            f"subgroups have different sizes ({sorted(set(sizes.tolist()))}); the X-bar-R chart "
            "needs equal sizes, use the X-bar-S chart"
        )
    return groups


def _rectangular(data: Subgroups) -> np.ndarray | None:
    """All subgroups as one array when they have one size, with the first bad value named."""
    try:
        array = np.asarray(data, dtype=float)
    except (ValueError, TypeError):
        return None  # ragged, or not numbers: checked one subgroup at a time
    if array.ndim != 2:
        return None
    bad = np.argwhere(~np.isfinite(array))
    if bad.size:
        row, column = (int(v) for v in bad[0])
        raise SpcInputError(f"subgroup {row + 1}: value {column + 1} is not a number")
    return array


def _sizes(groups: list[np.ndarray] | np.ndarray) -> np.ndarray:
    if isinstance(groups, np.ndarray):
        return np.full(groups.shape[0], groups.shape[1])
    return np.array([g.size for g in groups])


def _group_stats(groups: list[np.ndarray] | np.ndarray) -> tuple[np.ndarray, ...]:
    """Each subgroup's mean, range and standard deviation."""
    if isinstance(groups, np.ndarray):
        return groups.mean(axis=1), np.ptp(groups, axis=1), groups.std(axis=1, ddof=1)
    means = np.array([g.mean() for g in groups])
    ranges = np.array([np.ptp(g) for g in groups])
    sds = np.array([g.std(ddof=1) for g in groups])
    return means, ranges, sds


def _chart(
    kind: str,
    center: float,
    sigma: float,
    values: np.ndarray,
    se: np.ndarray,
    rules: RuleSet,
    *,
    floor: float | None = 0.0,
    k: float = 3.0,
) -> ControlChart:
    """Points with limits center ± k·se (clipped at `floor`) and the run rules they break."""
    lcl = center - k * se
    if floor is not None:
        lcl = np.maximum(lcl, floor)
    ucl = center + k * se
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, (values - center) / se, 0.0)
    names, flags = rule_flags(z, rules)
    return ControlChart(
        chart=kind,  # type: ignore[arg-type]
        center=float(center),
        sigma=float(sigma),
        values=np.asarray(values, dtype=float),
        lcl=np.broadcast_to(np.asarray(lcl, dtype=float), values.shape).copy(),
        ucl=np.broadcast_to(np.asarray(ucl, dtype=float), values.shape).copy(),
        rule_names=names,
        flags=flags,
        rules=rules,
    )


# ----------------------------------------------------------------------------- variables
def _phase1(n_points: int, phase1: int | None, exclude: Sequence[int] = ()) -> np.ndarray:
    """Rows that estimate the limits: all or the first `phase1`, less `exclude` (1-based)."""
    if phase1 is not None and not 2 <= phase1 <= n_points:
        raise SpcInputError(f"--phase1 must be between 2 and the {n_points} points, got {phase1}")
    keep = np.ones(phase1 or n_points, dtype=bool)
    dropped = np.asarray(exclude, dtype=int) - 1
    keep[dropped[(dropped >= 0) & (dropped < keep.size)]] = False
    rows = np.flatnonzero(keep)
    if rows.size < 2:
        raise SpcInputError("fewer than two points are left to estimate the limits")
    return rows


def xbar_r(
    data: Subgroups, rules: RuleSet = "nelson", *, phase1: int | None = None,
    center: float | None = None, sigma: float | None = None, exclude: Sequence[int] = (),
) -> tuple[ControlChart, ControlChart]:  # fmt: skip
    """X-bar and R charts for equal subgroups; sigma = R-bar / d2 of the estimating subgroups
    (all, the first `phase1`, or given as `sigma` with `center` for phase II)."""
    groups = _subgroups(data, equal=True)
    n = int(_sizes(groups)[0])
    c = constants(n)
    means, ranges, _ = _group_stats(groups)
    est = _phase1(len(groups), phase1, exclude)
    sd = float(ranges[est].mean()) / c.d2 if sigma is None else sigma
    _no_variation(sd)
    mu = float(means[est].mean()) if center is None else center
    ones = np.ones(len(groups))
    xbar = _chart("xbar", mu, sd, means, ones * sd / math.sqrt(n), rules, floor=None)
    r_chart = _chart("r", c.d2 * sd, sd, ranges, ones * c.d3 * sd, "none")
    return xbar, _only_beyond_limits(r_chart)


def xbar_s(
    data: Subgroups, rules: RuleSet = "nelson", *, phase1: int | None = None,
    center: float | None = None, sigma: float | None = None, exclude: Sequence[int] = (),
) -> tuple[ControlChart, ControlChart]:  # fmt: skip
    """X-bar and S charts; subgroup sizes may vary (qcc's weighted estimates)."""
    groups = _subgroups(data, equal=False)
    sizes = _sizes(groups)
    means, _, sds = _group_stats(groups)
    distinct, which = np.unique(sizes, return_inverse=True)
    c4s = np.array([constants(int(n)).c4 for n in distinct])[which]
    est = _phase1(len(groups), phase1, exclude)
    # qcc's "UWAVE-SD": sum(h_i s_i / c4_i) / sum(h_i), h_i = c4_i^2 / (1 - c4_i^2)
    h = c4s[est] ** 2 / (1 - c4s[est] ** 2)
    sd = float(np.sum(h * sds[est] / c4s[est]) / np.sum(h)) if sigma is None else sigma
    _no_variation(sd)
    mu = float(np.sum(sizes[est] * means[est]) / np.sum(sizes[est])) if center is None else center
    xbar = _chart("xbar", mu, sd, means, sd / np.sqrt(sizes), rules, floor=None)
    s_center = sd * c4s  # varies with n
    s_se = sd * np.sqrt(1 - c4s**2)
    s_chart = _chart("s", float(s_center.mean()), sd, sds, s_se, "none")
    # the S chart's centre varies with n; limits around each point's own centre
    s_chart = replace(s_chart, lcl=np.maximum(0.0, s_center - 3 * s_se), ucl=s_center + 3 * s_se)
    return xbar, _only_beyond_limits(s_chart)


def imr(
    values: Values, rules: RuleSet = "nelson", *, phase1: int | None = None,
    center: float | None = None, sigma: float | None = None, exclude: Sequence[int] = (),
) -> ControlChart:  # fmt: skip
    """Individuals chart; sigma = average moving range (span 2) / d2(2), as qcc's xbar.one."""
    x = _finite(values, "values")
    if x.size < 2:
        raise SpcInputError(f"need at least two values, got {x.size}")
    est = _phase1(x.size, phase1, exclude)
    sd = _individual_sigma(x[est]) if sigma is None else sigma
    _no_variation(sd)
    mu = float(x[est].mean()) if center is None else center
    return _chart("i", mu, sd, x, np.full(x.size, sd), rules, floor=None)


def reestimate(draw: Any, data: Any, rules: RuleSet = "nelson", *, phase1: int | None = None,
               max_rounds: int = 10) -> tuple[Any, list[int]]:  # fmt: skip
    """Phase I with exclusion: drop estimating points beyond the limits (of any chart drawn)
    and estimate again, until none is left; returns the final chart(s) and what was dropped.

    Example:
        >>> charts, dropped = reestimate(imr, [5.0, 5.1, 4.9, 5.2, 9.5, 5.0, 4.8])  # doctest: +SKIP
    """
    dropped: set[int] = set()
    for _ in range(max_rounds):
        charts = draw(data, rules, phase1=phase1, exclude=sorted(dropped))
        every = charts if isinstance(charts, tuple) else (charts,)
        limit = phase1 or every[0].values.size
        beyond = {index for chart in every for index in _beyond_limits(chart, limit)}
        if beyond <= dropped:
            return charts, sorted(dropped)
        dropped |= beyond
    return charts, sorted(dropped)


def _beyond_limits(chart: ControlChart, limit: int) -> list[int]:
    """Numbers of the first `limit` points that lie beyond the limits (rule 1 or its like)."""
    wanted = [j for j, name in enumerate(chart.rule_names)
              if name in ("nelson-1", "we-1", "beyond-limits")]  # fmt: skip
    if not wanted:
        return []
    hits = chart.flags[:limit, wanted].any(axis=1)
    return [int(i) for i in chart.index[:limit][hits]]


def moving_range(values: Values, *, sigma: float | None = None) -> ControlChart:
    """The MR chart that goes with `imr` (points from the second value on)."""
    x = _finite(values, "values")
    mr = np.abs(np.diff(x))
    c = constants(2)
    sd = float(mr.mean()) / c.d2 if sigma is None else sigma
    _no_variation(sd)
    chart = _chart("mr", c.d2 * sd, sd, mr, np.full(mr.size, c.d3 * sd), "none")
    return _only_beyond_limits(replace(chart, first_index=2))


def _no_variation(sigma: float) -> None:
    if not sigma > 0:
        raise SpcInputError("the data show no variation (every value the same): no limits exist")


def _only_beyond_limits(chart: ControlChart) -> ControlChart:
    """Dispersion charts: only points beyond their limits are signalled."""
    beyond = (chart.values < chart.lcl) | (chart.values > chart.ucl)
    return replace(chart, rule_names=["beyond-limits"], flags=beyond[:, None])


# ----------------------------------------------------------------------------- attributes
def _counts(
    counts: Sequence[float], sizes: Sequence[float] | None, what: str
) -> tuple[np.ndarray, np.ndarray]:
    d = _finite(counts, what)
    if d.size < 2:
        raise SpcInputError(f"need at least two samples, got {d.size}")
    if np.any(d < 0):
        raise SpcInputError(f"{what}: sample {int(np.flatnonzero(d < 0)[0]) + 1} is negative")
    n = np.ones_like(d) if sizes is None else _finite(sizes, "sample sizes")
    if n.size != d.size:
        raise SpcInputError(f"{d.size} counts but {n.size} sample sizes")
    if np.any(n <= 0):
        raise SpcInputError(f"sample size {int(np.flatnonzero(n <= 0)[0]) + 1} must be positive")
    return d, n


def p_chart(
    defectives: Sequence[float], sizes: Sequence[float], rules: RuleSet = "nelson"
) -> ControlChart:
    """Fraction defective; limits per sample when sizes vary."""
    d, n = _counts(defectives, sizes, "defectives")
    too_many = np.flatnonzero(d > n)
    if too_many.size:
        i = int(too_many[0])
        raise SpcInputError(f"sample {i + 1}: {d[i]:g} defectives in a sample of {n[i]:g}")
    p_bar = float(d.sum() / n.sum())
    sigma = math.sqrt(p_bar * (1 - p_bar))
    _no_variation(sigma)
    chart = _chart("p", p_bar, sigma, d / n, sigma / np.sqrt(n), rules)
    return replace(chart, ucl=np.minimum(chart.ucl, 1.0))


def np_chart(defectives: Sequence[float], size: int, rules: RuleSet = "nelson") -> ControlChart:
    """Number defective for a constant sample size."""
    d, n = _counts(defectives, [size] * len(defectives), "defectives")
    if np.any(d > n):
        i = int(np.flatnonzero(d > n)[0])
        raise SpcInputError(f"sample {i + 1}: {d[i]:g} defectives in a sample of {size}")
    p_bar = float(d.sum() / n.sum())
    sigma = math.sqrt(size * p_bar * (1 - p_bar))
    _no_variation(sigma)
    return _chart("np", size * p_bar, sigma, d, np.full(d.size, sigma), rules)


def c_chart(counts: Sequence[float], rules: RuleSet = "nelson") -> ControlChart:
    """Defects per unit of constant size."""
    d, _ = _counts(counts, None, "counts")
    c_bar = float(d.mean())
    _no_variation(c_bar)
    return _chart("c", c_bar, math.sqrt(c_bar), d, np.full(d.size, math.sqrt(c_bar)), rules)


def u_chart(
    counts: Sequence[float], sizes: Sequence[float], rules: RuleSet = "nelson"
) -> ControlChart:
    """Defects per unit when the number of units inspected varies."""
    d, n = _counts(counts, sizes, "counts")
    u_bar = float(d.sum() / n.sum())
    _no_variation(u_bar)
    return _chart("u", u_bar, math.sqrt(u_bar), d / n, np.sqrt(u_bar / n), rules)


# ----------------------------------------------------------------------------- time-weighted
def _individual_sigma(x: np.ndarray) -> float:
    return float(np.mean(np.abs(np.diff(x)))) / constants(2).d2


def ewma(values: Values, *, lam: float = 0.2, width: float = 3.0,
         center: float | None = None, sigma: float | None = None) -> ControlChart:  # fmt: skip
    """EWMA chart of individual values: z_i = lam x_i + (1 - lam) z_(i-1), z_0 = centre,
    limits centre ± width sigma sqrt(lam / (2 - lam) (1 - (1 - lam)^(2i))).
    Without `center`/`sigma` they are estimated from the data (mean, moving range / d2)."""
    x = _finite(values, "values")
    if x.size < 2:
        raise SpcInputError(f"need at least two values, got {x.size}")
    if not 0 < lam <= 1:
        raise SpcInputError(f"lambda must be in (0, 1], got {lam}")
    mu = float(x.mean()) if center is None else center
    sd = _individual_sigma(x) if sigma is None else sigma
    _no_variation(sd)
    z = np.empty_like(x)
    previous = mu
    for i, value in enumerate(x):
        previous = lam * value + (1 - lam) * previous
        z[i] = previous
    steps = np.arange(1, x.size + 1)
    se = sd * np.sqrt(lam / (2 - lam) * (1 - (1 - lam) ** (2 * steps)))
    chart = _chart("ewma", mu, sd, z, se, "none", floor=None, k=width)
    return _only_beyond_limits(chart)


class Cusum(BaseModel):
    """Tabular CUSUM: upper and lower cumulative sums against the decision interval h·sigma."""

    center: float
    sigma: float
    k: float = Field(description="Reference value, in sigmas")
    h: float = Field(description="Decision interval, in sigmas")
    upper: list[float]
    lower: list[float]
    signals: list[int] = Field(description="1-based points where either sum exceeds h·sigma")


def cusum(values: Values, *, k: float = 0.5, h: float = 5.0,
          center: float | None = None, sigma: float | None = None) -> Cusum:  # fmt: skip
    """C+_i = max(0, x_i - (mu + k sigma) + C+_(i-1)), C-_i = max(0, (mu - k sigma) - x_i +
    C-_(i-1)); a signal where either exceeds h sigma (Montgomery, section 9.1)."""
    x = _finite(values, "values")
    if x.size < 2:
        raise SpcInputError(f"need at least two values, got {x.size}")
    mu = float(x.mean()) if center is None else center
    sd = _individual_sigma(x) if sigma is None else sigma
    _no_variation(sd)
    upper, lower = [], []
    c_plus = c_minus = 0.0
    for value in x:
        c_plus = max(0.0, float(value) - (mu + k * sd) + c_plus)
        c_minus = max(0.0, (mu - k * sd) - float(value) + c_minus)
        upper.append(c_plus)
        lower.append(c_minus)
    limit = h * sd
    signals = [
        i + 1 for i, (u, lo) in enumerate(zip(upper, lower, strict=True)) if u > limit or lo > limit
    ]
    return Cusum(center=mu, sigma=sd, k=k, h=h, upper=upper, lower=lower, signals=signals)
