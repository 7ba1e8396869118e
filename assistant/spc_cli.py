"""`plant spc FILE`: control charts, run rules and capability for a measurement file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.console import Console

out = Console()

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


def analyse(
    path: Path, *, chart: ChartName | None, subgroup_size: int | None, phase1: int | None,
    rules: str, lsl: float | None, usl: float | None, target: float | None,
    center: float | None, sigma: float | None, lam: float, k: float, h: float,
    count_col: str | None, size_col: str | None,
) -> tuple[dict[str, Any], list[Any]]:  # fmt: skip
    """Read the file, draw the requested (or fitting) chart; the documented JSON, and the
    chart objects for drawing (CUSUM has none: its JSON is its picture)."""
    from tools import spc
    from tools.spc_io import column, read_table, subgroups

    frame = read_table(path)
    known: dict[str, Any] = {"center": center, "sigma": sigma}
    charts: list[dict[str, Any]] = []
    drawn: list[Any] = []
    values: list[float] = []
    within: float | None = None
    if chart in ("p", "np", "c", "u") or count_col:
        counts = column(frame, count_col or "count")
        chosen = chart or ("p" if size_col else "c")
        if chosen in ("p", "u"):
            sizes = column(frame, size_col or "size")
            made = (spc.p_chart if chosen == "p" else spc.u_chart)(counts, sizes, rules)  # type: ignore[arg-type]
        elif chosen == "np":
            sizes = column(frame, size_col or "size")
            if len(set(sizes)) > 1:
                raise spc.SpcInputError("the np chart needs one sample size; use the p chart")
            made = spc.np_chart(counts, int(sizes[0]), rules)  # type: ignore[arg-type]
        else:
            made = spc.c_chart(counts, rules)  # type: ignore[arg-type]
        charts.append(chart_json(made))
        return {"chart": chosen, "charts": charts, "capability": None}, [made]

    groups = subgroups(frame, subgroup_size)
    individual = all(len(g) == 1 for g in groups)
    chosen = chart or ("imr" if individual else
                       "xbar-r" if len({len(g) for g in groups}) == 1 and len(groups[0]) <= 10
                       else "xbar-s")  # fmt: skip
    if chosen in ("imr", "ewma", "cusum"):
        if not individual:
            raise spc.SpcInputError(
                f"the {chosen} chart takes one value per row; this file has subgroups"
            )
        values = [g[0] for g in groups]
        if chosen == "imr":
            i_chart = spc.imr(values, rules, phase1=phase1, **known)  # type: ignore[arg-type]
            within = i_chart.sigma
            drawn = [i_chart, spc.moving_range(values, sigma=sigma)]
            charts += [chart_json(c) for c in drawn]
        elif chosen == "ewma":
            made = spc.ewma(values, lam=lam, **known)
            within = made.sigma
            drawn = [made]
            charts.append(chart_json(made))
        else:
            result = spc.cusum(values, k=k, h=h, **known)
            within = result.sigma
            charts.append(cusum_json(result))
    elif chosen in ("xbar-r", "xbar-s"):
        draw = spc.xbar_r if chosen == "xbar-r" else spc.xbar_s
        xbar, spread = draw(groups, rules, phase1=phase1, **known)  # type: ignore[arg-type]
        within = xbar.sigma
        values = [v for g in groups for v in g]
        drawn = [xbar, spread]
        charts += [chart_json(xbar), chart_json(spread)]
    else:
        raise spc.SpcInputError(f"the {chosen} chart needs --count-col (and --size-col)")
    capability = None
    if lsl is not None or usl is not None:
        assert within is not None
        found = spc.capability(values, sigma_within=within, lsl=lsl, usl=usl, target=target)
        capability = {k_: getattr(found, k_) for k_ in ("cp", "cpk", "cpm", "pp", "ppk")}
        capability |= {"sigma_within": found.sigma_within, "sigma_overall": found.sigma_overall}
    return {"chart": chosen, "charts": charts, "capability": capability}, drawn


def spc_command(
    file: Annotated[Path, typer.Argument(help="CSV or XLSX with a header row.")],
    chart: Annotated[ChartName | None, typer.Option(help="Default: chosen from the data.")] = None,
    subgroup_size: Annotated[int | None, typer.Option(help="Group one column's values.")] = None,
    phase1: Annotated[int | None, typer.Option(help="First K points estimate the limits.")] = None,
    rules: Annotated[str, typer.Option(help="nelson, we or none.")] = "nelson",
    lsl: Annotated[float | None, typer.Option(help="Lower specification limit.")] = None,
    usl: Annotated[float | None, typer.Option(help="Upper specification limit.")] = None,
    target: Annotated[float | None, typer.Option(help="Target, for Cpm.")] = None,
    center: Annotated[float | None, typer.Option(help="Known process centre.")] = None,
    sigma: Annotated[float | None, typer.Option(help="Known process sigma.")] = None,
    lam: Annotated[float, typer.Option("--lambda", help="EWMA weight.")] = 0.2,
    k: Annotated[float, typer.Option(help="CUSUM reference value, in sigmas.")] = 0.5,
    h: Annotated[float, typer.Option(help="CUSUM decision interval, in sigmas.")] = 5.0,
    count_col: Annotated[str | None, typer.Option(help="Counts, for attribute charts.")] = None,
    size_col: Annotated[str | None, typer.Option(help="Sample sizes, for p/np/u.")] = None,
    png: Annotated[Path | None, typer.Option(help="Also draw the chart to this PNG file.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the documented JSON.")] = False,
) -> None:
    """Control chart, run-rule violations and capability for a measurement file."""
    from tools.spc import SpcInputError

    if rules not in ("nelson", "we", "none"):
        raise SpcInputError(f"--rules must be nelson, we or none (got '{rules}')")
    result, drawn = analyse(
        file, chart=chart, subgroup_size=subgroup_size, phase1=phase1, rules=rules, lsl=lsl,
        usl=usl, target=target, center=center, sigma=sigma, lam=lam, k=k, h=h,
        count_col=count_col, size_col=size_col,
    )  # fmt: skip
    if png is not None:
        from tools.spc_plot import render_png

        if not drawn:
            raise SpcInputError("the CUSUM chart has no image yet; use --json")
        render_png(drawn, png, title=f"{file.name} — {result['chart']}")
    if as_json:
        print(json.dumps(result))
        return
    for one in result["charts"]:
        flagged = [p for p in one["points"] if p["violations"]]
        limits = "varying with n" if isinstance(one["lcl"], list) else (
            f"LCL {one['lcl']:.6g}, UCL {one['ucl']:.6g}"
        )  # fmt: skip
        out.print(f"[bold]{one['name']}[/]: centre {one['center']:.6g}, {limits}")
        if not flagged:
            out.print("  in control: no rule broken")
        for p in flagged:
            out.print(f"  point {p['index']} ({p['value']:.6g}): {', '.join(p['violations'])}")
    if result["capability"]:
        cap = result["capability"]
        shown = ", ".join(
            f"{name} {cap[name]:.2f}" for name in ("cp", "cpk", "cpm", "pp", "ppk")
            if cap[name] is not None
        )  # fmt: skip
        out.print(f"capability: {shown}")
    if png is not None:
        out.print(f"chart written to {png}")
