"""SPC analysis of one series: the chart chosen from the data, its run rules and capability,
as a typed result (`SpcAnalysis`) whose `to_json()` is the documented `plant spc --json`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from tools.spc import charts as spc
from tools.spc.capability import capability as capability_of
from tools.spc.limits import DEFAULT_LIMITS, SpcLimits
from tools.spc.rules import violation_lists

ChartName = Literal["xbar-r", "xbar-s", "imr", "p", "np", "c", "u", "ewma", "cusum"]
ATTRIBUTE_CHARTS = ("p", "np", "c", "u")
Groups = list[list[float]] | np.ndarray  # one list per subgroup, or one row per subgroup


class SeriesPoint(BaseModel):
    index: int
    value: float
    lower: float | None = Field(None, description="The lower CUSUM, for the cusum chart only.")
    violations: list[str]


class ChartSeries(BaseModel):
    """One drawn chart: its centre, limits (one number, or one per point when n varies) and
    its points, held as arrays (`points` builds `SeriesPoint` objects when asked for)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    name: str
    center: float
    lcl: float | list[float | None] | None
    ucl: float | list[float | None] | None
    sigma: float
    index: np.ndarray = Field(exclude=True)
    values: np.ndarray = Field(exclude=True)
    lower: np.ndarray | None = Field(None, exclude=True, description="The lower CUSUM.")
    rule_names: list[str] = Field(default_factory=list, exclude=True)
    flags: np.ndarray = Field(exclude=True, description="points x rules: which each breaks")

    @property
    def size(self) -> int:
        return int(self.values.size)

    @cached_property
    def points(self) -> list[SeriesPoint]:
        return self._points(np.arange(self.size))

    def flagged_points(self) -> list[SeriesPoint]:
        """Only the points that break a rule."""
        return self._points(np.flatnonzero(self.flags.any(axis=1)))

    def _points(self, at: np.ndarray) -> list[SeriesPoint]:
        return [SeriesPoint.model_validate(p) for p in self.points_json(at)]

    def points_json(self, at: np.ndarray) -> list[dict[str, Any]]:
        """The points at positions `at` as `plant spc --json` lists them."""
        index, values = self.index[at].tolist(), self.values[at].tolist()
        broken = violation_lists(self.rule_names, self.flags[at])
        if self.lower is None:
            return [{"index": i, "value": v, "violations": b}
                    for i, v, b in zip(index, values, broken, strict=True)]  # fmt: skip
        lower = self.lower[at].tolist()
        return [{"index": i, "value": v, "lower": lo, "violations": b}
                for i, v, lo, b in zip(index, values, lower, broken, strict=True)]  # fmt: skip


class CapabilityIndices(BaseModel):
    cp: float | None
    cpk: float | None
    cpm: float | None
    pp: float | None
    ppk: float | None
    sigma_within: float
    sigma_overall: float


class CharacteristicInfo(BaseModel):
    name: str
    description: str
    unit: str
    frozen: bool


class SpcAnalysis(BaseModel):
    """What an SPC analysis found; `drawn` holds the chart objects to draw (not serialized)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    chart: str
    charts: list[ChartSeries]
    capability: CapabilityIndices | None = None
    excluded: list[int] | None = Field(None, description="Phase I points left out, if asked.")
    characteristic: CharacteristicInfo | None = None
    drawn: list[Any] = Field(default_factory=list, exclude=True)

    @property
    def in_control(self) -> bool:
        return not any(c.flags.any() for c in self.charts)

    def to_json(self, max_points: int | None = None) -> dict[str, Any]:
        """The `plant spc --json` object (keys as documented in the README). With
        `max_points`, a longer chart lists only its first `max_points` points and says how
        many it has in `points_total` (the chat shows the start of a long series)."""
        data: dict[str, Any] = {
            "chart": self.chart,
            "charts": [_chart_json(c, max_points) for c in self.charts],
            "capability": self.capability.model_dump() if self.capability else None,
        }
        if self.excluded is not None:
            data["excluded"] = self.excluded
        if self.characteristic is not None:
            data["characteristic"] = self.characteristic.model_dump()
        return data


@dataclass
class SpcOptions:
    """What `plant spc` and the chat tool let a user choose."""

    chart: ChartName | None = None
    subgroup_size: int | None = None
    phase1: int | None = None
    rules: str = "nelson"
    lsl: float | None = None
    usl: float | None = None
    target: float | None = None
    center: float | None = None
    sigma: float | None = None
    lam: float = 0.2
    k: float = 0.5
    h: float = 5.0
    exclude_out_of_control: bool = False  # phase I: drop points beyond limits, estimate again


def _chart_json(series: ChartSeries, max_points: int | None) -> dict[str, Any]:
    shown = series.size if max_points is None else min(series.size, max_points)
    data = {**series.model_dump(), "points": series.points_json(np.arange(shown))}
    if shown < series.size:
        data["points_total"] = series.size
    return data


def _limit(values: np.ndarray) -> float | list[float | None] | None:
    """One number when every point shares it, else the list (limits vary with n)."""
    if values.size == 0:
        return None
    rounded = np.round(values[~np.isnan(values)], 12)
    if rounded.size == 0 or np.all(rounded == rounded[0]):
        return float(values[0])
    return [None if np.isnan(v) else v for v in values.tolist()]


def series_of(chart: spc.ControlChart) -> ChartSeries:
    return ChartSeries(
        name=chart.chart,
        center=chart.center,
        lcl=_limit(chart.lcl),
        ucl=_limit(chart.ucl),
        sigma=chart.sigma,
        index=chart.index,
        values=chart.values,
        rule_names=chart.rule_names,
        flags=chart.flags,
    )


def cusum_series(result: spc.Cusum) -> ChartSeries:
    limit = result.h * result.sigma
    index = np.arange(1, len(result.upper) + 1)
    return ChartSeries(name="cusum", center=result.center, lcl=-limit, ucl=limit,
                       sigma=result.sigma, index=index, values=np.asarray(result.upper),
                       lower=-np.asarray(result.lower), rule_names=["beyond-limits"],
                       flags=np.isin(index, result.signals)[:, None])  # fmt: skip


def analyse_counts(counts: list[float], sizes: list[float] | None, o: SpcOptions) -> SpcAnalysis:
    """Attribute charts: p (sizes vary), np (one size), c or u."""
    chosen = o.chart or ("p" if sizes else "c")
    rules: Any = o.rules
    if chosen in ("p", "u", "np") and not sizes:
        raise spc.SpcInputError(f"the {chosen} chart needs sample sizes (--size-col)")
    if chosen == "p":
        made = spc.p_chart(counts, sizes or [], rules)
    elif chosen == "u":
        made = spc.u_chart(counts, sizes or [], rules)
    elif chosen == "np":
        if len(set(sizes or [])) > 1:
            raise spc.SpcInputError("the np chart needs one sample size; use the p chart")
        made = spc.np_chart(counts, int((sizes or [0])[0]), rules)
    elif chosen == "c":
        made = spc.c_chart(counts, rules)
    else:
        raise spc.SpcInputError(f"the {chosen} chart is for measurements, not counts")
    return SpcAnalysis(chart=chosen, charts=[series_of(made)], drawn=[made])


def _sizes(groups: Groups) -> set[int]:
    """The subgroup sizes in the data."""
    if isinstance(groups, np.ndarray):
        return {groups.shape[1]}
    return {len(g) for g in groups}


def _default_chart(groups: Groups) -> str:
    sizes = _sizes(groups)
    if sizes <= {1}:
        return "imr"
    return "xbar-r" if len(sizes) == 1 and len(groups[0]) <= 10 else "xbar-s"


def _individuals(
    chosen: str, values: Sequence[float] | np.ndarray, o: SpcOptions
) -> tuple[list[Any], Any, list[int]]:
    """I-MR, EWMA or CUSUM: the drawn charts (or the CUSUM result) and the points excluded."""
    known: dict[str, Any] = {"center": o.center, "sigma": o.sigma}
    rules: Any = o.rules
    excluded: list[int] = []
    if chosen == "imr":
        if o.exclude_out_of_control and o.sigma is None:
            i_chart, excluded = spc.reestimate(spc.imr, values, rules, phase1=o.phase1)
        else:
            i_chart = spc.imr(values, rules, phase1=o.phase1, **known)
        return [i_chart, spc.moving_range(values, sigma=i_chart.sigma)], None, excluded
    if chosen == "ewma":
        return [spc.ewma(values, lam=o.lam, **known)], None, excluded
    return [], spc.cusum(values, k=o.k, h=o.h, **known), excluded


def _subgrouped(chosen: str, groups: Groups, o: SpcOptions) -> tuple[list[Any], list[int]]:
    draw = spc.xbar_r if chosen == "xbar-r" else spc.xbar_s
    rules: Any = o.rules
    if o.exclude_out_of_control and o.sigma is None:
        pair, excluded = spc.reestimate(draw, groups, rules, phase1=o.phase1)
        return list(pair), excluded
    return list(draw(groups, rules, phase1=o.phase1, center=o.center, sigma=o.sigma)), []


def analyse_groups(groups: Groups, o: SpcOptions) -> SpcAnalysis:
    """Variable charts for subgroups (or single values), with capability when limits exist;
    `groups` is one list per subgroup, or a 2-D array with one row per subgroup."""
    chosen = o.chart or _default_chart(groups)
    cusum = None
    values: Sequence[float] | np.ndarray
    if chosen in ("imr", "ewma", "cusum"):
        if not _sizes(groups) <= {1}:
            raise spc.SpcInputError(
                f"the {chosen} chart takes one value per row; this data has subgroups"
            )
        values = groups[:, 0] if isinstance(groups, np.ndarray) else [g[0] for g in groups]
        drawn, cusum, excluded = _individuals(chosen, values, o)
        within = cusum.sigma if cusum is not None else drawn[0].sigma
    elif chosen in ("xbar-r", "xbar-s"):
        drawn, excluded = _subgrouped(chosen, groups, o)
        within = drawn[0].sigma
        values = (
            groups.ravel() if isinstance(groups, np.ndarray) else [v for g in groups for v in g]
        )
    else:
        raise spc.SpcInputError(f"the {chosen} chart needs counts (--count-col)")
    series = [series_of(c) for c in drawn] + ([cusum_series(cusum)] if cusum is not None else [])
    indices = None
    if o.lsl is not None or o.usl is not None:
        found = capability_of(values, sigma_within=within, lsl=o.lsl, usl=o.usl, target=o.target)
        indices = CapabilityIndices.model_validate(found.model_dump())
    return SpcAnalysis(
        chart=chosen,
        charts=series,
        capability=indices,
        excluded=excluded if o.exclude_out_of_control else None,
        drawn=drawn,
    )


def analyse_file(
    path: Path, o: SpcOptions, *, count_col: str | None = None, size_col: str | None = None,
    limits: SpcLimits = DEFAULT_LIMITS,
) -> SpcAnalysis:  # fmt: skip
    """A CSV or XLSX file, wide or long, or count columns for attribute charts; a file over
    the row or column cap of `limits` (or an XLSX that unpacks too large) is refused."""
    from tools.spc.io import column, read_table, subgroup_table

    frame = read_table(path, limits)
    if o.chart in ATTRIBUTE_CHARTS or count_col:
        counts = column(frame, count_col or "count")
        sizes = column(frame, size_col) if size_col else None
        return analyse_counts(counts, sizes, o)
    return analyse_groups(subgroup_table(frame, o.subgroup_size), o)
