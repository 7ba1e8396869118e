"""SPC as a service: analyse a file, pasted numbers or a stored characteristic into the
documented JSON (and chart objects to draw); keeps the demo plant's data seeded."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from sqlmodel import Session, select

ChartName = Literal["xbar-r", "xbar-s", "imr", "p", "np", "c", "u", "ewma", "cusum"]


def _limit(values: list[float | None]) -> float | list[float | None] | None:
    """One number when every point shares it, else the list (limits vary with n)."""
    distinct = {round(v, 12) for v in values if v is not None}
    return values[0] if len(distinct) <= 1 else values


def chart_json(chart: Any) -> dict[str, Any]:
    return {
        "name": chart.chart,
        "center": chart.center,
        "lcl": _limit([p.lcl for p in chart.points]),
        "ucl": _limit([p.ucl for p in chart.points]),
        "sigma": chart.sigma,
        "points": [
            {"index": p.index, "value": p.value, "violations": p.violations} for p in chart.points
        ],
    }


def cusum_json(result: Any) -> dict[str, Any]:
    limit = result.h * result.sigma
    return {
        "name": "cusum",
        "center": result.center,
        "lcl": -limit,
        "ucl": limit,
        "sigma": result.sigma,
        "points": [
            {
                "index": i,
                "value": upper,
                "lower": -lower,
                "violations": ["beyond-limits"] if i in result.signals else [],
            }
            for i, (upper, lower) in enumerate(zip(result.upper, result.lower, strict=True), 1)
        ],
    }


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


Result = tuple[dict[str, Any], list[Any]]


def analyse_counts(counts: list[float], sizes: list[float] | None, o: SpcOptions) -> Result:
    """Attribute charts: p (sizes vary), np (one size), c or u."""
    from tools import spc

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
    return {"chart": chosen, "charts": [chart_json(made)], "capability": None}, [made]


def analyse_groups(groups: list[list[float]], o: SpcOptions) -> Result:
    """Variable charts for subgroups (or single values), with capability when limits exist."""
    from tools import spc
    from tools.spc_capability import capability as capability_of

    individual = all(len(g) == 1 for g in groups)
    equal = len({len(g) for g in groups}) == 1
    chosen = o.chart or (
        "imr" if individual else "xbar-r" if equal and len(groups[0]) <= 10 else "xbar-s"
    )
    known: dict[str, Any] = {"center": o.center, "sigma": o.sigma}
    excluded: list[int] = []
    rules: Any = o.rules
    charts: list[dict[str, Any]] = []
    drawn: list[Any] = []
    if chosen in ("imr", "ewma", "cusum"):
        if not individual:
            raise spc.SpcInputError(
                f"the {chosen} chart takes one value per row; this data has subgroups"
            )
        values = [g[0] for g in groups]
        if chosen == "imr":
            if o.exclude_out_of_control and o.sigma is None:
                i_chart, excluded = spc.reestimate(spc.imr, values, rules, phase1=o.phase1)
            else:
                i_chart = spc.imr(values, rules, phase1=o.phase1, **known)
            drawn = [i_chart, spc.moving_range(values, sigma=i_chart.sigma)]
            within = i_chart.sigma
        elif chosen == "ewma":
            drawn = [spc.ewma(values, lam=o.lam, **known)]
            within = drawn[0].sigma
        else:
            result = spc.cusum(values, k=o.k, h=o.h, **known)
            within = result.sigma
            charts.append(cusum_json(result))
    elif chosen in ("xbar-r", "xbar-s"):
        draw = spc.xbar_r if chosen == "xbar-r" else spc.xbar_s
        if o.exclude_out_of_control and o.sigma is None:
            pair, excluded = spc.reestimate(draw, groups, rules, phase1=o.phase1)
            drawn = list(pair)
        else:
            drawn = list(draw(groups, rules, phase1=o.phase1, **known))
        within = drawn[0].sigma
        values = [v for g in groups for v in g]
    else:
        raise spc.SpcInputError(f"the {chosen} chart needs counts (--count-col)")
    charts = [chart_json(c) for c in drawn] + charts
    capability = None
    if o.lsl is not None or o.usl is not None:
        found = capability_of(values, sigma_within=within, lsl=o.lsl, usl=o.usl, target=o.target)
        capability = {name: getattr(found, name) for name in ("cp", "cpk", "cpm", "pp", "ppk")}
        capability |= {"sigma_within": found.sigma_within, "sigma_overall": found.sigma_overall}
    found_json: dict[str, Any] = {"chart": chosen, "charts": charts, "capability": capability}
    if o.exclude_out_of_control:
        found_json["excluded"] = excluded
    return found_json, drawn


def analyse_file(
    path: Path, o: SpcOptions, *, count_col: str | None = None, size_col: str | None = None
) -> Result:
    """A CSV or XLSX file, wide or long, or count columns for attribute charts."""
    from tools.spc_io import column, read_table, subgroups

    frame = read_table(path)
    if o.chart in ("p", "np", "c", "u") or count_col:
        counts = column(frame, count_col or "count")
        sizes = column(frame, size_col) if size_col else None
        return analyse_counts(counts, sizes, o)
    return analyse_groups(subgroups(frame, o.subgroup_size), o)


# ----------------------------------------------------------------------------- stored data
DRIFTING = {"BD-16": 2.0, "LK-01": 1.5}  # the demo plant's two processes that wander


def ensure_demo_data(session: Session, *, n_subgroups: int = 30) -> int:
    """Seed the control plan's characteristics and demo measurements where none exist."""
    import datetime as dt

    from assistant.spc_records import Characteristic as Table
    from assistant.spc_records import (
        add_subgroups,
        control_plan_characteristics,
        seed_characteristics,
        series,
    )
    from tools.spc_demo import attribute_counts, variable_subgroups

    seed_characteristics(session, control_plan_characteristics())
    stored = 0
    start = dt.datetime(2026, 11, 2, 6, 0, tzinfo=dt.UTC)
    for number, item in enumerate(session.exec(select(Table)).all()):
        if series(session, item):
            continue
        drift = DRIFTING.get(item.name, 0.0)
        if item.chart in ("p", "np", "c", "u"):
            rate = {"p": 0.04, "np": 0.02}.get(item.chart, 3.0)
            counts = attribute_counts(
                n_samples=n_subgroups,
                sample_size=item.sample_size if item.chart != "c" else None,
                rate=rate,
                drift=drift,
                seed=number,
            )
            stored += add_subgroups(
                session,
                characteristic=item,
                subgroups=[[c] for c in counts],
                sample_size=item.sample_size,
                start=start,
            )
        else:
            groups = variable_subgroups(
                n_subgroups=n_subgroups,
                size=item.subgroup_size,
                lsl=item.lsl,
                usl=item.usl,
                target=item.target,
                drift=drift,
                seed=number,
            )
            stored += add_subgroups(session, characteristic=item, subgroups=groups, start=start)
    return stored


def analyse_characteristic(session: Session, name: str, o: SpcOptions | None = None) -> Result:
    """The stored series of a characteristic, against its frozen limits when it has them."""
    from assistant.spc_records import get_characteristic, series

    item = get_characteristic(session, name)
    given = o or SpcOptions()
    frozen = item.frozen_sigma is not None and given.sigma is None
    o = replace(  # the caller's options stay as they were
        given,
        chart=given.chart or item.chart,  # type: ignore[arg-type]
        lsl=given.lsl if given.lsl is not None else item.lsl,
        usl=given.usl if given.usl is not None else item.usl,
        target=given.target if given.target is not None else item.target,
        center=item.frozen_center if frozen else given.center,
        sigma=item.frozen_sigma if frozen else given.sigma,
    )
    groups = series(session, item)
    if item.chart in ("p", "np", "c", "u"):
        sizes = [float(item.sample_size or 1)] * len(groups)
        result, drawn = analyse_counts([g[0] for g in groups], sizes, o)
    else:
        result, drawn = analyse_groups(groups, o)
    result["characteristic"] = {
        "name": item.name,
        "description": item.description,
        "unit": item.unit,
        "frozen": item.frozen_sigma is not None,
    }
    return result, drawn
