"""`plant spc FILE`: control charts, run rules and capability for a measurement file."""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from assistant.cli.common import JsonOption
from assistant.settings import get_settings
from tools.common.errors import PlantError
from tools.spc.analysis import ChartName, SpcAnalysis, SpcOptions

out = Console()

CharacteristicOption = Annotated[
    str | None, typer.Option(help="A stored control-plan characteristic, e.g. OD-12.")
]
ExcludeOption = Annotated[
    bool,
    typer.Option(
        "--exclude-out-of-control",
        help="Phase I: drop points beyond the limits and estimate again.",
    ),
]


def spc_command(
    file: Annotated[Path | None, typer.Argument(help="CSV or XLSX with a header row.")] = None,
    characteristic: CharacteristicOption = None,
    chart: Annotated[ChartName | None, typer.Option(help="Default: chosen from the data.")] = None,
    subgroup_size: Annotated[int | None, typer.Option(help="Group one column's values.")] = None,
    phase1: Annotated[int | None, typer.Option(help="First K points estimate the limits.")] = None,
    rules: Annotated[
        str, typer.Option(help="nelson, we, none, or chosen rules, e.g. nelson-1,nelson-5.")
    ] = "nelson",
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
    exclude_out_of_control: ExcludeOption = False,
    freeze: Annotated[
        bool, typer.Option("--freeze", help="Store this characteristic's limits (phase I).")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Control chart, run-rule violations and capability for a file or a stored characteristic."""
    from assistant.capabilities.spc.tool import spc_limits
    from tools.spc.analysis import SpcOptions, analyse_file
    from tools.spc.charts import SpcInputError, parse_rules

    parse_rules(rules)  # a clear message before any file is read
    if target is not None and lsl is None and usl is None:
        raise SpcInputError("--target is for capability, which needs --lsl, --usl or both")
    if (file is None) == (characteristic is None):
        raise SpcInputError("Give either a FILE or --characteristic NAME.")
    options = SpcOptions(chart=chart, subgroup_size=subgroup_size, phase1=phase1, rules=rules,
                         lsl=lsl, usl=usl, target=target, center=center, sigma=sigma, lam=lam,
                         k=k, h=h, exclude_out_of_control=exclude_out_of_control)  # fmt: skip
    limits = spc_limits(get_settings())
    if file is not None:
        analysis = analyse_file(
            file, options, count_col=count_col, size_col=size_col, limits=limits
        )
    else:
        analysis = _stored(characteristic or "", options, freeze)
    if png is not None:
        from tools.spc.plot import render_png

        if not analysis.drawn:
            raise SpcInputError("the CUSUM chart has no image yet; use --json")
        title = file.name if file is not None else characteristic
        render_png(analysis.drawn, png, title=f"{title} — {analysis.chart}",
                   max_points=limits.max_chart_points)  # fmt: skip
    if as_json:
        print(json.dumps(analysis.to_json()))
        return
    _print(analysis)
    if png is not None:
        out.print(f"chart written to {png}")


def _print(analysis: SpcAnalysis) -> None:
    for one in analysis.charts:
        flagged = one.flagged_points()
        limits = (
            "varying with n"
            if isinstance(one.lcl, list)
            else (f"LCL {one.lcl:.6g}, UCL {one.ucl:.6g}")
        )
        out.print(f"[bold]{one.name}[/]: centre {one.center:.6g}, {limits}")
        if not flagged:
            out.print("  in control: no rule broken")
        for p in flagged:
            out.print(f"  point {p.index} ({p.value:.6g}): {', '.join(p.violations)}")
    cap = analysis.capability
    if cap is not None:
        shown = ", ".join(
            f"{name} {getattr(cap, name):.2f}"
            for name in ("cp", "cpk", "cpm", "pp", "ppk")
            if getattr(cap, name) is not None
        )
        out.print(f"capability: {shown}")


def _stored(name: str, options: SpcOptions, freeze: bool) -> SpcAnalysis:
    from sqlmodel import Session

    from assistant.capabilities.spc.service import analyse_characteristic
    from assistant.persistence.spc import freeze_limits, get_characteristic
    from assistant.wiring import make_engine

    with Session(make_engine(get_settings())) as session:
        analysis = analyse_characteristic(session, name, options)
        if freeze:
            drawn = analysis.drawn
            if not drawn:
                raise PlantError("only Shewhart charts have limits to freeze")
            item = get_characteristic(session, name)
            freeze_limits(
                session, characteristic=item, center=drawn[0].center, sigma=drawn[0].sigma,
                user=getpass.getuser(),  # the command line's user: who signed the change
            )  # fmt: skip
            out.print(
                f"Limits of {item.name} frozen: centre {drawn[0].center:.6g}, "
                f"sigma {drawn[0].sigma:.6g}"
            )
    return analysis
