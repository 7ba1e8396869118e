"""SPC analysis of one series: the chart chosen from the data, its run rules and capability,
as a typed result (`SpcAnalysis`) whose `to_json()` is the documented `plant spc --json`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from tools.spc import charts as spc
from tools.spc.capability import capability as capability_of

ChartName = Literal["xbar-r", "xbar-s", "imr", "p", "np", "c", "u", "ewma", "cusum"]
ATTRIBUTE_CHARTS = ("p", "np", "c", "u")


class SeriesPoint(BaseModel):
    index: int
    value: float
    lower: float | None = Field(None, description="The lower CUSUM, for the cusum chart only.")
    violations: list[str]


class ChartSeries(BaseModel):
    """One drawn chart: its centre, limits (one number, or one per point when n varies)."""

    name: str
    center: float
    lcl: float | list[float | None] | None
    ucl: float | list[float | None] | None
    sigma: float
    points: list[SeriesPoint]


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
        return not any(p.violations for c in self.charts for p in c.points)

    def to_json(self) -> dict[str, Any]:
        """The `plant spc --json` object (keys as documented in the README)."""
        data: dict[str, Any] = {
            "chart": self.chart,
            "charts": [
                {
                    **c.model_dump(exclude={"points"}),
                    "points": [p.model_dump(exclude_none=True) for p in c.points],
                }
                for c in self.charts
            ],
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


def _limit(values: list[float | None]) -> float | list[float | None] | None:
    """One number when every point shares it, else the list (limits vary with n)."""
    distinct = {round(v, 12) for v in values if v is not None}
    return values[0] if len(distinct) <= 1 else values


def series_of(chart: Any) -> ChartSeries:
    points = [SeriesPoint(index=p.index, value=p.value, violations=p.violations)
              for p in chart.points]  # fmt: skip
    return ChartSeries(
        name=chart.chart,
        center=chart.center,
        lcl=_limit([p.lcl for p in chart.points]),
        ucl=_limit([p.ucl for p in chart.points]),
        sigma=chart.sigma,
        points=points,
    )


def cusum_series(result: spc.Cusum) -> ChartSeries:
    limit = result.h * result.sigma
    points = [
        SeriesPoint(index=i, value=upper, lower=-lower,
                    violations=["beyond-limits"] if i in result.signals else [])
        for i, (upper, lower) in enumerate(zip(result.upper, result.lower, strict=True), 1)
    ]  # fmt: skip
    return ChartSeries(name="cusum", center=result.center, lcl=-limit, ucl=limit,
                       sigma=result.sigma, points=points)  # fmt: skip


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


def _default_chart(groups: list[list[float]]) -> str:
    if all(len(g) == 1 for g in groups):
        return "imr"
    equal = len({len(g) for g in groups}) == 1
    return "xbar-r" if equal and len(groups[0]) <= 10 else "xbar-s"


def _individuals(
    chosen: str, values: list[float], o: SpcOptions
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


def _subgrouped(
    chosen: str, groups: list[list[float]], o: SpcOptions
) -> tuple[list[Any], list[int]]:
    draw = spc.xbar_r if chosen == "xbar-r" else spc.xbar_s
    rules: Any = o.rules
    if o.exclude_out_of_control and o.sigma is None:
        pair, excluded = spc.reestimate(draw, groups, rules, phase1=o.phase1)
        return list(pair), excluded
    return list(draw(groups, rules, phase1=o.phase1, center=o.center, sigma=o.sigma)), []


def analyse_groups(groups: list[list[float]], o: SpcOptions) -> SpcAnalysis:
    """Variable charts for subgroups (or single values), with capability when limits exist."""
    chosen = o.chart or _default_chart(groups)
    cusum = None
    if chosen in ("imr", "ewma", "cusum"):
        if not all(len(g) == 1 for g in groups):
            raise spc.SpcInputError(
                f"the {chosen} chart takes one value per row; this data has subgroups"
            )
        values = [g[0] for g in groups]
        drawn, cusum, excluded = _individuals(chosen, values, o)
        within = cusum.sigma if cusum is not None else drawn[0].sigma
    elif chosen in ("xbar-r", "xbar-s"):
        drawn, excluded = _subgrouped(chosen, groups, o)
        within = drawn[0].sigma
        values = [v for g in groups for v in g]
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
    path: Path, o: SpcOptions, *, count_col: str | None = None, size_col: str | None = None
) -> SpcAnalysis:
    """A CSV or XLSX file, wide or long, or count columns for attribute charts."""
    from tools.spc.io import column, read_table, subgroups

    frame = read_table(path)
    if o.chart in ATTRIBUTE_CHARTS or count_col:
        counts = column(frame, count_col or "count")
        sizes = column(frame, size_col) if size_col else None
        return analyse_counts(counts, sizes, o)
    return analyse_groups(subgroups(frame, o.subgroup_size), o)
